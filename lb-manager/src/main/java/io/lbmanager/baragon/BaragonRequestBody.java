package io.lbmanager.baragon;

import java.util.List;
import java.util.Map;

/**
 * A BaragonRequest as Singularity sends it to {@code loadBalancerUri} (the field names of HubSpot's
 * {@code BaragonCore} 0.9.0 models). Every field Baragon knows is listed, so a field that is set but
 * not mapped is refused by name rather than silently dropped; nothing here is trusted yet.
 */
public record BaragonRequestBody(
        String loadBalancerRequestId,
        Service loadBalancerService,
        List<UpstreamInfo> addUpstreams,
        List<UpstreamInfo> removeUpstreams,
        List<UpstreamInfo> replaceUpstreams,
        String replaceServiceId,
        String action,
        Boolean noValidate,
        Boolean noReload,
        Boolean upstreamUpdateOnly,
        Boolean noDuplicateUpstreams) {

    public BaragonRequestBody {
        addUpstreams = addUpstreams == null ? List.of() : addUpstreams;
        removeUpstreams = removeUpstreams == null ? List.of() : removeUpstreams;
        replaceUpstreams = replaceUpstreams == null ? List.of() : replaceUpstreams;
    }

    /** Baragon's BaragonService. */
    public record Service(
            String serviceId,
            List<String> owners,
            String serviceBasePath,
            List<String> additionalPaths,
            List<String> loadBalancerGroups,
            Map<String, Object> options,
            String templateName,
            List<String> domains,
            String edgeCacheDNS,
            List<String> edgeCacheDomains,
            Boolean preResolveUpstreamDNS) {
    }

    /** Baragon's UpstreamInfo: {@code upstream} is {@code host:port}; {@code requestId} is Singularity's task id. */
    public record UpstreamInfo(
            String upstream,
            String requestId,
            String rackId,
            String originalPath,
            String group,
            String resolvedUpstream) {
    }
}
