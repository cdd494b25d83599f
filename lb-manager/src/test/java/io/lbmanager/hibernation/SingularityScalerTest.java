package io.lbmanager.hibernation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lbmanager.fleet.singularity.SingularityHttp;
import io.lbmanager.fleet.singularity.SingularityRequests;
import io.lbmanager.testsupport.singularity.SingularitySimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hibernating a Singularity request pauses it (Singularity refuses 0 instances), waking unpauses it; against the simulator. */
class SingularityScalerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private SingularitySimulator singularity;
    private SingularityScaler scaler;

    @BeforeEach
    void start() throws Exception {
        singularity = SingularitySimulator.startInProcess(4);
        scaler = new SingularityScaler(new SingularityRequests(new SingularityHttp(singularity.baseUrl(), Optional.empty(),
                Duration.ofSeconds(2), Duration.ofSeconds(5), 0)));
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(singularity.baseUrl() + "/api/requests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"orders\",\"requestType\":\"SERVICE\",\"instances\":3}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        singularity.close();
    }

    @Test
    void hibernatingPausesTheRequestAndWakingUnpausesItWithItsInstanceCount() throws Exception {
        assertThat(scaler.scaleToZero("orders")).isEqualTo(3);
        assertThat(request("orders").path("state").asText()).isEqualTo("PAUSED");

        scaler.scaleUp("orders", 3);

        JsonNode woken = request("orders");
        assertThat(woken.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(woken.path("request").path("instances").asInt()).isEqualTo(3);
    }

    @Test
    void wakingARequestThatIsNotPausedLeavesItAsItIs() throws Exception {
        scaler.scaleUp("orders", 3);

        assertThat(request("orders").path("state").asText()).isEqualTo("ACTIVE");
        assertThat(singularity.exchanges()).anySatisfy(exchange -> {
            assertThat(exchange.path()).endsWith("/unpause");
            assertThat(exchange.status()).isEqualTo(409);
        });
    }

    @Test
    void anUnknownRequestIsRefusedNamingIt() {
        assertThatThrownBy(() -> scaler.scaleToZero("ghost")).hasMessageContaining("ghost");
    }

    private JsonNode request(String id) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(singularity.baseUrl() + "/api/requests/request/" + id))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new ObjectMapper().readTree(answer.body());
    }
}
