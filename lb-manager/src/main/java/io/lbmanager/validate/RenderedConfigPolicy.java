package io.lbmanager.validate;

import io.lbmanager.contract.ConfigBundle;
import io.lbmanager.render.TemplateSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a rendered bundle may make Nginx open, load or run, checked on the rendered files (parsed as
 * Nginx reads them, see {@link NginxConfParser}) before any {@code nginx -t} sees them. Team values
 * and proposed templates are hostile; the operator's installed templates are not.
 *
 * <p>A directive is <em>sensitive</em> when it can read or write a file, load code or run code:
 * {@code include}, {@code pid}, {@code load_module}, {@code ssl_engine}, {@code ssl_conf_command},
 * {@code root}, {@code alias}, {@code user}, {@code env}, {@code lock_file}, {@code working_directory},
 * every {@code *_log}, {@code *_path}, {@code *_file}, {@code *_certificate}, {@code *_certificate_key},
 * {@code *_crl}, {@code *_dhparam}, {@code *_stylesheet}, {@code ssl_session_ticket_key},
 * {@code geoip*}, and every Lua, Perl and njs directive ({@code *_by_lua*}, {@code lua_*}, {@code perl*},
 * {@code js_*}). A sensitive directive passes only if:
 * <ul>
 *   <li>it is an {@code include} whose every argument is a relative path inside the bundle (no
 *   {@code ..}, no variable) naming one of its files, or a wildcard within it; or</li>
 *   <li>it is in one service's piece ({@code upstreams/<id>.conf}, {@code locations/<id>.conf}),
 *   where team values are rendered, and is one of the exact forms the installed templates use there:
 *   {@code access_log off}, {@code balancer_by_lua_block { lbm.balance("<id>", N, N) }} or
 *   {@code access_by_lua_block { lbm.require_peers("<id>") }}, with that piece's own id; or</li>
 *   <li>it is in a group-wide file ({@code nginx.conf}, {@code lbm-lua.conf}, {@code lbm-modules.conf})
 *   and the reference rendering (the installed templates, same catalog, same group) has the same
 *   directive, with the same arguments and Lua body, in the same file. With no reference (the
 *   bundle was rendered with the installed templates themselves) group-wide files pass: their
 *   sensitive directives are the operator's.</li>
 * </ul>
 * So a proposed template can move, repeat or drop the operator's {@code load_module}, temp paths
 * and Lua, but not add one of its own; a piece can never name a file. A file that cannot be read as
 * Nginx configuration is refused as well.
 */
public final class RenderedConfigPolicy {

    private static final Set<String> SENSITIVE_NAMES = Set.of("include", "pid", "load_module", "ssl_engine", "ssl_conf_command",
            "root", "alias", "user", "env", "lock_file", "working_directory", "ssl_session_ticket_key", "google_perftools_profiles");
    private static final List<String> SENSITIVE_SUFFIXES = List.of("_log", "_path", "_file", "_certificate", "_certificate_key",
            "_crl", "_dhparam", "_stylesheet");
    private static final List<String> SENSITIVE_PREFIXES = List.of("lua_", "perl", "js_", "njs_", "geoip");
    private static final Pattern BALANCE_CALL = Pattern.compile("\\s*lbm\\.balance\\(\\s*\"([a-z0-9_-]+)\"\\s*,\\s*\\d{1,9}\\s*,\\s*\\d{1,9}\\s*\\)\\s*");
    private static final Pattern REQUIRE_PEERS_CALL = Pattern.compile("\\s*lbm\\.require_peers\\(\\s*\"([a-z0-9_-]+)\"\\s*\\)\\s*");

    private RenderedConfigPolicy() {
    }

    public static boolean isSensitive(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return SENSITIVE_NAMES.contains(lower) || lower.contains("_by_lua")
                || SENSITIVE_SUFFIXES.stream().anyMatch(lower::endsWith) || SENSITIVE_PREFIXES.stream().anyMatch(lower::startsWith);
    }

    /**
     * What in {@code files} (a bundle or the part of it Nginx will see) may not go to Nginx, each naming file, line and template.
     *
     * @param bundleFiles every file name of the bundle (includes may name any of them)
     * @param reference   the installed templates' rendering of the same group, or null when {@code files} are that rendering
     */
    public static List<ConfigError> refusals(Map<String, String> files, Set<String> bundleFiles, ConfigBundle reference) {
        List<ConfigError> refusals = new ArrayList<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            String name = file.getKey();
            if (name.equals(ConfigBundle.PROFILES_FILE)) {
                continue; // profile names the renderer writes for the agent, not Nginx configuration (an include of it fails nginx -t)
            }
            List<NginxConfParser.Directive> directives;
            try {
                directives = NginxConfParser.parse(file.getValue());
            } catch (NginxConfParser.SyntaxException e) {
                refusals.add(refusal(name, e.line(), "cannot be read as Nginx configuration: " + e.getMessage()));
                continue;
            }
            List<NginxConfParser.Directive> referenceDirectives = null;
            for (NginxConfParser.Directive directive : directives) {
                if (!isSensitive(directive.name())) {
                    continue;
                }
                String why = refusalOf(directive, name, bundleFiles);
                if (why == null || NginxErrors.serviceOf(name) != null) {
                    if (why != null) {
                        refusals.add(refusal(name, directive.line(), why));
                    }
                    continue;
                }
                if (reference == null) {
                    continue;
                }
                if (referenceDirectives == null) {
                    referenceDirectives = referenceDirectives(reference, name);
                }
                if (referenceDirectives.stream().noneMatch(directive::sameAs)) {
                    refusals.add(refusal(name, directive.line(), why));
                }
            }
        }
        return refusals;
    }

    /** Why {@code directive} (sensitive) may not stay, unless the reference has it; null when it may. */
    private static String refusalOf(NginxConfParser.Directive directive, String file, Set<String> bundleFiles) {
        String name = directive.name();
        if (name.equals("include")) {
            for (String target : directive.args()) {
                String problem = includeProblem(target, bundleFiles);
                if (problem != null) {
                    return "\"include " + target + "\" is refused: " + problem;
                }
            }
            return directive.args().isEmpty() ? "\"include\" needs a file of the bundle" : null;
        }
        String service = NginxErrors.serviceOf(file);
        if (service != null) {
            if (pieceMayHave(directive, service)) {
                return null;
            }
            return "\"" + name + "\" is refused in a service's files: it can open, write or run something outside the sandbox"
                    + " (allowed here only: access_log off and the Lua balancer's own calls with this service's id)";
        }
        return "\"" + name + "\" is refused: it can open, write or run something outside the sandbox, and the installed templates"
                + " do not render it with these arguments in " + file;
    }

    private static boolean pieceMayHave(NginxConfParser.Directive directive, String service) {
        return switch (directive.name()) {
            case "access_log" -> directive.args().equals(List.of("off"));
            case "balancer_by_lua_block" -> directive.args().isEmpty() && callsWith(BALANCE_CALL, directive.luaBlock(), service);
            case "access_by_lua_block" -> directive.args().isEmpty() && callsWith(REQUIRE_PEERS_CALL, directive.luaBlock(), service);
            default -> false;
        };
    }

    private static boolean callsWith(Pattern call, String luaBlock, String service) {
        var matcher = call.matcher(luaBlock == null ? "" : luaBlock);
        return matcher.matches() && matcher.group(1).equals(service);
    }

    /** Null when {@code target} stays inside the bundle directory and names its files; else what is wrong. */
    static String includeProblem(String target, Set<String> bundleFiles) {
        if (target.isEmpty() || target.startsWith("/") || target.startsWith("~")) {
            return "only relative paths inside the bundle";
        }
        if (target.contains("$") || target.contains("\\") || target.indexOf('\0') >= 0) {
            return "no variables or escapes";
        }
        for (String segment : target.split("/", -1)) {
            if (segment.equals("..") || segment.isEmpty() && !target.endsWith("/")) {
                return "no \"..\" or empty path segments";
            }
        }
        boolean glob = target.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        if (!glob && !bundleFiles.contains(target) && !target.equals(ConfigBundle.AGENT_FILE)) {
            return "no file of that name in the bundle";
        }
        return null;
    }

    private static List<NginxConfParser.Directive> referenceDirectives(ConfigBundle reference, String file) {
        String text = reference.files().get(file);
        if (text == null) {
            return List.of();
        }
        try {
            return NginxConfParser.parse(text);
        } catch (NginxConfParser.SyntaxException e) {
            return List.of();
        }
    }

    private static ConfigError refusal(String file, int line, String why) {
        return new ConfigError(file, line, NginxErrors.serviceOf(file), why + " (" + renderedFrom(file) + ")");
    }

    /** Which template (or setting) renders {@code file}, for messages. */
    static String renderedFrom(String file) {
        if (file.equals(ConfigBundle.MAIN_FILE)) {
            return "rendered from " + TemplateSet.MAIN;
        }
        if (file.equals(ConfigBundle.LUA_FILE)) {
            return "rendered from " + TemplateSet.LUA;
        }
        if (file.equals(io.lbmanager.render.BundleRenderer.PROFILE_UPSTREAMS_FILE)
                || file.equals(io.lbmanager.render.BundleRenderer.PROFILE_LOCATIONS_FILE)) {
            return "rendered from " + TemplateSet.PROFILE;
        }
        if (file.equals(ConfigBundle.MODULES_FILE)) {
            return "written from nginx.luaModulesDir";
        }
        if (file.startsWith(io.lbmanager.render.BundleRenderer.UPSTREAMS_DIR)) {
            return "rendered from " + TemplateSet.UPSTREAM;
        }
        if (file.startsWith(io.lbmanager.render.BundleRenderer.LOCATIONS_DIR)) {
            return "rendered from " + TemplateSet.LOCATION;
        }
        return "file " + file;
    }
}
