package io.lbmanager.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import io.lbmanager.fleet.DockerClients;
import io.lbmanager.fleet.DockerTaskRunner;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The local Docker engine and the Nginx + agent image for integration tests. Tests skip, with the
 * reason, when either is missing. Every container a test starts carries a fleet label unique to
 * the test run, so {@link #removeFleet} cleans up exactly what this run started.
 */
public final class DockerSupport {

    public static final String DEFAULT_IMAGE = "lb-manager/nginx:dev";

    private DockerSupport() {
    }

    /** The image under test: system property {@code lbm.image} (failsafe passes it), else {@value #DEFAULT_IMAGE}. */
    public static String image() {
        String image = System.getProperty("lbm.image");
        return image == null || image.isBlank() || image.startsWith("${") ? DEFAULT_IMAGE : image;
    }

    /**
     * Why Docker tests cannot run here (engine unreachable, image not built), or empty when they can.
     * Check it per test ({@code assumeTrue(reason.isEmpty(), ...)} in {@code @BeforeEach}): a skip in
     * {@code @BeforeAll} is reported without its reason.
     */
    public static Optional<String> whyUnusable(String image) {
        try (DockerClient docker = DockerClients.local()) {
            docker.pingCmd().exec();
            docker.inspectImageCmd(image).exec();
            return Optional.empty();
        } catch (NotFoundException e) {
            return Optional.of("image " + image + " not built; build it from nginx-image/ (see ENVIRONMENT.md)");
        } catch (Exception e) {
            return Optional.of("Docker engine at " + DockerClients.LOCAL_SOCKET + " not usable: " + e.getMessage());
        }
    }

    /** Skips the calling test with the reason when Docker tests cannot run. */
    public static void assumeUsable(Optional<String> whyUnusable) {
        assumeTrue(whyUnusable.isEmpty(), () -> whyUnusable.orElse(""));
    }

    /** A fleet name no other test run or demo uses. */
    /** {@code prefix-[run-]xxxxxx}; {@code run} is {@code LBM_TEST_RUN} (set by .ci/run, which removes only its own fleets). */
    public static String uniqueFleetName(String prefix) {
        String run = System.getenv("LBM_TEST_RUN");
        String tag = run != null && run.matches("[a-z0-9]{1,16}") ? run + "-" : "";
        return prefix + "-" + tag + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Force-removes every container labelled with this fleet name, running or not. */
    public static void removeFleet(DockerClient docker, String fleetName) {
        List<Container> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerTaskRunner.LABEL_FLEET, fleetName)).exec();
        for (Container container : containers) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).exec();
            } catch (NotFoundException gone) {
                // already removed
            }
        }
    }

    /** The last lines a container printed, for a failure message. */
    public static String logTail(DockerClient docker, String containerName) {
        StringBuilder out = new StringBuilder();
        try {
            docker.logContainerCmd(containerName).withStdOut(true).withStdErr(true).withTail(40)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            out.append("(no logs: ").append(e.getMessage()).append(')');
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toString();
    }
}
