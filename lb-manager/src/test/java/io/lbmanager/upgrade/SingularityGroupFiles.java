package io.lbmanager.upgrade;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lbmanager.fleet.singularity.SingularityFleet;
import io.lbmanager.fleet.singularity.SingularityModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** A group's first request and deploy posted from singularity-deploys/, as an operator would, with the test's image and ZooKeeper. */
final class SingularityGroupFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SingularityGroupFiles() {
    }

    static void submitFirstDeploy(SingularityFleet fleet, String group, int instances, String image, String zkConnect,
                                  String zkRoot, Consumer<ObjectNode> deployChanges) throws IOException {
        Path files = deploysDir().resolve(group);
        ObjectNode request = (ObjectNode) JSON.readTree(files.resolve("request.json").toFile());
        request.put("instances", instances);
        fleet.submitRequest(JSON.treeToValue(request, SingularityModel.Request.class));
        ObjectNode deploy = (ObjectNode) JSON.readTree(files.resolve("deploy.json").toFile()).get("deploy");
        deploy.withObject("containerInfo").withObject("docker").put("image", image);
        deploy.withObject("env").put("LBM_ZK", zkConnect).put("LBM_ZK_ROOT", zkRoot);
        // The file's CHANGE-ME credentials and key are for an operator to fill in; this test's manager runs without either.
        // Its fixed traffic port would put every task of the test on one port of this one host.
        deploy.withObject("env").remove(List.of("LBM_ZK_AUTH", "LBM_SIGNING_PUBLIC_KEY", "LBM_TRAFFIC_PORT"));
        deploy.withObject("canaryDeploySettings").put("enableCanaryDeploy", false);
        deployChanges.accept(deploy);
        fleet.submitDeploy(deploy, "first deploy of the test");
    }

    static Path deploysDir() {
        Path fromModule = Path.of("..", "singularity-deploys");
        return Files.isDirectory(fromModule) ? fromModule : Path.of("singularity-deploys");
    }
}
