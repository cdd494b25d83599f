package io.lbmanager.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The FreeMarker templates one renderer uses, held in memory: template name to source. Always
 * has {@link #MAIN}, {@link #UPSTREAM} and {@link #LOCATION}; may have more (macros to
 * {@code <#import>}). Loaded once, so an operator editing the directory changes nothing until
 * the next load, and a template can only include other templates of the same set.
 */
public record TemplateSet(SortedMap<String, String> templates) {

    public static final String MAIN = "nginx.conf.ftl";
    public static final String UPSTREAM = "upstream.conf.ftl";
    public static final String LOCATION = "location.conf.ftl";
    /** Needed only when upstreams are dynamic ({@link UpstreamMode}). */
    public static final String LUA = "lua.conf.ftl";
    /** Needed only when services are routed by Lua ({@link UpstreamMode#luaRouting()}): one option profile's upstream and named location. */
    public static final String PROFILE = "profile.conf.ftl";
    public static final List<String> REQUIRED = List.of(MAIN, UPSTREAM, LOCATION);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.ftl");

    public TemplateSet {
        SortedMap<String, String> copy = Collections.unmodifiableSortedMap(new TreeMap<>(templates));
        copy.forEach((name, source) -> {
            if (!NAME.matcher(name).matches()) {
                throw new TemplateSetException("template name '" + name + "' is not a plain file name ending in .ftl");
            }
            if (source == null) {
                throw new TemplateSetException("template " + name + " has no content");
            }
        });
        List<String> missing = REQUIRED.stream().filter(name -> !copy.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new TemplateSetException("missing template(s) " + String.join(", ", missing));
        }
        templates = copy;
    }

    public static TemplateSet of(Map<String, String> nameToContent) {
        return new TemplateSet(new TreeMap<>(nameToContent));
    }

    /** Every {@code *.ftl} file directly in {@code dir}. */
    public static TemplateSet load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TemplateSetException("template directory " + dir.toAbsolutePath() + " does not exist or is not a directory");
        }
        TreeMap<String, String> templates = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".ftl")).toList()) {
                templates.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new TemplateSetException("cannot read template directory " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        List<String> missing = REQUIRED.stream().filter(name -> !templates.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new TemplateSetException("template directory " + dir.toAbsolutePath() + " lacks " + String.join(", ", missing));
        }
        return new TemplateSet(templates);
    }

    /** This set with some templates replaced or added, e.g. a change CI wants validated before it merges. */
    public TemplateSet withOverrides(Map<String, String> nameToContent) {
        TreeMap<String, String> merged = new TreeMap<>(templates);
        nameToContent.forEach((name, content) -> {
            if (content == null) {
                throw new TemplateSetException("override for template " + name + " has no content");
            }
            merged.put(name, content);
        });
        return new TemplateSet(merged);
    }
}
