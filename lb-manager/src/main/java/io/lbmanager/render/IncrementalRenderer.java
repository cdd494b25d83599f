package io.lbmanager.render;

import io.lbmanager.catalog.ServiceRecord;
import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.snapshot.CatalogSnapshot;
import io.lbmanager.snapshot.DiscoveredInstance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Renders a group exactly as {@link BundleRenderer#renderGroup} does, byte for byte, but runs the
 * templates only for services whose inputs changed since the previous render of the group: each
 * service's model and files are kept, keyed by what its model is built from (definition, static
 * upstreams and the discovered instances of its discovery name). {@code nginx.conf} is rendered
 * every time. What is kept per group is what the last render produced, so a service that leaves
 * the group (or is excluded) is dropped at the next render.
 *
 * <p>With Lua routing and {@link ProfilesInUse} one thing may differ: an option profile no service
 * needs any more stays while a routing table agents may hold names it, so a service that moves to
 * another profile is never routed to a location the running config lacks; and a profile nothing
 * needs stays until a render changes something else (a reload for nothing is avoided).
 *
 * <p>Thread-safe: concurrent renders of a group each produce a correct bundle (every kept piece is
 * checked against the snapshot being rendered); the last one to finish leaves its pieces.
 */
public final class IncrementalRenderer {

    /** More changed services than this since the last full render: rendering again is about as cheap as checking them. */
    static final int SAME_CONFIG_MAX_CHANGES = 1_000;

    private final BundleRenderer renderer;
    private final int sameConfigMaxChanges;
    private final AtomicLong sameConfigRenders = new AtomicLong();
    private final ProfilesInUse profilesInUse;
    private final Map<String, Rendered> lastRenderByGroup = new ConcurrentHashMap<>();
    /** Per group and service, the route line made from a model (kept pieces keep their model, so their line is made once). */
    private final Map<String, Map<String, RouteMemo>> routesByGroup = new ConcurrentHashMap<>();

    private record RouteMemo(Map<String, Object> model, RoutedServices.Route route) {
    }

    public IncrementalRenderer(TemplateSet templates) {
        this(templates, UpstreamMode.RELOAD);
    }

    public IncrementalRenderer(TemplateSet templates, UpstreamMode mode) {
        this(templates, mode, ProfilesInUse.NONE);
    }

    public IncrementalRenderer(TemplateSet templates, UpstreamMode mode, ProfilesInUse profilesInUse) {
        this(templates, mode, profilesInUse, SAME_CONFIG_MAX_CHANGES);
    }

    /** @param sameConfigMaxChanges the most changed services {@link #sameConfig} checks; -1: it never does, every change renders */
    IncrementalRenderer(TemplateSet templates, UpstreamMode mode, ProfilesInUse profilesInUse, int sameConfigMaxChanges) {
        this.renderer = new BundleRenderer(templates, mode);
        this.profilesInUse = profilesInUse;
        this.sameConfigMaxChanges = sameConfigMaxChanges;
    }

    /** Renders answered with the previous bundle because only routed services changed ({@link #sameConfig}). */
    long sameConfigRenders() {
        return sameConfigRenders.get();
    }

    public RenderOutcome renderGroup(CatalogSnapshot snapshot, String group) {
        return renderGroup(snapshot, group, Set.of());
    }

    /** Renders {@code group} as if the services in {@code excludedServiceIds} did not exist (quarantine). */
    public RenderOutcome renderGroup(CatalogSnapshot snapshot, String group, Set<String> excludedServiceIds) {
        if (!SafeValues.isGroup(group)) {
            return renderer.renderGroup(snapshot, group, excludedServiceIds);
        }
        Rendered previous = lastRenderByGroup.getOrDefault(group, Rendered.NOTHING);
        RenderOutcome.Rendered same = sameConfig(snapshot, group, excludedServiceIds, previous);
        if (same != null) {
            return same;
        }
        Map<String, ServicePiece> kept = new HashMap<>();
        RenderOutcome outcome = render(snapshot, group, excludedServiceIds, previous, kept);
        if (!(outcome instanceof RenderOutcome.Rendered)) {
            // Keep everything rendered so far: the pipeline renders again at once, without the failing service.
            Map<String, ServicePiece> merged = new HashMap<>(previous.pieces());
            merged.putAll(kept);
            List<ServicePiece> rendered = kept.values().stream().filter(piece -> previous.pieces().get(piece.service().id()) != piece).toList();
            lastRenderByGroup.put(group, previous.patchedWith(merged, rendered, null));
        }
        return outcome;
    }

    public UpstreamMode mode() {
        return renderer.mode();
    }

    /** Forgets every group not in {@code groups}, e.g. groups deleted from the catalog. */
    public void retainGroups(Collection<String> groups) {
        lastRenderByGroup.keySet().retainAll(Set.copyOf(groups));
        routesByGroup.keySet().retainAll(Set.copyOf(groups));
    }

    private static RoutedServices.Route routeOf(Map<String, RouteMemo> memos, Map<String, Object> model) {
        String id = (String) model.get("id");
        RouteMemo memo = memos.get(id);
        if (memo == null || memo.model() != model) {
            memo = new RouteMemo(model, RoutedServices.routeOf(model));
            memos.put(id, memo);
        }
        return memo.route();
    }

    private RenderOutcome render(CatalogSnapshot snapshot, String group, Set<String> excluded, Rendered previous,
                                 Map<String, ServicePiece> kept) {
        // Same order of checks as BundleRenderer: every model first, then the templates, in id order,
        // so a catalog with several bad services fails on the same service with the same error.
        List<ServicePiece> pieces = new ArrayList<>();
        for (ServiceRecord service : snapshot.servicesIn(group)) {
            if (excluded.contains(service.id())) {
                continue;
            }
            List<DiscoveredInstance> discovered = snapshot.discovered().get(service.definition().discoveryName());
            ServicePiece before = previous.pieces().get(service.id());
            if (before != null && before.renderedFrom(service, discovered)) {
                pieces.add(before);
                kept.put(service.id(), before);
                continue;
            }
            try {
                pieces.add(new ServicePiece(service, discovered, ServiceModel.of(service, snapshot.upstreamsOf(service), renderer.mode())));
            } catch (ServiceModel.Rejected e) {
                return new RenderOutcome.InputRejected(service.id(), e.field(), e.getMessage());
            }
        }
        Map<String, RouteMemo> memos = routesByGroup.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        RoutedServices.Table needed = RoutedServices.over(pieces.stream().map(ServicePiece::model).toList(), renderer.mode(),
                model -> routeOf(memos, model));
        Set<String> present = new HashSet<>();
        pieces.forEach(piece -> present.add(piece.service().id()));
        memos.keySet().retainAll(present);
        RoutedServices.Table routing = needed.retaining(previous.profiles(), profilesInUse.of(group));
        RoutedServices.Table sticky = profilesInUse == ProfilesInUse.NONE ? routing
                : needed.retaining(previous.profiles(), previous.profiles().keySet());
        if (!routing.refused().isEmpty()) {
            return BundleRenderer.refusal(routing);
        }
        List<Map<String, Object>> models = new ArrayList<>(pieces.size());
        List<ServicePiece> rendered = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            ServicePiece piece = pieces.get(i);
            boolean routed = routing.isRouted(piece.service().id());
            if (piece.files() == null || piece.routed() != routed) {
                try {
                    piece = piece.withFiles(routed ? Map.of() : renderer.serviceFiles(group, piece.model()), routed);
                } catch (BundleRenderer.Failure failure) {
                    return failure.outcome(piece.service().id());
                }
                pieces.set(i, piece);
                kept.put(piece.service().id(), piece);
                rendered.add(piece);
            }
            if (!routed) {
                models.add(piece.model());
            }
        }
        Rendered now;
        try {
            // Profiles no table names any more go with the next change that reloads anyway, never on their own.
            now = previous.patchedWith(kept, rendered, renderer.groupFiles(group, models, sticky)).withProfiles(sticky.profiles());
            if (sticky.profiles().size() != routing.profiles().size() && !now.files().equals(previous.files())) {
                now = previous.patchedWith(kept, rendered, renderer.groupFiles(group, models, routing)).withProfiles(routing.profiles());
            }
        } catch (BundleRenderer.Failure failure) {
            return failure.outcome(null);
        }
        String sha256 = ConfigBundle.checksumOfEntries(now.checksumEntries().values());
        ConfigBundle bundle = new ConfigBundle(group, now.files(), sha256);
        lastRenderByGroup.put(group, renderer.mode().luaRouting() ? now.withBasis(Basis.of(snapshot, excluded, bundle, kept)) : now);
        return new RenderOutcome.Rendered(bundle);
    }

    /**
     * With Lua routing, the previous render's bundle when every service that changed since it is
     * routed before and after, by a profile the config has, and shadowed by no file-rendered
     * service: routed services reach no file, so the config is the same (a membership change, a
     * new service of a known profile). Null when a render is needed. Costs what changed (and a copy
     * of the group's pieces), not a walk over the group.
     */
    private RenderOutcome.Rendered sameConfig(CatalogSnapshot snapshot, String group, Set<String> excluded, Rendered previous) {
        Basis basis = previous.basis();
        if (basis == null || !basis.excluded().equals(excluded)) {
            return null;
        }
        CatalogSnapshot.Changes changes = snapshot.changesSince(basis.seen());
        Set<String> affected = new HashSet<>(changes.serviceIds());
        changes.discoveryNames().forEach(name -> affected.addAll(basis.serviceIdsByDiscoveryName().getOrDefault(name, Set.of())));
        if (affected.size() > sameConfigMaxChanges) {
            return null;
        }
        Map<String, RouteMemo> memos = routesByGroup.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        Map<String, ServicePiece> changed = new HashMap<>();
        Set<String> gone = new HashSet<>();
        for (String serviceId : affected) {
            ServicePiece before = previous.pieces().get(serviceId);
            if (before != null && !before.routed()) {
                return null;
            }
            ServiceRecord service = snapshot.services().get(serviceId);
            if (service == null || !service.definition().groups().contains(group) || excluded.contains(serviceId)) {
                if (before != null && !profilesStick()) {
                    return null; // its profile may be needed no more: it goes now
                }
                if (before != null) {
                    gone.add(serviceId);
                }
                continue;
            }
            List<DiscoveredInstance> discovered = snapshot.discovered().get(service.definition().discoveryName());
            if (before != null && before.renderedFrom(service, discovered)) {
                continue;
            }
            ServicePiece piece = routedPiece(snapshot, service, discovered, basis, previous.profiles(), memos);
            if (piece == null || (before != null && !profilesStick() && !profileOf(piece, memos).equals(profileOf(before, memos)))) {
                return null;
            }
            changed.put(serviceId, piece);
        }
        Map<String, ServicePiece> pieces = previous.pieces();
        if (!changed.isEmpty() || !gone.isEmpty()) {
            pieces = new HashMap<>(pieces);
            pieces.putAll(changed);
            pieces.keySet().removeAll(gone);
            memos.keySet().removeAll(gone);
        }
        lastRenderByGroup.put(group, previous.withPieces(pieces).withBasis(basis.after(snapshot, previous.pieces(), changed, gone)));
        sameConfigRenders.incrementAndGet();
        return new RenderOutcome.Rendered(basis.bundle());
    }

    /** True when a profile no service needs any more stays until a render changes something else ({@link ProfilesInUse}). */
    private boolean profilesStick() {
        return profilesInUse != ProfilesInUse.NONE;
    }

    private static String profileOf(ServicePiece routed, Map<String, RouteMemo> memos) {
        return routeOf(memos, routed.model()).profile().name();
    }

    /** The service as a routed piece when it is one the config already serves (see {@link #sameConfig}); null otherwise. */
    private ServicePiece routedPiece(CatalogSnapshot snapshot, ServiceRecord service, List<DiscoveredInstance> discovered, Basis basis,
                                     Map<String, OptionProfile> profiles, Map<String, RouteMemo> memos) {
        Map<String, Object> model;
        try {
            model = ServiceModel.of(service, snapshot.upstreamsOf(service), renderer.mode());
        } catch (ServiceModel.Rejected e) {
            return null;
        }
        if (!Boolean.TRUE.equals(model.get("dynamicPeers"))
                || RoutedServices.fileRenderedAncestor((String) model.get("basePath"), basis.fileRenderedPaths()) != null) {
            return null;
        }
        try {
            if (!profiles.containsKey(routeOf(memos, model).profile().name())) {
                return null;
            }
        } catch (IllegalArgumentException refused) {
            return null;
        }
        return new ServicePiece(service, discovered, model).withFiles(Map.of(), true);
    }

    /**
     * What a full render with Lua routing was of: the snapshot, the services left out, the bundle,
     * which services use each discovery name, and the file-rendered services' base paths.
     */
    private record Basis(CatalogSnapshot seen, Set<String> excluded, ConfigBundle bundle,
                         Map<String, Set<String>> serviceIdsByDiscoveryName, Map<String, String> fileRenderedPaths) {

        static Basis of(CatalogSnapshot snapshot, Set<String> excluded, ConfigBundle bundle, Map<String, ServicePiece> pieces) {
            Map<String, Set<String>> byName = new HashMap<>();
            Map<String, String> fileRendered = new HashMap<>();
            pieces.forEach((id, piece) -> {
                byName.computeIfAbsent(piece.service().definition().discoveryName(), n -> new HashSet<>()).add(id);
                if (!piece.routed()) {
                    fileRendered.put((String) piece.model().get("basePath"), id);
                }
            });
            return new Basis(snapshot, Set.copyOf(excluded), bundle, byName, fileRendered);
        }

        /** The same basis after routed services changed ({@code changed}) or left ({@code gone}); {@code before} are the pieces before. */
        Basis after(CatalogSnapshot snapshot, Map<String, ServicePiece> before, Map<String, ServicePiece> changed, Set<String> gone) {
            Map<String, Set<String>> byName = serviceIdsByDiscoveryName;
            for (String id : gone) {
                byName = withoutId(byName, before.get(id).service().definition().discoveryName(), id);
            }
            for (ServicePiece piece : changed.values()) {
                String id = piece.service().id();
                ServicePiece earlier = before.get(id);
                String name = piece.service().definition().discoveryName();
                if (earlier == null || !earlier.service().definition().discoveryName().equals(name)) {
                    if (earlier != null) {
                        byName = withoutId(byName, earlier.service().definition().discoveryName(), id);
                    }
                    byName = copied(byName, name);
                    byName.get(name).add(id);
                }
            }
            return new Basis(snapshot, excluded, bundle, byName, fileRenderedPaths);
        }

        private Map<String, Set<String>> withoutId(Map<String, Set<String>> byName, String name, String id) {
            Map<String, Set<String>> copy = copied(byName, name);
            copy.get(name).remove(id);
            return copy;
        }

        /** {@code byName} copied once (not shared with this basis any more), with {@code name}'s set copied too. */
        private Map<String, Set<String>> copied(Map<String, Set<String>> byName, String name) {
            Map<String, Set<String>> copy = byName == serviceIdsByDiscoveryName ? new HashMap<>(byName) : byName;
            copy.put(name, new HashSet<>(copy.getOrDefault(name, Set.of())));
            return copy;
        }
    }

    /**
     * What one render of a group left behind: its services' pieces, all its files, and each file's
     * checksum entry (kept, so that summing a bundle hashes only the files that changed).
     */
    private record Rendered(Map<String, ServicePiece> pieces, SortedMap<String, String> files,
                            SortedMap<String, byte[]> checksumEntries, Map<String, OptionProfile> profiles, Basis basis) {

        static final Rendered NOTHING = new Rendered(Map.of(), new TreeMap<>(), new TreeMap<>(), Map.of(), null);

        Rendered withProfiles(Map<String, OptionProfile> rendered) {
            return new Rendered(pieces, files, checksumEntries, Map.copyOf(rendered), basis);
        }

        Rendered withBasis(Basis next) {
            return new Rendered(pieces, files, checksumEntries, profiles, next);
        }

        Rendered withPieces(Map<String, ServicePiece> next) {
            return new Rendered(next, files, checksumEntries, profiles, basis);
        }

        /**
         * The next render's state: {@code current} are all its pieces, {@code rendered} those of them it
         * rendered (the others are this render's); departed services' files are removed, {@code groupFiles} (if any) set.
         */
        Rendered patchedWith(Map<String, ServicePiece> current, List<ServicePiece> rendered, Map<String, String> groupFiles) {
            TreeMap<String, String> newFiles = new TreeMap<>(files);
            TreeMap<String, byte[]> newEntries = new TreeMap<>(checksumEntries);
            int arrived = 0;
            for (ServicePiece piece : rendered) {
                ServicePiece before = pieces.get(piece.service().id());
                if (before == null) {
                    arrived++;
                } else {
                    before.files().keySet().forEach(name -> remove(name, newFiles, newEntries));
                }
                newFiles.putAll(piece.files());
                newEntries.putAll(piece.checksumEntries());
            }
            boolean someDeparted = current.size() - arrived < pieces.size();
            if (someDeparted) {
                pieces.forEach((id, before) -> {
                    if (!current.containsKey(id)) {
                        before.files().keySet().forEach(name -> remove(name, newFiles, newEntries));
                    }
                });
            }
            BundleRenderer.GROUP_FILES.forEach(name -> remove(name, newFiles, newEntries));
            if (groupFiles != null) {
                groupFiles.forEach((name, content) -> {
                    newFiles.put(name, content);
                    newEntries.put(name, ConfigBundle.checksumEntry(name, content));
                });
            }
            return new Rendered(current, newFiles, newEntries, profiles, null);
        }

        private static void remove(String name, Map<String, String> files, Map<String, byte[]> entries) {
            files.remove(name);
            entries.remove(name);
        }
    }

    /**
     * One service's model and files, with the inputs they were rendered from. {@code files} is null until rendered,
     * and empty when the service is {@code routed} by Lua ({@link RoutedServices}).
     */
    private record ServicePiece(ServiceRecord service, List<DiscoveredInstance> discovered, Map<String, Object> model,
                                Map<String, String> files, Map<String, byte[]> checksumEntries, boolean routed) {

        ServicePiece(ServiceRecord service, List<DiscoveredInstance> discovered, Map<String, Object> model) {
            this(service, discovered, model, null, null, false);
        }

        ServicePiece withFiles(Map<String, String> rendered, boolean routedByLua) {
            Map<String, byte[]> entries = new HashMap<>();
            rendered.forEach((name, content) -> entries.put(name, ConfigBundle.checksumEntry(name, content)));
            return new ServicePiece(service, discovered, model, rendered, entries, routedByLua);
        }

        /** True when the model would be the same: who changed the service last, and when, does not reach a template. */
        boolean renderedFrom(ServiceRecord other, List<DiscoveredInstance> otherDiscovered) {
            return ServiceModel.sameInputs(service, discovered, other, otherDiscovered);
        }
    }
}
