package io.lbmanager.zk;

import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;

/** A ZooKeeper digest identity, {@code user:password}: what a client authenticates with and what ACLs name. */
public record ZkCredentials(String user, String password) {

    public static final String SCHEME = "digest";

    public ZkCredentials {
        if (user == null || user.isBlank() || user.contains(":") || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("ZooKeeper credentials must be user:password");
        }
    }

    /** Parses {@code user:password} (the password may contain ':'). */
    public static ZkCredentials parse(String text, String source) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(source + " must be user:password");
        }
        return new ZkCredentials(text.substring(0, colon), text.substring(colon + 1));
    }

    /** What the client sends with {@code addAuthInfo("digest", ...)}. */
    public byte[] authBytes() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** The identity an ACL names: {@code digest:user:base64(sha1(user:password))}, as ZooKeeper's digest provider computes it. */
    public Id id() {
        try {
            return new Id(SCHEME, DigestAuthenticationProvider.generateDigest(user + ":" + password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA1 for ZooKeeper digests", e);
        }
    }

    @Override
    public String toString() {
        return "ZkCredentials[user=" + user + "]"; // never the password in a log line
    }
}
