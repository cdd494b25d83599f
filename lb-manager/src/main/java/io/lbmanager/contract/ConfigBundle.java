package io.lbmanager.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rendered configuration of one LB group: relative file name to content, and the sha256
 * over all of them. {@code nginx.conf} is the entry point; everything else it includes.
 * The agent adds one file of its own, {@link #AGENT_FILE}, with its listen port and version.
 */
public record ConfigBundle(String group, SortedMap<String, String> files, String sha256) {

    public static final String MAIN_FILE = "nginx.conf";
    public static final String AGENT_FILE = "lbm-agent.conf";
    /** Present only in bundles whose upstreams are dynamic: the Lua balancer and its shared dict. */
    public static final String LUA_FILE = "lbm-lua.conf";
    /** With {@link #LUA_FILE}: the {@code load_module} lines, written by the renderer from configuration, not by a template. */
    public static final String MODULES_FILE = "lbm-modules.conf";
    /**
     * Present only in bundles that route services by Lua: the option profiles this config renders, one
     * name a line ({@link io.lbmanager.contract.RouteLine#PROFILE}); not read by Nginx. A route naming
     * another profile cannot run on this config.
     */
    public static final String PROFILES_FILE = "lbm-profiles.txt";

    public ConfigBundle {
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    public static ConfigBundle of(String group, Map<String, String> files) {
        SortedMap<String, String> sorted = inNameOrder(files);
        return new ConfigBundle(group, sorted, checksum(sorted));
    }

    /**
     * sha256 over, in name order, the sha256 of each file's name, a NUL and its content;
     * independent of map order. Summing per-file digests lets a renderer that keeps them hash
     * only the files that changed ({@link #checksumEntry}): 20,000 files are 11 MB of content but
     * 640 KB of digests.
     */
    public static String checksum(Map<String, String> files) {
        MessageDigest digest = newDigest();
        inNameOrder(files).forEach((name, content) -> digest.update(checksumEntry(name, content)));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** What {@link #checksum} hashes for one file: the sha256 of its name, a NUL and its content. */
    public static byte[] checksumEntry(String name, String content) {
        MessageDigest digest = newDigest();
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(content.getBytes(StandardCharsets.UTF_8));
        return digest.digest();
    }

    /** {@link #checksum} of the files whose {@link #checksumEntry}s these are, given in name order. */
    public static String checksumOfEntries(Iterable<byte[]> entriesInNameOrder) {
        MessageDigest digest = newDigest();
        entriesInNameOrder.forEach(digest::update);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The checksum of versions published before {@link #checksum} summed per-file digests: sha256
     * over names and contents. Kept so that stored versions stay readable (see BundleCodec).
     */
    public static String flatChecksum(Map<String, String> files) {
        MessageDigest digest = newDigest();
        inNameOrder(files).forEach((name, content) -> {
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(content.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        });
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether Nginx running this bundle routes services from {@code /_lbm/routes}. */
    public boolean routesByLua() {
        return files.containsKey(PROFILES_FILE);
    }

    /** Whether Nginx running this bundle takes peer lists through {@code /_lbm/peers}. */
    public boolean hasDynamicUpstreams() {
        return files.containsKey(LUA_FILE);
    }

    /** The files themselves when already sorted by name (copying 20,000 names costs more than the render of one service). */
    private static SortedMap<String, String> inNameOrder(Map<String, String> files) {
        return files instanceof SortedMap<String, String> sorted && sorted.comparator() == null ? sorted : new TreeMap<>(files);
    }

    /**
     * Writes every file under {@code dir}, creating sub-directories. Refuses a file name that is
     * absolute or would land outside {@code dir}.
     */
    public void writeTo(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        for (var file : files.entrySet()) {
            Path target = root.resolve(file.getKey()).normalize();
            if (Path.of(file.getKey()).isAbsolute() || !target.startsWith(root) || target.equals(root)) {
                throw new IOException("bundle file name '" + file.getKey() + "' is not a relative path inside the bundle");
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
        }
    }
}
