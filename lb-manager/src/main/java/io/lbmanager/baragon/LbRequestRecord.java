package io.lbmanager.baragon;

import java.util.List;

/**
 * One load-balancer request as lb-manager keeps it ({@code ZkLayout.baragonRequest(id)}): what it
 * asked of the catalog, in what state it is, and what must be live before it is {@code SUCCESS}.
 *
 * @param bodySha256 sha256 of the request as received: the same id with another body is refused
 * @param serviceId  null when the request was refused before its service id was known
 * @param present    upstreams ({@code host:port}) that must be served once the request is live
 * @param absent     upstreams that must no longer be served
 * @param deleted    the service itself must be gone from its groups
 */
public record LbRequestRecord(
        String id,
        String bodySha256,
        String serviceId,
        String basePath,
        List<String> groups,
        List<String> present,
        List<String> absent,
        boolean deleted,
        LbRequestState state,
        String message,
        long createdAtMillis,
        long updatedAtMillis) {

    public LbRequestRecord {
        groups = groups == null ? List.of() : List.copyOf(groups);
        present = present == null ? List.of() : List.copyOf(present);
        absent = absent == null ? List.of() : List.copyOf(absent);
    }

    static LbRequestRecord failed(String id, String bodySha256, String serviceId, String message, long now) {
        return new LbRequestRecord(id, bodySha256, serviceId, null, List.of(), List.of(), List.of(), false,
                LbRequestState.FAILED, message, now, now);
    }

    LbRequestRecord finish(LbRequestState next, String why, long now) {
        return new LbRequestRecord(id, bodySha256, serviceId, basePath, groups, present, absent, deleted, next, why, createdAtMillis, now);
    }
}
