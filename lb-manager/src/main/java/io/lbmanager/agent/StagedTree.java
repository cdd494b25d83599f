package io.lbmanager.agent;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A version directory being filled under its staging name. A file that is byte for byte the
 * same in the base tree (the live version) becomes a hard link to it; any other file is written.
 */
final class StagedTree {

    private final Path staging;
    private final Optional<Path> base;
    private final Set<Path> createdDirectories = new HashSet<>();

    StagedTree(Path staging, Optional<Path> base) {
        this.staging = staging;
        this.base = base;
        createdDirectories.add(staging);
    }

    /** Adds a file: linked from the base tree when its bytes are there already, written otherwise. */
    void add(String relativeName, byte[] content) throws IOException {
        Path file = resolve(relativeName);
        Optional<Path> same = base.map(b -> b.resolve(relativeName).normalize()).filter(b -> hasContent(b, content));
        if (same.isEmpty() || !link(file, same.get())) {
            writeNew(file, content);
        }
    }

    /** Writes a file of its own, never shared with another version; replaces one added before under that name. */
    void write(String relativeName, byte[] content) throws IOException {
        Path file = resolve(relativeName);
        Files.deleteIfExists(file);
        writeNew(file, content);
    }

    /** A new inode every time: writing through a hard link would change the live version too. */
    private static void writeNew(Path file, byte[] content) throws IOException {
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private Path resolve(String relativeName) throws IOException {
        Path file = staging.resolve(relativeName).normalize();
        if (!file.startsWith(staging) || file.equals(staging)) {
            throw new IOException("bundle file name escapes its directory: " + relativeName);
        }
        Path parent = file.getParent();
        if (createdDirectories.add(parent)) {
            Files.createDirectories(parent);
        }
        return file;
    }

    private boolean link(Path file, Path existing) throws IOException {
        try {
            Files.createLink(file, existing);
            return true;
        } catch (UnsupportedOperationException | FileSystemException e) {
            return false; // no hard links here (or the base file just went): write it instead
        }
    }

    private static boolean hasContent(Path file, byte[] content) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() && attributes.size() == content.length
                    && Arrays.equals(Files.readAllBytes(file), content);
        } catch (IOException e) {
            return false;
        }
    }
}
