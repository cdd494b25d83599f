package io.lbmanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.NginxWrappers;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static io.lbmanager.testsupport.Await.await;
import static io.lbmanager.testsupport.ManagerUnderTest.get;
import static io.lbmanager.testsupport.ManagerUnderTest.json;
import static io.lbmanager.testsupport.ManagerUnderTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/** One nginx -t at a time and no queue: while one validation runs, the next request is answered 503 at once. */
class ValidateOverloadTest {

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    private static RunningManager manager;

    @BeforeAll
    static void start() throws Exception {
        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        config.nginx.binary = NginxWrappers.heldWhileHoldFileExists(dir).toString();
        config.nginx.jail = "none"; // the wrapper notes runs in the test's directory, outside any jail
        config.api.validateConcurrency = 1;
        config.api.validateQueueLength = 0;
        manager = RunningManager.start(config);
        assertThat(send("PUT", api("/services/orders"), "{\"owners\":[\"o\"],\"basePath\":\"/orders\",\"groups\":[\"edge\"]}")
                .statusCode()).isEqualTo(201);
        await("orders published", Duration.ofSeconds(20), () -> get(api("/groups/edge/config")).body().contains("orders.conf"));
    }

    @AfterAll
    static void stop() throws Exception {
        Files.deleteIfExists(NginxWrappers.holdFile(dir));
        manager.close();
    }

    @Test
    void requestBeyondTheRunningCheckAndTheQueueIsAnswered503WithRetryAfter() throws Exception {
        Files.writeString(NginxWrappers.holdFile(dir), "");
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> validate("first"));
        await("the first request's nginx -t is running", Duration.ofSeconds(20), () -> Files.exists(NginxWrappers.runsLog(dir))
                && Files.readString(NginxWrappers.runsLog(dir)).contains("first.conf"));

        HttpResponse<String> second = validate("second");

        assertThat(second.statusCode()).as(second.body()).isEqualTo(503);
        assertThat(second.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        JsonNode error = json(second);
        assertThat(error.path("code").asInt()).isEqualTo(503);
        assertThat(error.path("message").asText()).contains("validation is overloaded", "1 nginx -t run(s) in progress");

        Files.delete(NginxWrappers.holdFile(dir));
        assertThat(first.get().statusCode()).as(first.get().body()).isEqualTo(200);
        assertThat(validate("second").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> validate(String id) {
        try {
            return send("POST", api("/validate"), "{\"serviceId\":\"" + id + "\",\"service\":{\"owners\":[\"x\"],\"basePath\":\"/" + id
                    + "\",\"groups\":[\"edge\"]}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String api(String path) {
        return manager.api(path);
    }
}
