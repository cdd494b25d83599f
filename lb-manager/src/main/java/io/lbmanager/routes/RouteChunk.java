package io.lbmanager.routes;

import io.lbmanager.contract.RouteLine;
import io.lbmanager.zk.CorruptNodeException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One shard of a routing table as stored in ZooKeeper: gzip of its route lines (sorted by service
 * id, one per line), named by the sha256 of those exact bytes. Decoding trusts nothing: the bytes
 * must hash to the name, stay within {@link #MAX_LINES_BYTES} unpacked, and every line must pass
 * {@link RouteLine#parse}, belong to the shard and come in order.
 */
public record RouteChunk(String sha256, byte[] gzip) {

    /** Unpacked size a chunk may have: 50,000 services over 256 shards is about 15 KB a shard. */
    static final int MAX_LINES_BYTES = 4 * 1024 * 1024;

    static RouteChunk encode(List<RouteLine> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.format()).append('\n'));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] packed = bytes.toByteArray();
        return new RouteChunk(RoutingTable.sha256(packed), packed);
    }

    /**
     * The lines of the chunk stored at {@code path}.
     *
     * @throws CorruptNodeException naming the node and what is wrong with it; nothing of it may be applied
     */
    static List<RouteLine> decode(String path, byte[] stored, String expectedSha256, int shard, int shardCount) {
        if (stored == null || !RoutingTable.sha256(stored).equals(expectedSha256)) {
            throw new CorruptNodeException(path, "its content does not hash to sha256 " + expectedSha256);
        }
        String text = new String(unpack(path, stored), StandardCharsets.UTF_8);
        List<RouteLine> lines = new ArrayList<>();
        String previous = null;
        int number = 0;
        for (String raw : text.split("\n")) {
            number++;
            if (raw.isEmpty()) {
                continue;
            }
            RouteLine line;
            try {
                line = RouteLine.parse(raw);
            } catch (IllegalArgumentException e) {
                throw new CorruptNodeException(path, "line " + number + ": " + e.getMessage());
            }
            if (RoutingTable.shard(line.serviceId(), shardCount) != shard) {
                throw new CorruptNodeException(path, "line " + number + ": service " + line.serviceId() + " does not belong to shard " + shard);
            }
            if (previous != null && previous.compareTo(line.serviceId()) >= 0) {
                throw new CorruptNodeException(path, "line " + number + ": service " + line.serviceId() + " is out of order or repeated");
            }
            previous = line.serviceId();
            lines.add(line);
        }
        return lines;
    }

    private static byte[] unpack(String path, byte[] stored) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            byte[] unpacked = in.readNBytes(MAX_LINES_BYTES + 1);
            if (unpacked.length > MAX_LINES_BYTES) {
                throw new CorruptNodeException(path, "unpacks to more than " + MAX_LINES_BYTES + " bytes");
            }
            return unpacked;
        } catch (IOException e) {
            throw new CorruptNodeException(path, "not gzip: " + e.getMessage());
        }
    }
}
