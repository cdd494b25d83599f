package io.lbmanager.contract;

import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A version's stored bytes (the encoded bundle, what its signature covers) in ZooKeeper, which
 * refuses any node, request or response past {@code jute.maxbuffer} (1 MiB by default). Up to
 * {@link #CHUNK_BYTES} the version node holds the bytes themselves, as every version did before
 * chunking. Larger, the version node holds a {@link Manifest} and its children {@code c0000},
 * {@code c0001}, ... hold the bytes in order, each at most {@link #CHUNK_BYTES}; a reader joins
 * them and checks length and sha256 against the manifest.
 * <p>
 * Writing cannot be one transaction (ZooKeeper counts a whole multi request against the same
 * limit): {@link #stage} writes every chunk but the last, and hands back the operations that
 * complete the version, for the caller's own transaction that also moves the target. Until that
 * commits nothing points at the version; a reader of a half-written one gets a
 * {@link CorruptNodeException} naming what is missing.
 */
public final class VersionNodes {

    public static final int CHUNK_BYTES = 512 * 1024;
    public static final String FORMAT = "lbm-chunked-v1";
    /** A manifest promising more than this is refused before anything is read. */
    public static final int MAX_CHUNKS = 256;

    /** What a chunked version node holds: how many chunks, how many bytes in all, and their sha256. */
    public record Manifest(String format, int chunks, long bytes, String sha256) {
    }

    private final CuratorFramework client;

    public VersionNodes(CuratorFramework client) {
        this.client = client;
    }

    /**
     * Writes what must precede the version's last transaction and returns the operations that
     * create the rest: the node itself when the bytes fit in one, else the last chunk (the
     * manifest and the other chunks are written already, each in a transaction under the limit).
     */
    public List<CuratorOp> stage(String path, byte[] encoded) throws Exception {
        if (encoded.length <= CHUNK_BYTES) {
            return List.of(create(path, encoded));
        }
        int chunks = chunkCount(encoded.length);
        Manifest manifest = new Manifest(FORMAT, chunks, encoded.length, sha256(encoded));
        List<CuratorOp> first = new ArrayList<>();
        first.add(create(path, Json.write(manifest)));
        first.add(create(chunkPath(path, 0), chunk(encoded, 0)));
        client.transaction().forOperations(first);
        for (int i = 1; i < chunks - 1; i++) {
            client.create().withMode(CreateMode.PERSISTENT).forPath(chunkPath(path, i), chunk(encoded, i));
        }
        return List.of(create(chunkPath(path, chunks - 1), chunk(encoded, chunks - 1)));
    }

    /** The version's bytes, joined from its chunks when it has them; throws NoNodeException when the version does not exist. */
    public byte[] read(String path) throws Exception {
        byte[] node = client.getData().forPath(path);
        if (!isManifest(node)) {
            return node;
        }
        Manifest manifest = Json.read(path, node, Manifest.class);
        if (!FORMAT.equals(manifest.format()) || manifest.chunks() < 2 || manifest.chunks() > MAX_CHUNKS
                || manifest.bytes() <= (long) (manifest.chunks() - 1) * CHUNK_BYTES
                || manifest.bytes() > (long) manifest.chunks() * CHUNK_BYTES || manifest.sha256() == null) {
            throw new CorruptNodeException(path, "not a version manifest this reader knows (format " + manifest.format()
                    + ", " + manifest.chunks() + " chunks, " + manifest.bytes() + " bytes)");
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream((int) manifest.bytes());
        for (int i = 0; i < manifest.chunks(); i++) {
            byte[] chunk;
            try {
                chunk = client.getData().forPath(chunkPath(path, i));
            } catch (KeeperException.NoNodeException e) {
                throw new CorruptNodeException(path, "chunk " + i + " of " + manifest.chunks() + " is missing");
            }
            if (joined.size() + (long) chunk.length > manifest.bytes()) {
                throw new CorruptNodeException(path, "chunks hold more than the " + manifest.bytes() + " bytes the manifest says");
            }
            joined.write(chunk);
        }
        byte[] bytes = joined.toByteArray();
        if (bytes.length != manifest.bytes() || !sha256(bytes).equals(manifest.sha256())) {
            throw new CorruptNodeException(path, "chunks hold " + bytes.length + " bytes with sha256 " + sha256(bytes)
                    + ", the manifest says " + manifest.bytes() + " bytes with sha256 " + manifest.sha256());
        }
        return bytes;
    }

    /** Deletes the version with its chunks; nothing happens when it is gone already. */
    public void delete(String path) throws Exception {
        try {
            client.delete().deletingChildrenIfNeeded().forPath(path);
        } catch (KeeperException.NoNodeException ignored) {
            // another manager deleted it first
        }
    }

    public static String chunkPath(String versionPath, int index) {
        return versionPath + "/c" + String.format("%04d", index);
    }

    /** A gzip bundle starts with 0x1f 0x8b; a manifest is JSON. */
    private static boolean isManifest(byte[] node) {
        return node != null && node.length > 0 && node[0] == '{';
    }

    /** How many chunks {@code bytes} are stored in: 0 when they fit in the version node itself. */
    public static int chunksFor(int bytes) {
        return bytes <= CHUNK_BYTES ? 0 : chunkCount(bytes);
    }

    private static int chunkCount(int bytes) {
        return (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
    }

    private static byte[] chunk(byte[] encoded, int index) {
        int from = index * CHUNK_BYTES;
        return Arrays.copyOfRange(encoded, from, Math.min(encoded.length, from + CHUNK_BYTES));
    }

    private CuratorOp create(String path, byte[] data) throws Exception {
        return client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, data);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
