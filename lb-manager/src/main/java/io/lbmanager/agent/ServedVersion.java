package io.lbmanager.agent;

/** A config version as Nginx serves it: the number and the bundle's sha256. */
public record ServedVersion(long version, String sha256) {

    public String shortSha() {
        return sha256.length() > 8 ? sha256.substring(0, 8) : sha256;
    }
}
