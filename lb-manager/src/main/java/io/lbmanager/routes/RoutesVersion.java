package io.lbmanager.routes;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lbmanager.signing.VersionSignature;
import io.lbmanager.signing.VersionSigner;
import io.lbmanager.signing.VersionVerifier;
import io.lbmanager.zk.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One numbered routing table of a group as stored at {@code ZkLayout.routeVersion}: per shard the
 * sha256 of its chunk (null: no services in that shard). The manager signs it like a config
 * version; the signature covers every other field, through {@link #signedBytes()}.
 *
 * @param createdAt epoch millis
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoutesVersion(long version, String group, List<String> chunks, int services, long createdAt, VersionSignature signature) {

    private static final String SIGNED_PREFIX = "lb-manager routes v1\n";

    public RoutesVersion {
        chunks = chunks == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(chunks));
    }

    static RoutesVersion of(RoutingTable table, long version, long createdAt, Optional<VersionSigner> signer) {
        RoutesVersion unsigned = new RoutesVersion(version, table.group(), table.chunkShas(), table.size(), createdAt, null);
        return signer.map(s -> unsigned.signedWith(s.sign(table.group(), version, unsigned.signedBytes()))).orElse(unsigned);
    }

    private RoutesVersion signedWith(VersionSignature signature) {
        return new RoutesVersion(version, group, chunks, services, createdAt, signature);
    }

    /** What the signature covers: every field but the signature, with a prefix no config version node can have. */
    byte[] signedBytes() {
        byte[] json = Json.write(new RoutesVersion(version, group, chunks, services, createdAt, null));
        byte[] prefix = SIGNED_PREFIX.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + json.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(json, 0, all, prefix.length, json.length);
        return all;
    }

    /** Empty when the version is well-formed for {@code expectedGroup} (and signed, when a verifier is given); else why it is refused. */
    Optional<String> refusal(String expectedGroup, long expectedVersion, Optional<VersionVerifier> verifier) {
        if (version != expectedVersion || !expectedGroup.equals(group)) {
            return Optional.of("routes version node says group " + group + " version " + version + ", expected group " + expectedGroup
                    + " version " + expectedVersion);
        }
        if (chunks == null || !RoutingTable.isShardCount(chunks.size())) {
            return Optional.of("routes version " + version + " lists " + (chunks == null ? 0 : chunks.size()) + " chunks, not "
                    + RoutingTable.SHARDS + " (or " + RoutingTable.LEGACY_SHARDS + ")");
        }
        for (String sha : chunks) {
            if (sha != null && !sha.matches("[0-9a-f]{64}")) {
                return Optional.of("routes version " + version + " names a chunk that is not a sha256");
            }
        }
        return verifier.flatMap(v -> v.check(group, version, signedBytes(), signature)).map(reason -> "routes " + reason);
    }

    /** sha256 of the table this version describes (the same as {@link RoutingTable#sha256()} of it). */
    public String tableSha256() {
        return RoutingTable.sha256Of(chunks);
    }
}
