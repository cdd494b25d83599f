package io.lbmanager.fleet.singularity;

import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.testsupport.singularity.RealSingularity;
import io.lbmanager.testsupport.singularity.RealSingularityEndpoint;
import io.lbmanager.testsupport.singularity.SingularityEndpoint;
import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SingularityContract} against the real SingularityService 1.5.0 with four loopback agents. */
class RealSingularityContractIT extends SingularityContract {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @Override
    Optional<String> whyUnusable() {
        return RealSingularity.whyUnusable().or(() -> DockerSupport.whyUnusable(DockerSupport.image()));
    }

    @Override
    SingularityEndpoint startEndpoint() throws Exception {
        return RealSingularityEndpoint.start(ZK.port(), 4, DockerSupport.image());
    }

    /** Where {@code SingularityFleet} reads a failed deploy's tasks when Singularity's result names none (real Singularity only). */
    @Test
    void theRequestsTaskHistoryListsTheTasksOfAFailedDeployByDeployId() throws Exception {
        runningFirstDeploy(1);
        assertThat(call("POST", "/deploys", deployRequest(deploy("d2", "/sick"))).status()).isEqualTo(200);
        assertThat(awaitDeployResult("d2").path("deployState").asText()).isEqualTo("FAILED");

        Await.await("the task history lists d2's task", Duration.ofSeconds(30), () -> {
            JsonNode tasks = call("GET", "/history/request/" + requestId + "/tasks?deployId=d2", null).json();
            return tasks.isArray() && tasks.size() > 0 && StreamSupport.stream(tasks.spliterator(), false)
                    .allMatch(task -> task.path("taskId").path("deployId").asText().equals("d2") && !task.path("lastTaskState").asText().isEmpty());
        });
    }
}
