package io.lbmanager.fleet.singularity;

import com.sun.net.httpserver.HttpServer;
import io.lbmanager.fleet.GenerationProgress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why a failed deploy failed, as the upgrade reports it, against canned Singularity 1.5 answers: with
 * {@code deployFailures} and, as Singularity answers when a task died after a healthcheck that had not
 * failed yet, without them (its failed tasks are then read from the request's task history).
 */
class DeployFailureReasonTest {

    private static final String TASK = "lbm-edge-d2-1796485512314-1-127.0.0.6-rack5";
    private static final String TASK_ID = "{\"id\":\"" + TASK + "\",\"requestId\":\"lbm-edge\",\"deployId\":\"d2\",\"instanceNo\":1}";
    private static final String OTHER_DEPLOYS_TASK = "{\"id\":\"lbm-edge-d1-1-1-h-r\",\"requestId\":\"lbm-edge\",\"deployId\":\"d1\",\"instanceNo\":1}";

    private HttpServer server;

    private SingularityFleet fleetAnswering(Map<String, String> answers) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/singularity/api/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().toString().substring("/singularity/api".length());
                String body = answers.get(path);
                byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/singularity";
        return new SingularityFleet(new SingularityHttp(url, Optional.empty(), Duration.ofSeconds(1), Duration.ofSeconds(2), 1), "lbm-");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static Map<String, String> failedDeploy(String deployFailures) {
        Map<String, String> answers = new HashMap<>();
        answers.put("/requests/request/lbm-edge", "{\"request\":{\"id\":\"lbm-edge\"},\"state\":\"ACTIVE\",\"activeDeploy\":{\"id\":\"d1\"}}");
        answers.put("/history/request/lbm-edge/deploy/d2", "{\"deployMarker\":{\"requestId\":\"lbm-edge\",\"deployId\":\"d2\"},"
                + "\"deployResult\":{\"deployState\":\"FAILED\",\"message\":\"At least 1 task(s) for this instance group failed\","
                + "\"deployFailures\":" + deployFailures + ",\"timestamp\":1}}");
        answers.put("/history/task/" + TASK, "{\"taskUpdates\":[{\"taskState\":\"TASK_RUNNING\",\"timestamp\":1},"
                + "{\"taskState\":\"TASK_FAILED\",\"statusMessage\":\"Container exited with status 3\",\"timestamp\":2}]}");
        answers.put("/sandbox/" + TASK + "/read?path=stderr", "{\"data\":\"\",\"offset\":19}");
        answers.put("/sandbox/" + TASK + "/read?path=stderr&offset=0&length=" + io.lbmanager.fleet.TaskOutput.READ_BYTES,
                "{\"data\":\"broken nginx image\\n\",\"offset\":0}");
        return answers;
    }

    @Test
    void theDeploysFailuresAreDescribedWithEachTasksLastStatusAndOutput() throws Exception {
        SingularityFleet fleet = fleetAnswering(failedDeploy("[{\"reason\":\"TASK_FAILED_ON_STARTUP\",\"taskId\":" + TASK_ID + "}]"));

        GenerationProgress progress = fleet.progress("edge", "d2");

        assertThat(progress).isInstanceOfSatisfying(GenerationProgress.Failed.class, failed -> assertThat(failed.reason())
                .contains("At least 1 task(s)", "TASK_FAILED_ON_STARTUP", TASK, "status 3", "broken nginx image"));
    }

    @Test
    void withoutDeployFailuresTheDeploysFailedTasksAreReadFromTheTaskHistory() throws Exception {
        Map<String, String> answers = failedDeploy("[]");
        answers.put("/history/request/lbm-edge/tasks?deployId=d2", "[{\"taskId\":" + OTHER_DEPLOYS_TASK + ",\"lastTaskState\":\"TASK_FAILED\"},"
                + "{\"taskId\":" + TASK_ID + ",\"lastTaskState\":\"TASK_FAILED\"}]");
        SingularityFleet fleet = fleetAnswering(answers);

        GenerationProgress progress = fleet.progress("edge", "d2");

        assertThat(progress).isInstanceOfSatisfying(GenerationProgress.Failed.class, failed -> assertThat(failed.reason())
                .contains("At least 1 task(s)", TASK, "TASK_FAILED", "status 3", "broken nginx image")
                .doesNotContain("lbm-edge-d1"));
    }
}
