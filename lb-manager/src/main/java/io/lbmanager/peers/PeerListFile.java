package io.lbmanager.peers;

import com.fasterxml.jackson.core.type.TypeReference;
import io.lbmanager.zk.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The peer lists an agent pushed into Nginx (service -> the list as the Lua dict holds it),
 * kept next to its last good version, so that an agent restarted while ZooKeeper is down can fill
 * a Lua-balancing Nginx again. Replaced in one rename.
 */
public final class PeerListFile {

    private static final TypeReference<Map<String, String>> LISTS = new TypeReference<>() {
    };

    private final Path file;

    public PeerListFile(Path file) {
        this.file = file;
    }

    /** Writes the non-empty lists of {@code lists} (a map that may change meanwhile: each entry is read once). */
    void write(Map<String, String> lists) throws IOException {
        Map<String, String> kept = new TreeMap<>();
        lists.forEach((service, list) -> {
            if (!list.isEmpty()) {
                kept.put(service, list);
            }
        });
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(temporary, Json.MAPPER.writeValueAsBytes(kept));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The lists last written; empty when none were. */
    public Map<String, String> read() throws IOException {
        try {
            return Map.copyOf(Json.MAPPER.readValue(Files.readAllBytes(file), LISTS));
        } catch (NoSuchFileException e) {
            return Map.of();
        }
    }
}
