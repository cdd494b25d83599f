package io.lbmanager.architecture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of DESIGN.md, checked over the main sources: which capability may know which,
 * and no two packages that know each other. A package is the first name below {@code io.lbmanager}
 * ({@code fleet.singularity} is {@code fleet}); the root package wires everything and is left out.
 */
class PackageRulesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/lbmanager");
    private static final Pattern PROJECT_REFERENCE = Pattern.compile("\\bio\\.lbmanager\\.([a-z]+)\\.[A-Za-z]");
    private static final Pattern JAX_RS = Pattern.compile("\\bjakarta\\.ws\\.rs\\b");

    /** package -> package it uses -> the files that use it. */
    private static final Map<String, Map<String, Set<String>>> USES = new TreeMap<>();
    private static final Set<String> JAX_RS_USERS = new TreeSet<>();

    @BeforeAll
    static void readSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // the root package: the application's wiring
                }
                String from = relative.getName(0).toString();
                String source = withoutComments(Files.readString(file));
                Matcher reference = PROJECT_REFERENCE.matcher(source);
                while (reference.find()) {
                    String to = reference.group(1);
                    if (!to.equals(from)) {
                        USES.computeIfAbsent(from, p -> new TreeMap<>()).computeIfAbsent(to, p -> new TreeSet<>()).add(relative.toString());
                    }
                }
                if (JAX_RS.matcher(source).find()) {
                    JAX_RS_USERS.add(relative.toString());
                }
            }
        }
    }

    @Test
    void renderKnowsNoFleetApiAgentOrDiscovery() {
        assertThat(usedBy("render")).doesNotContainKeys("fleet", "api", "agent", "discovery", "upgrade");
    }

    @Test
    void catalogKnowsNoRendering() {
        assertThat(usedBy("catalog")).doesNotContainKeys("render", "rollout", "validate", "peers");
    }

    @Test
    void fleetKnowsNoRenderingOrCatalog() {
        assertThat(usedBy("fleet")).doesNotContainKeys("render", "catalog", "upgrade", "api");
    }

    @Test
    void agentKnowsNoApiOrFleet() {
        assertThat(usedBy("agent")).doesNotContainKeys("api", "fleet", "upgrade", "rollout", "catalog");
    }

    @Test
    void consumersOfTheSnapshotNeverReadDiscoveryThemselves() {
        for (String consumer : List.of("render", "rollout", "peers", "api", "validate", "snapshot")) {
            assertThat(usedBy(consumer)).as(consumer).doesNotContainKey("discovery");
        }
    }

    @Test
    void contractAndErrorsAreLeaves() {
        assertThat(usedBy("contract").keySet()).as("contract uses").isSubsetOf("zk", "errors");
        assertThat(usedBy("errors")).as("errors uses").isEmpty();
        assertThat(usedBy("zk").keySet()).as("zk uses").isSubsetOf("errors", "config");
        assertThat(usedBy("config")).as("config uses").isEmpty();
    }

    @Test
    void onlyTheApiAndTheDashboardKnowJaxRs() {
        assertThat(JAX_RS_USERS).allMatch(file -> file.startsWith("api/") || file.startsWith("dashboard/"),
                "in api/ or dashboard/");
    }

    @Test
    void noTwoPackagesKnowEachOther() {
        List<String> cycles = new ArrayList<>();
        for (String from : USES.keySet()) {
            for (String to : usedBy(from).keySet()) {
                List<String> back = pathBetween(to, from, new TreeSet<>());
                if (back != null && from.compareTo(to) < 0) {
                    cycles.add(from + " -> " + to + " (" + usedBy(from).get(to) + ") and back " + String.join(" -> ", back));
                }
            }
        }
        assertThat(cycles).isEmpty();
    }

    /** A path of uses from {@code from} to {@code to}, or null. */
    private static List<String> pathBetween(String from, String to, Set<String> seen) {
        if (from.equals(to)) {
            return new ArrayList<>(List.of(to));
        }
        if (!seen.add(from)) {
            return null;
        }
        for (String next : usedBy(from).keySet()) {
            List<String> rest = pathBetween(next, to, seen);
            if (rest != null) {
                rest.add(0, from);
                return rest;
            }
        }
        return null;
    }

    private static Map<String, Set<String>> usedBy(String pkg) {
        return USES.getOrDefault(pkg, Map.of());
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}
