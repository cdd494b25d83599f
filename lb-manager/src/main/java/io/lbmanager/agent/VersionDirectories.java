package io.lbmanager.agent;

import io.lbmanager.contract.ConfigBundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The agent's runtime directory, which is also the Nginx prefix:
 * <pre>
 * versions/{version}-{sha8}/   one complete, never edited, config tree per applied version
 * live -> versions/...         the tree Nginx runs; switched by renaming a new symlink over it
 * run/nginx.pid  logs/  tmp/   what Nginx itself writes (run/peers.sock: see {@link #peersSocket()})
 * </pre>
 */
public final class VersionDirectories {

    private final Path root;

    public VersionDirectories(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            for (String dir : List.of("versions", "run", "logs", "tmp")) {
                Files.createDirectories(this.root.resolve(dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare runtime directory " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path live() {
        return root.resolve("live");
    }

    public Path pidFile() {
        return root.resolve("run/nginx.pid");
    }

    /** Where Nginx listens for the agent's peer-list pushes when upstreams are dynamic. */
    public Path peersSocket() {
        return root.resolve("run/peers.sock");
    }

    public Path directoryOf(ServedVersion version) {
        return root.resolve("versions").resolve(version.version() + "-" + version.shortSha());
    }

    /**
     * Writes the bundle plus the agent's own include into the version's directory. The tree is
     * written under a temporary name and renamed into place, so a directory that exists is complete.
     * A file whose bytes equal the same file in the live version is hard-linked to it instead of
     * written: creating an inode is what costs on a busy disk, and versions never edit their files.
     */
    public Path write(ConfigBundle bundle, ServedVersion version, String agentInclude) throws IOException {
        Path target = directoryOf(version);
        if (Files.isDirectory(target)) {
            return target;
        }
        Path staging = root.resolve("versions").resolve(".staging-" + UUID.randomUUID());
        Files.createDirectories(staging);
        StagedTree tree = new StagedTree(staging, liveDirectory().filter(Files::isDirectory));
        for (Map.Entry<String, String> file : bundle.files().entrySet()) {
            tree.add(file.getKey(), file.getValue().getBytes(StandardCharsets.UTF_8));
        }
        tree.write(ConfigBundle.AGENT_FILE, agentInclude.getBytes(StandardCharsets.UTF_8));
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** The version directory {@code live} points to, if any. */
    public Optional<Path> liveDirectory() {
        try {
            return Files.isSymbolicLink(live())
                    ? Optional.of(root.resolve(Files.readSymbolicLink(live())).normalize())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a version's directory, so that it is written again from a bundle checked just now. */
    public void discard(ServedVersion version) throws IOException {
        Path dir = directoryOf(version);
        if (Files.isDirectory(dir)) {
            deleteTree(dir);
        }
    }

    /** Points {@code live} at the directory in one rename, so Nginx never sees a half-switched tree. */
    public void switchLiveTo(Path versionDirectory) throws IOException {
        Path relative = root.relativize(versionDirectory.toAbsolutePath().normalize());
        Path temporary = root.resolve(".live-" + UUID.randomUUID());
        Files.createSymbolicLink(temporary, relative);
        try {
            Files.move(temporary, live(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    public void removeLive() throws IOException {
        Files.deleteIfExists(live());
    }

    /** Deletes all but the newest {@code keep} version directories, never the live one. */
    public void prune(int keep) throws IOException {
        Optional<Path> live = liveDirectory();
        List<Path> versions;
        try (Stream<Path> entries = Files.list(root.resolve("versions"))) {
            versions = entries.filter(Files::isDirectory)
                    .sorted(Comparator.comparingLong(VersionDirectories::versionNumber).reversed())
                    .toList();
        }
        for (Path dir : versions.subList(Math.min(keep, versions.size()), versions.size())) {
            if (live.isEmpty() || !live.get().equals(dir)) {
                deleteTree(dir);
            }
        }
    }

    private static long versionNumber(Path dir) {
        String name = dir.getFileName().toString();
        int dash = name.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(name.substring(0, dash)) : -1;
        } catch (NumberFormatException e) {
            return -1; // staging leftovers sort last and get pruned
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
