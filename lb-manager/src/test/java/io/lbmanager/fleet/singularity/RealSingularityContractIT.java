package io.lbmanager.fleet.singularity;

import io.lbmanager.testsupport.DockerSupport;
import io.lbmanager.testsupport.ZooKeeperExtension;
import io.lbmanager.testsupport.singularity.RealSingularity;
import io.lbmanager.testsupport.singularity.RealSingularityEndpoint;
import io.lbmanager.testsupport.singularity.SingularityEndpoint;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link SingularityContract} against the real SingularityService 1.5.0 with four loopback agents. */
class RealSingularityContractIT extends SingularityContract {

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();

    @Override
    SingularityEndpoint startEndpoint() throws Exception {
        Optional<String> noJar = RealSingularity.whyUnusable();
        assumeTrue(noJar.isEmpty(), () -> "skipped: " + noJar.orElse(""));
        String image = DockerSupport.image();
        Optional<String> noDocker = DockerSupport.whyUnusable(image);
        assumeTrue(noDocker.isEmpty(), () -> "skipped: " + noDocker.orElse(""));
        return RealSingularityEndpoint.start(ZK.port(), 4, image);
    }
}
