package io.lbmanager.testsupport.singularity;

import java.util.Set;

/**
 * A Singularity to run the contract tests ({@code fleet/singularity/SingularityContract}) against:
 * the real SingularityService 1.5.0 ({@link RealSingularityEndpoint}) or the simulator
 * ({@link SimulatedSingularityEndpoint}). The same HTTP calls, the same expected answers.
 */
public interface SingularityEndpoint extends AutoCloseable {

    /** {@code http://127.0.0.1:PORT/singularity}. */
    String baseUrl();

    /** How many agents Singularity sees ACTIVE (each a distinct host for SEPARATE_BY_REQUEST). */
    int activeAgents();

    /** The image the contract's deploys name; its tasks run the contract's shell command (see the contract). */
    String taskImage();

    /** Ids of the tasks that run now, as the cluster (not Singularity) sees them. */
    Set<String> runningTaskIds();

    @Override
    void close();
}
