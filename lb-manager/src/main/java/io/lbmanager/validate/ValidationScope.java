package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The files of a proposed bundle that {@code nginx -t} must see. Either all of them, or, given a
 * bundle of the same group that already passed {@code nginx -t}, only what changed since: every
 * group-wide file (nginx.conf and anything that is not one service's piece) plus every piece of
 * each service with a piece that is new or differs. Unchanged services are left out of the
 * sandbox; {@code include upstreams/*.conf} and {@code include locations/*.conf} then match only
 * the changed ones, and Nginx's errors name the same files, lines and services as in a full check.
 * A whole service goes in, not just its changed file, because its location proxies to its upstream.
 * A group-wide file that differs means a full check: it is the context every piece is read in.
 *
 * <p>What a check of the changed services cannot see, and why that is acceptable:
 * <ul>
 *   <li>A clash between a changed piece and an unchanged one. Names in the files derive from
 *   service ids (unique in the catalog: file and upstream names) and base paths (unique within a
 *   group: locations), so the repository's templates cannot produce one; a deployed template that
 *   made pieces declare a shared global name (a zone, a map variable) could. Template changes
 *   proposed to the validate endpoint are always checked in full.</li>
 *   <li>Limits of the whole configuration: hash sizes of variables or maps, shared memory, open files.</li>
 *   <li>What changed outside the files for an unchanged piece, e.g. an upstream host name that no
 *   longer resolves.</li>
 * </ul>
 * The other way round, a deployed template that made a service's piece refer to another service's
 * names (its upstream) would make this check refuse a change that a full check accepts.
 * Every agent's Nginx still parses the whole version directory when it reloads and keeps its old
 * config if it cannot load the new one, so such a config never reaches traffic: the rollout is reverted and the group keeps serving its live
 * version, after which the pipeline checks that group in full again until a rollout succeeds, so
 * the failing service is found and quarantined.
 *
 * @param sandbox         the files that go into the sandbox, as a bundle (the proposed bundle itself when {@code complete});
 *                        its sha256 identifies what is checked
 * @param changedServices services whose pieces are in the sandbox; every service of the bundle when {@code complete}
 * @param differingFiles  the files that are new, differ or are gone since the validated bundle; null when not compared
 * @param complete        true when every file of the proposed bundle is checked
 * @param bundleFiles     how many files the proposed bundle has
 * @param reason          why the scope is what it is, for the validate endpoint's answer and logs
 */
public record ValidationScope(ConfigBundle sandbox, Set<String> changedServices, Set<String> differingFiles, boolean complete,
                              int bundleFiles, String reason) {

    public ValidationScope {
        changedServices = Set.copyOf(changedServices);
        differingFiles = differingFiles == null ? null : Set.copyOf(differingFiles);
    }

    public static ValidationScope everything(ConfigBundle proposed, String reason) {
        Set<String> services = new TreeSet<>();
        proposed.files().keySet().forEach(name -> {
            String service = NginxErrors.serviceOf(name);
            if (service != null) {
                services.add(service);
            }
        });
        return new ValidationScope(proposed, services, null, true, proposed.files().size(), reason);
    }

    /** What changed in {@code proposed} since {@code validated}, which passed {@code nginx -t}; everything when a group-wide file differs. */
    public static ValidationScope changedSince(ConfigBundle proposed, ConfigBundle validated) {
        if (!proposed.group().equals(validated.group())) {
            throw new IllegalArgumentException("bundles of groups " + proposed.group() + " and " + validated.group() + " do not compare");
        }
        Set<String> changed = new TreeSet<>();
        Set<String> differing = new TreeSet<>();
        for (Map.Entry<String, String> file : proposed.files().entrySet()) {
            if (Objects.equals(file.getValue(), validated.files().get(file.getKey()))) {
                continue;
            }
            String service = NginxErrors.serviceOf(file.getKey());
            if (service == null) {
                return everything(proposed, file.getKey() + " changed");
            }
            changed.add(service);
            differing.add(file.getKey());
        }
        for (String name : validated.files().keySet()) {
            if (!proposed.files().containsKey(name)) {
                if (NginxErrors.serviceOf(name) == null) {
                    return everything(proposed, name + " was removed");
                }
                differing.add(name);
            }
        }
        TreeMap<String, String> files = new TreeMap<>();
        proposed.files().forEach((name, content) -> {
            String service = NginxErrors.serviceOf(name);
            if (service == null || changed.contains(service)) {
                files.put(name, content);
            }
        });
        return new ValidationScope(ConfigBundle.of(proposed.group(), files), changed, differing, false, proposed.files().size(),
                changed.size() + " changed service(s) since a bundle that passed nginx -t");
    }

    /** The files that go into the sandbox. */
    public SortedMap<String, String> files() {
        return sandbox.files();
    }
}
