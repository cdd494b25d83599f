package io.lbmanager.contract;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Which of {@code count} stored pieces a service belongs in: the routing table's chunks and the
 * peer-list buckets. Part of what is stored, so fixed: CRC-32 of the service id (UTF-8) mod the count.
 */
public final class ServiceShards {

    private ServiceShards() {
    }

    public static int of(String serviceId, int count) {
        CRC32 crc = new CRC32();
        crc.update(serviceId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }
}
