package io.lbmanager.fleet.singularity;

import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.testsupport.singularity.RealSingularity;
import io.lbmanager.testsupport.singularity.RealSingularityEndpoint;
import io.lbmanager.testsupport.singularity.SingularityEndpoint;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Optional;

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
}
