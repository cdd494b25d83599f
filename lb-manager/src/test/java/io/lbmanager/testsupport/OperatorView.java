package io.lbmanager.testsupport;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** What an operator sees of managers ({@link ManagerProcess}), each in one line for a fault-matrix row. */
public final class OperatorView {

    private OperatorView() {
    }

    /** The group's status as {@code manager} reports it, in a line: leader, render state, holds, agents. */
    public static String groupStatus(ManagerProcess manager, String group) {
        StringBuilder view = new StringBuilder();
        try {
            JsonNode me = FaultBench.json(manager.api("/manager"));
            JsonNode status = FaultBench.json(manager.api("/groups/" + group + "/status"));
            view.append("leader ").append(me.path("leaderId").asText("none").replaceAll(":\\d+:[0-9a-f]+$", ""));
            JsonNode render = status.path("status");
            view.append("; status ").append(render.path("state").asText());
            if (!render.path("message").asText().isBlank()) {
                view.append(" \"").append(render.path("message").asText()).append('"');
            }
            if (render.path("held").size() > 0) {
                view.append("; held ").append(render.path("held"));
            }
            List<String> agentViews = new ArrayList<>();
            for (JsonNode agent : status.path("agents")) {
                agentViews.add(agent.path("agentId").asText() + " " + agent.path("state").asText() + " v" + agent.path("runningVersion").asText()
                        + (agent.path("error").isNull() || agent.path("error").asText().isBlank() ? "" : " \"" + agent.path("error").asText() + "\""));
            }
            view.append("; agents ").append(agentViews);
        } catch (Exception | AssertionError e) {
            view.append("no manager answers (").append(e.getMessage()).append(')');
        }
        return view.toString();
    }

    /**
     * How each manager's {@code /manager} and group status endpoints answer now (status and time, or
     * the error), and what its {@code zookeeper} health check on the admin port says.
     */
    public static String managerAnswers(List<ManagerProcess> managers, String group) {
        List<String> answers = new ArrayList<>();
        for (ManagerProcess manager : managers) {
            for (String path : List.of("/manager", "/groups/" + group + "/status")) {
                long start = System.nanoTime();
                String answer;
                try {
                    answer = Integer.toString(ManagerUnderTest.get(manager.api(path)).statusCode());
                } catch (Exception e) {
                    answer = e.getClass().getSimpleName();
                }
                answers.add(path + " " + answer + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
            Http.Response health = Http.tryGet(manager.adminPort(), "/healthcheck");
            answers.add("admin /healthcheck " + health.status() + " " + health.body().replaceAll("\\s+", " ")
                    .replaceAll(".*(\"zookeeper\":\\{[^}]*\\}).*", "$1"));
        }
        return String.join(", ", answers);
    }
}
