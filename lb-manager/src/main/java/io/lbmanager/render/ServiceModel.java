package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds what a template sees as {@code service}: only plain maps, lists, strings, integers and
 * booleans (no Java objects, so a template cannot call methods), and only values that passed
 * {@link SafeValues}. The keys are documented in templates/README.md. A service whose peers the
 * Lua balancer picks ({@code dynamicPeers}) has no upstreams in its model: they are not part of
 * the config, so a membership change renders the same bytes.
 */
final class ServiceModel {

    static final String UPSTREAM_NAME_PREFIX = "lbm_";

    private ServiceModel() {
    }

    /**
     * True when a model made from {@code before} and its discovered instances would be the one made from
     * {@code after} and its: who changed the service last, and when, does not reach a model.
     */
    static boolean sameInputs(ServiceRecord before, List<DiscoveredInstance> beforeDiscovered, ServiceRecord after,
                              List<DiscoveredInstance> afterDiscovered) {
        boolean sameService = before == after || (before.definition().equals(after.definition())
                && before.staticUpstreams().equals(after.staticUpstreams()));
        return sameService && (beforeDiscovered == afterDiscovered || Objects.equals(beforeDiscovered, afterDiscovered));
    }

    /** @throws Rejected naming the field whose value is unsafe to render */
    static Map<String, Object> of(ServiceRecord service, List<Upstream> upstreams, UpstreamMode mode) {
        String id = service.id();
        if (!SafeValues.isServiceId(id)) {
            throw new Rejected("id", "service id '" + id + "' does not match " + SafeValues.SERVICE_ID.pattern());
        }
        String basePath = service.definition().basePath();
        if (!SafeValues.isBasePath(basePath)) {
            throw new Rejected("basePath", "base path '" + basePath + "' must be '/' or '/'-separated segments of [A-Za-z0-9._~-]");
        }
        String normalized = basePath.length() > 1 && basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
        boolean root = normalized.equals("/");
        RenderOptions options;
        try {
            options = OptionDefaults.resolve(service.definition().options());
        } catch (InvalidOptionException e) {
            throw new Rejected("options." + e.option(), e.getMessage());
        }

        List<Map<String, Object>> upstreamModels = upstreamModels(upstreams);
        boolean dynamicPeers = mode.balancesDynamically(options, upstreams);

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", id);
        model.put("upstreamName", UPSTREAM_NAME_PREFIX + id);
        model.put("basePath", normalized);
        model.put("isRoot", root);
        model.put("locationPrefix", root ? "/" : normalized + "/");
        model.put("hasExactLocation", !root);
        model.put("exactPath", normalized);
        model.put("dynamicPeers", dynamicPeers);
        model.put("upstreams", dynamicPeers ? List.of() : upstreamModels);
        model.put("hasUpstreams", !dynamicPeers && !upstreams.isEmpty());
        model.put("options", Collections.unmodifiableMap(options.asTemplateModel()));
        return Collections.unmodifiableMap(model);
    }

    private static List<Map<String, Object>> upstreamModels(List<Upstream> upstreams) {
        List<Map<String, Object>> models = new ArrayList<>();
        for (int i = 0; i < upstreams.size(); i++) {
            Upstream upstream = upstreams.get(i);
            if (!SafeValues.isHost(upstream.host())) {
                throw new Rejected("upstreams[" + i + "].host", "upstream host '" + upstream.host() + "' is not an IP literal or DNS name");
            }
            if (!SafeValues.isPort(upstream.port())) {
                throw new Rejected("upstreams[" + i + "].port", "upstream port " + upstream.port() + " is not in 1..65535");
            }
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("host", upstream.host());
            model.put("port", upstream.port());
            model.put("address", upstream.address());
            model.put("weight", upstream.weight());
            models.add(Collections.unmodifiableMap(model));
        }
        return List.copyOf(models);
    }

    static final class Rejected extends RuntimeException {
        private final String field;

        Rejected(String field, String message) {
            super(message);
            this.field = field;
        }

        String field() {
            return field;
        }
    }
}
