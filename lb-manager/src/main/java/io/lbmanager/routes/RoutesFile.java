package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The routing table an agent last pushed into Nginx, in the agent's runtime directory next to its
 * last good version, so an agent restarted while ZooKeeper is down can fill the Lua router again.
 * Written as the push body of a whole table ({@code table <version>}, then one line per route),
 * replaced in one rename (never torn); read back with the same line checks as any table.
 */
public final class RoutesFile {

    /** A table read back from disk. */
    public record Stored(long version, RoutingTable table) {
    }

    private final Path file;

    public RoutesFile(Path file) {
        this.file = file;
    }

    /** Replaces the file with {@code table} in one rename; a pass over the whole table, so not for a per-version path ({@link io.lbmanager.peers.NewestOnDisk}). */
    synchronized void write(long version, RoutingTable table) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            out.write("table " + version + "\n");
            for (RouteLine line : (Iterable<RouteLine>) table.lines()::iterator) {
                out.write(line.format());
                out.write('\n');
            }
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The table last written; empty when none was.
     *
     * @throws IOException when the file cannot be read or does not hold a valid table (nothing of it is used then)
     */
    public Optional<Stored> read(String group) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.get(0).matches("table [0-9]{1,18}")) {
            throw new IOException(file + " does not start with 'table <version>'");
        }
        List<RouteLine> routes = new ArrayList<>();
        try {
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isEmpty()) {
                    routes.add(RouteLine.parse(line));
                }
            }
            return Optional.of(new Stored(Long.parseLong(lines.get(0).substring(6)), RoutingTable.of(group, routes)));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return file;
    }
}
