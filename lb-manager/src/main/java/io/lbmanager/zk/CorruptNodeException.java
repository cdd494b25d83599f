package io.lbmanager.zk;

/** A ZooKeeper node whose content lb-manager cannot use; the message names the node. */
public class CorruptNodeException extends RuntimeException {

    private final String path;

    public CorruptNodeException(String path, String reason) {
        super("ZooKeeper node " + path + " is malformed: " + reason);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
