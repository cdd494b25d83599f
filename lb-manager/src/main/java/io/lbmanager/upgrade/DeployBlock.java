package io.lbmanager.upgrade;

/** A group refuses upgrades while blocked: why, who blocked it, when. */
public record DeployBlock(String reason, String by, long atMillis) {
}
