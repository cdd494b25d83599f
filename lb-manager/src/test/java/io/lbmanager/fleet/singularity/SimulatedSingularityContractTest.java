package io.lbmanager.fleet.singularity;

import io.lbmanager.testsupport.singularity.SimulatedSingularityEndpoint;
import io.lbmanager.testsupport.singularity.SingularityEndpoint;

import java.util.Optional;

/** {@link SingularityContract} against the simulator with in-process tasks and four agents: the unit-suite side. */
class SimulatedSingularityContractTest extends SingularityContract {

    @Override
    Optional<String> whyUnusable() {
        return Optional.empty();
    }

    @Override
    SingularityEndpoint startEndpoint() throws Exception {
        return SimulatedSingularityEndpoint.start(4);
    }
}
