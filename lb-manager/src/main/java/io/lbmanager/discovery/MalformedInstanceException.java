package io.lbmanager.discovery;

/** A discovery node lb-manager will not route; the message names the node and the fault. */
public class MalformedInstanceException extends RuntimeException {

    private final String path;

    public MalformedInstanceException(String path, String reason) {
        super("discovery node " + path + ": " + reason);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
