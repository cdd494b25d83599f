package io.lbmanager.render;

import freemarker.core.ParseException;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders one LB group of a snapshot into a {@link ConfigBundle}: {@code nginx.conf},
 * {@code upstreams/<serviceId>.conf} and {@code locations/<serviceId>.conf}, plus
 * {@code lbm-modules.conf} and {@code lbm-lua.conf} when upstreams are {@linkplain UpstreamMode dynamic}. A pure function
 * of its inputs (services and upstreams sorted), so the same snapshot renders the same bytes.
 * Thread-safe.
 */
public final class BundleRenderer {

    public static final String UPSTREAMS_DIR = "upstreams/";
    public static final String LOCATIONS_DIR = "locations/";
    /** With Lua routing: each profile's upstream (http context), rendered from {@link TemplateSet#PROFILE}. */
    public static final String PROFILE_UPSTREAMS_FILE = "lbm-profile-upstreams.conf";
    /** With Lua routing: each profile's named location (server context), rendered from {@link TemplateSet#PROFILE}. */
    public static final String PROFILE_LOCATIONS_FILE = "lbm-profile-locations.conf";
    /** Every file that is not one service's: rendered once per group. */
    static final List<String> GROUP_FILES = List.of(ConfigBundle.MAIN_FILE, ConfigBundle.MODULES_FILE, ConfigBundle.LUA_FILE,
            ConfigBundle.PROFILES_FILE, PROFILE_UPSTREAMS_FILE, PROFILE_LOCATIONS_FILE);

    private final Configuration freemarker;
    private final UpstreamMode mode;

    public BundleRenderer(TemplateSet templates) {
        this(templates, UpstreamMode.RELOAD);
    }

    public BundleRenderer(TemplateSet templates, UpstreamMode mode) {
        this.freemarker = FreemarkerConfig.over(templates);
        this.mode = mode;
    }

    public UpstreamMode mode() {
        return mode;
    }

    public static String upstreamFile(String serviceId) {
        return UPSTREAMS_DIR + serviceId + ".conf";
    }

    public static String locationFile(String serviceId) {
        return LOCATIONS_DIR + serviceId + ".conf";
    }

    public RenderOutcome renderGroup(CatalogSnapshot snapshot, String group) {
        return renderGroup(snapshot, group, Set.of());
    }

    /** Renders {@code group} as if the services in {@code excludedServiceIds} did not exist (quarantine). */
    public RenderOutcome renderGroup(CatalogSnapshot snapshot, String group, Set<String> excludedServiceIds) {
        if (!SafeValues.isGroup(group)) {
            return new RenderOutcome.InputRejected(null, "group", "group name '" + group + "' does not match " + SafeValues.GROUP.pattern());
        }
        List<Map<String, Object>> services = new ArrayList<>();
        for (ServiceRecord service : snapshot.servicesIn(group)) {
            if (excludedServiceIds.contains(service.id())) {
                continue;
            }
            try {
                services.add(ServiceModel.of(service, snapshot.upstreamsOf(service), mode));
            } catch (ServiceModel.Rejected e) {
                return new RenderOutcome.InputRejected(service.id(), e.field(), e.getMessage());
            }
        }
        RoutedServices.Table routing = RoutedServices.over(services, mode);
        if (!routing.refused().isEmpty()) {
            return refusal(routing);
        }
        List<Map<String, Object>> fileRendered = withoutRouted(services, routing);

        TreeMap<String, String> files = new TreeMap<>();
        for (Map<String, Object> service : fileRendered) {
            try {
                files.putAll(serviceFiles(group, service));
            } catch (Failure failure) {
                return failure.outcome((String) service.get("id"));
            }
        }
        try {
            files.putAll(groupFiles(group, fileRendered, routing));
        } catch (Failure failure) {
            return failure.outcome(null);
        }
        return new RenderOutcome.Rendered(ConfigBundle.of(group, files));
    }

    /** The files of one service (its {@link ServiceModel}) in {@code group}; {@link IncrementalRenderer} keeps them between renders. */
    Map<String, String> serviceFiles(String group, Map<String, Object> service) throws Failure {
        String id = (String) service.get("id");
        Map<String, Object> model = Map.of("group", group, "service", service);
        return Map.of(upstreamFile(id), process(TemplateSet.UPSTREAM, model),
                locationFile(id), process(TemplateSet.LOCATION, model));
    }

    /** The first refused service (in id order) as the outcome that quarantines it. */
    static RenderOutcome refusal(RoutedServices.Table routing) {
        Map.Entry<String, RoutedServices.Refusal> first = routing.refused().entrySet().iterator().next();
        return new RenderOutcome.InputRejected(first.getKey(), first.getValue().field(), first.getValue().message());
    }

    /** The models of the services {@code routing} leaves to files, in their order. */
    static List<Map<String, Object>> withoutRouted(List<Map<String, Object>> services, RoutedServices.Table routing) {
        if (routing.routesByService().isEmpty()) {
            return services;
        }
        return services.stream().filter(service -> !routing.isRouted((String) service.get("id"))).toList();
    }

    /**
     * The group-wide files of {@code group} over the models of its file-rendered services, in id
     * order: {@code nginx.conf}, with dynamic upstreams {@code lbm-modules.conf} and {@code lbm-lua.conf},
     * and with Lua routing the profile files and {@code lbm-profiles.txt}.
     */
    Map<String, String> groupFiles(String group, List<Map<String, Object>> services, RoutedServices.Table routing) throws Failure {
        Map<String, Object> mainModel = groupModel(group, services, routing);
        Map<String, String> files = new TreeMap<>();
        if (mode.dynamic()) {
            files.put(ConfigBundle.MODULES_FILE, mode.loadModuleDirectives());
            files.put(ConfigBundle.LUA_FILE, process(TemplateSet.LUA, mainModel));
        }
        if (mode.luaRouting()) {
            files.putAll(profileFiles(group, routing));
        }
        files.put(ConfigBundle.MAIN_FILE, process(TemplateSet.MAIN, mainModel));
        return files;
    }

    private Map<String, String> profileFiles(String group, RoutedServices.Table routing) throws Failure {
        StringBuilder upstreams = new StringBuilder("# Rendered by lb-manager: one upstream per option profile of a routed service.\n");
        StringBuilder locations = new StringBuilder("# Rendered by lb-manager: one named location per option profile of a routed service.\n");
        StringBuilder names = new StringBuilder();
        StringBuilder limits = new StringBuilder(" ");
        for (OptionProfile profile : routing.profiles().values()) {
            limits.append(profile.name()).append(':').append(profile.clientMaxBodySizeMb()).append(' ');
            Map<String, Object> profileModel = profileModel(profile);
            upstreams.append(process(TemplateSet.PROFILE, Map.of("group", group, "profile", profileModel, "part", "upstream")));
            locations.append(process(TemplateSet.PROFILE, Map.of("group", group, "profile", profileModel, "part", "location")));
            names.append(profile.name()).append('\n');
        }
        // What lbm.update_routes() and lbm.route() check a route's profile against: the profiles of the loaded config, with
        // their body size limits (Nginx checks a declared length in the first location it picks only, the router's location /).
        upstreams.append("map \"\" $lbm_profiles {\n    default \"").append(limits).append("\";\n}\n");
        return Map.of(PROFILE_UPSTREAMS_FILE, upstreams.toString(), PROFILE_LOCATIONS_FILE, locations.toString(),
                ConfigBundle.PROFILES_FILE, names.toString());
    }

    private static Map<String, Object> profileModel(OptionProfile profile) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", profile.name());
        model.put("upstreamName", "lbm-profile-" + profile.name());
        model.put("locationName", "@lbm_" + profile.name());
        model.put("clientMaxBodySizeMb", profile.clientMaxBodySizeMb());
        model.put("keepaliveConnections", profile.keepaliveConnections());
        model.put("websocket", profile.websocket());
        return Collections.unmodifiableMap(model);
    }

    private Map<String, Object> groupModel(String group, List<Map<String, Object>> services, RoutedServices.Table routing) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("group", group);
        model.put("services", List.copyOf(services));
        model.put("rootPathClaimed", services.stream().anyMatch(s -> Boolean.TRUE.equals(s.get("isRoot"))));
        model.put("dynamicUpstreams", mode.dynamic());
        model.put("peersDictMb", mode.peersDictMb());
        model.put("luaRouting", mode.luaRouting());
        model.put("routesDictMb", mode.routesDictMb());
        return model;
    }

    /**
     * {@code lbm-lua.conf} as this renderer's mode renders it into every group (it depends on no
     * service), for the Lua start check; a template error says where.
     */
    public String luaFile() throws TemplateSetException {
        if (!mode.dynamic()) {
            throw new IllegalStateException("upstreams are not dynamic: no " + ConfigBundle.LUA_FILE);
        }
        try {
            return process(TemplateSet.LUA, groupModel("lbm-probe", List.of(), RoutedServices.over(List.of(), mode)));
        } catch (Failure e) {
            throw new TemplateSetException("template " + e.template + (e.line == null ? "" : ":" + e.line) + ": " + e.getMessage());
        }
    }

    private String process(String templateName, Map<String, Object> model) throws Failure {
        try {
            Template template = freemarker.getTemplate(templateName);
            StringWriter out = new StringWriter();
            template.process(model, out);
            return out.toString();
        } catch (ParseException e) {
            return Failure.raise(e.getTemplateName() != null ? e.getTemplateName() : templateName,
                    e.getLineNumber() > 0 ? e.getLineNumber() : null, e.getEditorMessage());
        } catch (TemplateException e) {
            return Failure.raise(e.getTemplateSourceName() != null ? e.getTemplateSourceName() : templateName,
                    e.getLineNumber(), firstParagraph(e.getMessageWithoutStackTop()));
        } catch (IOException e) {
            return Failure.raise(templateName, null, "cannot load template: " + e.getMessage());
        }
    }

    private static String firstParagraph(String message) {
        int tips = message.indexOf("\n\n");
        return (tips < 0 ? message : message.substring(0, tips)).strip();
    }

    /** A template that could not be parsed or evaluated, with where FreeMarker says it failed. */
    static final class Failure extends Exception {
        private final String template;
        private final Integer line;

        private Failure(String template, Integer line, String message) {
            super(message, null, false, false);
            this.template = template;
            this.line = line;
        }

        static String raise(String template, Integer line, String message) throws Failure {
            throw new Failure(template, line, message);
        }

        RenderOutcome.TemplateFailed outcome(String serviceId) {
            return new RenderOutcome.TemplateFailed(template, line, serviceId, getMessage());
        }
    }
}
