package io.lbmanager.fleet;

import java.util.Optional;

/** A group's active image and instance count, and the generation being rolled out, if any. */
public record GroupDeployment(String group, String image, int instances, Optional<String> pendingGeneration) {
}
