package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.RouteLine;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which services of a group Lua routes from the {@code lbm_routes} dict, and the option profiles
 * they need rendered. A service is routed when its mode routes by Lua, the Lua balancer serves it
 * ({@code dynamicPeers}) and no file-rendered service of the group has a base path that is a
 * proper prefix of its own: Nginx picks the longest static location before {@code location /}
 * runs the router, so such a service would be shadowed and is rendered as files instead.
 * Everything else is file-rendered exactly as without routing.
 */
public final class RoutedServices {

    /** Why one service cannot be routed: its {@link RouteLine} refuses a value; {@code field} as the service's API names it. */
    public record Refusal(String field, String message) {
    }

    /**
     * One group's split.
     *
     * @param routesByService the routed services' lines, by service id
     * @param profiles        every profile a route names, by {@link OptionProfile#name()}
     * @param renderedAsFiles services the Lua balancer serves that are rendered as files anyway, and why
     * @param refused         services whose route line refuses a value (the pipeline quarantines them)
     */
    public record Table(SortedMap<String, RouteLine> routesByService, SortedMap<String, OptionProfile> profiles,
                        SortedMap<String, String> renderedAsFiles, SortedMap<String, Refusal> refused) {

        public Table {
            routesByService = Collections.unmodifiableSortedMap(new TreeMap<>(routesByService));
            profiles = Collections.unmodifiableSortedMap(new TreeMap<>(profiles));
            renderedAsFiles = Collections.unmodifiableSortedMap(new TreeMap<>(renderedAsFiles));
            refused = Collections.unmodifiableSortedMap(new TreeMap<>(refused));
        }

        /** The routed services' lines in service id order. */
        public List<RouteLine> routes() {
            return List.copyOf(routesByService.values());
        }

        public Set<String> profileNames() {
            return profiles.keySet();
        }

        public boolean isRouted(String serviceId) {
            return routesByService.containsKey(serviceId);
        }

        /** This split, also refusing the services whose model could not be made ({@code unrenderable}). */
        Table alsoRefusing(SortedMap<String, Refusal> unrenderable) {
            if (unrenderable.isEmpty()) {
                return this;
            }
            SortedMap<String, Refusal> all = new TreeMap<>(unrenderable);
            all.putAll(refused);
            return new Table(routesByService, profiles, renderedAsFiles, all);
        }

        /** This split, also with the profiles of {@code earlier} that {@code inUse} names (see {@link ProfilesInUse}). */
        public Table retaining(Map<String, OptionProfile> earlier, Set<String> inUse) {
            SortedMap<String, OptionProfile> kept = new TreeMap<>(profiles);
            earlier.forEach((name, profile) -> {
                if (inUse.contains(name)) {
                    kept.putIfAbsent(name, profile);
                }
            });
            return kept.size() == profiles.size() ? this : new Table(routesByService, kept, renderedAsFiles, refused);
        }
    }

    private static final Pattern ROUTE_FIELD = Pattern.compile("^route field (\\w+):");
    private static final Map<String, String> SERVICE_FIELD = Map.of(
            "serviceId", "id",
            "basePath", "basePath",
            "profile", "options",
            "connectTimeoutMs", "options.proxyConnectTimeoutMs",
            "sendTimeoutMs", "options.proxySendTimeoutMs",
            "readTimeoutMs", "options.proxyReadTimeoutMs",
            "maxFails", "options.maxFails",
            "failTimeoutSeconds", "options.failTimeoutSeconds",
            "stripBasePath", "options.stripBasePath");

    private RoutedServices() {
    }

    /** The split of {@code group} in {@code snapshot} as a renderer in {@code mode} makes it. */
    public static Table of(CatalogSnapshot snapshot, String group, UpstreamMode mode) {
        return of(snapshot, group, mode, Set.of());
    }

    /** As {@link #of(CatalogSnapshot, String, UpstreamMode)}, as if the services in {@code excludedServiceIds} did not exist (quarantine). */
    public static Table of(CatalogSnapshot snapshot, String group, UpstreamMode mode, Set<String> excludedServiceIds) {
        List<Map<String, Object>> models = new ArrayList<>();
        SortedMap<String, Refusal> unrenderable = new TreeMap<>();
        for (ServiceRecord service : snapshot.servicesIn(group)) {
            if (excludedServiceIds.contains(service.id())) {
                continue;
            }
            try {
                models.add(ServiceModel.of(service, snapshot.upstreamsOf(service), mode));
            } catch (ServiceModel.Rejected e) {
                unrenderable.put(service.id(), new Refusal(e.field(), e.getMessage()));
            }
        }
        return over(models, mode).alsoRefusing(unrenderable);
    }

    /** The split over the {@link ServiceModel}s of a group's services (what the renderers already have). */
    static Table over(List<Map<String, Object>> models, UpstreamMode mode) {
        return over(models, mode, RoutedServices::routeOf);
    }

    /** A routed service's line and the profile it names. */
    record Route(RouteLine line, OptionProfile profile) {
    }

    /**
     * As {@link #over(List, UpstreamMode)}, with {@code routes} making each routed model's {@link Route}
     * (it may return one it made before for the same model).
     *
     * @param routes throws IllegalArgumentException when the line refuses a value
     */
    static Table over(List<Map<String, Object>> models, UpstreamMode mode, Function<Map<String, Object>, Route> routes) {
        SortedMap<String, RouteLine> lines = new TreeMap<>();
        SortedMap<String, OptionProfile> profiles = new TreeMap<>();
        SortedMap<String, String> asFiles = new TreeMap<>();
        SortedMap<String, Refusal> refused = new TreeMap<>();
        if (!mode.luaRouting()) {
            return new Table(lines, profiles, asFiles, refused);
        }
        Map<String, String> staticPaths = new HashMap<>();
        for (Map<String, Object> model : models) {
            if (!Boolean.TRUE.equals(model.get("dynamicPeers"))) {
                staticPaths.put((String) model.get("basePath"), (String) model.get("id"));
            }
        }
        for (Map<String, Object> model : models) {
            if (!Boolean.TRUE.equals(model.get("dynamicPeers"))) {
                continue;
            }
            String id = (String) model.get("id");
            String basePath = (String) model.get("basePath");
            String shadowing = staticPaths.isEmpty() ? null : fileRenderedAncestor(basePath, staticPaths);
            if (shadowing != null) {
                asFiles.put(id, "base path " + basePath + " is under " + shadowing + " of file-rendered service "
                        + staticPaths.get(shadowing) + ", whose location Nginx picks before the Lua router runs");
                continue;
            }
            try {
                Route route = routes.apply(model);
                lines.put(id, route.line());
                profiles.put(route.profile().name(), route.profile());
            } catch (IllegalArgumentException e) {
                refused.put(id, new Refusal(serviceField(e.getMessage()), e.getMessage()));
            }
        }
        return new Table(lines, profiles, asFiles, refused);
    }

    /** @throws IllegalArgumentException when the line refuses a value of the model */
    static Route routeOf(Map<String, Object> model) {
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) model.get("options");
        OptionProfile profile = new OptionProfile((Integer) options.get("clientMaxBodySizeMb"),
                (Integer) options.get("keepaliveConnections"), (Boolean) options.get("websocket"));
        return new Route(new RouteLine((String) model.get("id"), (String) model.get("basePath"), profile.name(),
                (Integer) options.get("proxyConnectTimeoutMs"), (Integer) options.get("proxySendTimeoutMs"),
                (Integer) options.get("proxyReadTimeoutMs"), (Integer) options.get("maxFails"),
                (Integer) options.get("failTimeoutSeconds"), (Boolean) options.get("stripBasePath")), profile);
    }

    /** The longest file-rendered base path that is a proper prefix of {@code basePath} at a "/" boundary, or null. */
    static String fileRenderedAncestor(String basePath, Map<String, String> staticPaths) {
        if (basePath.equals("/")) {
            return null;
        }
        for (int slash = basePath.lastIndexOf('/'); slash > 0; slash = basePath.lastIndexOf('/', slash - 1)) {
            String prefix = basePath.substring(0, slash);
            if (staticPaths.containsKey(prefix)) {
                return prefix;
            }
        }
        return staticPaths.containsKey("/") ? "/" : null;
    }

    private static String serviceField(String message) {
        Matcher matcher = ROUTE_FIELD.matcher(message);
        return matcher.find() ? SERVICE_FIELD.getOrDefault(matcher.group(1), "options") : "options";
    }
}
