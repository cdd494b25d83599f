package io.lbmanager.baragon;

import io.lbmanager.catalog.InputRules;
import io.lbmanager.catalog.ServiceDefinition;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.catalog.ServiceValidator;
import io.lbmanager.catalog.Upstream;
import io.lbmanager.catalog.UpstreamValidator;
import io.lbmanager.errors.InvalidInputException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a BaragonRequest onto our catalog with the same rules as our own API: loadBalancerGroups are
 * LB groups, serviceBasePath the base path, owners the owners (plus the caller's team), options our
 * allow-listed options, upstreams static upstreams. Whatever Baragon can do that we do not map is
 * refused by field name with the reason, never dropped.
 */
final class BaragonMapping {

    static final String FIELD = "loadBalancerService.";

    private final ServiceValidator validator;

    BaragonMapping(ServiceValidator validator) {
        this.validator = validator;
    }

    CatalogChange change(BaragonRequestBody request, Optional<String> callerTeam, Optional<ServiceRecord> existing) {
        refuseUnmapped(request);
        BaragonRequestBody.Service service = request.loadBalancerService();
        InputRules.requirePresent("loadBalancerService", service);
        String id = InputRules.requireName(FIELD + "serviceId", service.serviceId());
        String action = request.action() == null ? "UPDATE" : request.action();
        switch (action) {
            case "DELETE":
                return new CatalogChange.Delete(id);
            case "RELOAD":
                return new CatalogChange.Nothing(id, "lb-manager reloads Nginx only when its config changes; nothing to do");
            case "UPDATE":
                break;
            case "REVERT":
                throw new InvalidInputException("action", "REVERT is Baragon's own agent-side undo; lb-manager rolls back by itself");
            default:
                throw new InvalidInputException("action", "must be UPDATE, DELETE or RELOAD");
        }
        List<Upstream> add = upstreams("addUpstreams", request.addUpstreams());
        List<Upstream> remove = upstreams("removeUpstreams", request.removeUpstreams());
        Optional<List<Upstream>> replace = request.replaceUpstreams().isEmpty() ? Optional.empty()
                : Optional.of(upstreams("replaceUpstreams", request.replaceUpstreams()));
        if (Boolean.TRUE.equals(request.upstreamUpdateOnly())) {
            ServiceRecord current = existing.orElseThrow(() -> new InvalidInputException(FIELD + "serviceId",
                    "upstreamUpdateOnly needs an existing service; " + id + " does not exist"));
            return new CatalogChange.Put(current.definition(), add, remove, replace);
        }
        Set<String> owners = new LinkedHashSet<>(service.owners() == null ? List.of() : service.owners());
        callerTeam.ifPresent(owners::add);
        List<String> groups = service.loadBalancerGroups();
        try {
            ServiceDefinition definition = validator.definition(id, List.copyOf(owners), service.serviceBasePath(), groups,
                    service.options(), existing.map(r -> r.definition().discoveryName()).orElse(null));
            return new CatalogChange.Put(definition, add, remove, replace);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(baragonField(e.field()), e.getMessage());
        }
    }

    /** Our validator names our fields; a Baragon caller reads Baragon's. */
    static String baragonField(String ours) {
        if (ours == null) {
            return null;
        }
        for (String[] pair : new String[][]{{"basePath", "serviceBasePath"}, {"groups", "loadBalancerGroups"}, {"owners", "owners"},
                {"options", "options"}, {"id", "serviceId"}}) {
            if (ours.equals(pair[0]) || ours.startsWith(pair[0] + "[") || ours.startsWith(pair[0] + ".")) {
                return FIELD + pair[1] + ours.substring(pair[0].length());
            }
        }
        return ours;
    }

    private static List<Upstream> upstreams(String field, List<BaragonRequestBody.UpstreamInfo> infos) {
        if (infos.size() > io.lbmanager.catalog.CatalogStore.MAX_STATIC_UPSTREAMS) {
            throw new InvalidInputException(field, "at most " + io.lbmanager.catalog.CatalogStore.MAX_STATIC_UPSTREAMS + " upstreams per request");
        }
        List<Upstream> parsed = new ArrayList<>();
        for (int i = 0; i < infos.size(); i++) {
            BaragonRequestBody.UpstreamInfo info = infos.get(i);
            String entry = field + "[" + i + "]";
            InputRules.requirePresent(entry, info);
            if (info.group() != null && !info.group().equals("default")) {
                throw new InvalidInputException(entry + ".group", "upstream groups are not supported; only \"default\" (Singularity's"
                        + " loadBalancerUpstreamGroup) is accepted");
            }
            if (info.originalPath() != null) {
                throw new InvalidInputException(entry + ".originalPath", "per-upstream paths are not supported");
            }
            boolean resolved = info.resolvedUpstream() != null;
            parsed.add(UpstreamValidator.parse(entry + (resolved ? ".resolvedUpstream" : ".upstream"),
                    resolved ? info.resolvedUpstream() : info.upstream()));
        }
        return parsed;
    }

    private static void refuseUnmapped(BaragonRequestBody request) {
        if (request.replaceServiceId() != null) {
            throw new InvalidInputException("replaceServiceId", "moving a base path from another service is not supported;"
                    + " delete the other service first");
        }
        if (Boolean.TRUE.equals(request.noValidate())) {
            throw new InvalidInputException("noValidate", "lb-manager checks every change with nginx -t; it cannot be skipped");
        }
        if (Boolean.TRUE.equals(request.noReload())) {
            throw new InvalidInputException("noReload", "lb-manager decides itself whether a change needs a reload");
        }
        BaragonRequestBody.Service service = request.loadBalancerService();
        if (service == null) {
            return;
        }
        if (service.additionalPaths() != null && !service.additionalPaths().isEmpty()) {
            throw new InvalidInputException(FIELD + "additionalPaths", "a service has one base path here; additional paths are not supported");
        }
        if (service.domains() != null && !service.domains().isEmpty()) {
            throw new InvalidInputException(FIELD + "domains", "domain-based routing is not supported; routes are by base path");
        }
        if (service.edgeCacheDNS() != null || (service.edgeCacheDomains() != null && !service.edgeCacheDomains().isEmpty())) {
            throw new InvalidInputException(FIELD + "edgeCacheDomains", "edge-cache purging is not supported");
        }
        if (service.templateName() != null && !service.templateName().equals("default")) {
            throw new InvalidInputException(FIELD + "templateName", "per-service templates are not supported; the operator's templates"
                    + " render every service (leave it out, or \"default\")");
        }
    }
}
