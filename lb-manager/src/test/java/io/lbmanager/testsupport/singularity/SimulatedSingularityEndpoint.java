package io.lbmanager.testsupport.singularity;

import java.io.IOException;
import java.util.Set;

/** The simulator with in-process tasks ({@link SingularitySimulator#startInProcess}): no Docker, no Mesos. */
public final class SimulatedSingularityEndpoint implements SingularityEndpoint {

    private final SingularitySimulator simulator;
    private final int agents;

    private SimulatedSingularityEndpoint(SingularitySimulator simulator, int agents) {
        this.simulator = simulator;
        this.agents = agents;
    }

    public static SimulatedSingularityEndpoint start(int agents) throws IOException {
        return new SimulatedSingularityEndpoint(SingularitySimulator.startInProcess(agents), agents);
    }

    @Override
    public String baseUrl() {
        return simulator.baseUrl();
    }

    @Override
    public int activeAgents() {
        return agents;
    }

    @Override
    public String taskImage() {
        return "in-process";
    }

    @Override
    public Set<String> runningTaskIds() {
        return simulator.runningTaskIds();
    }

    @Override
    public void close() {
        simulator.close();
    }

    @Override
    public String toString() {
        return "the Singularity simulator at " + baseUrl();
    }
}
