package io.lbmanager.validate;

import io.lbmanager.errors.InvalidInputException;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Template changes proposed through the validate endpoint are run through {@code nginx -t} on the
 * manager's host, so they must not be able to load code there: no modules, no Lua or Perl, no
 * includes outside the bundle, no crypto engines. Operators change those in templates/ itself.
 * The one exception is a call of the Lua balancer's own entry points with the service's id and
 * options, exactly as upstream.conf.ftl and location.conf.ftl make it: no code of the caller's.
 */
public final class TemplateSafety {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\b(load_module|ssl_engine|perl_modules|perl_require|perl_set|perl|lua_[a-z_]+|[a-z_]+_by_lua(_block|_file)?|js_import|js_path)\\b"
                    + "|\\binclude\\s+[\"']?/");
    private static final Pattern BALANCER_CALL = Pattern.compile(
            "(balancer|access)_by_lua_block\\s*\\{\\s*lbm\\.(balance|require_peers)\\(\\s*\"\\$\\{service\\.id}\""
                    + "(\\s*,\\s*\\$\\{service\\.options\\.(maxFails|failTimeoutSeconds)})*\\s*\\)\\s*}");
    private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}\\.ftl");
    private static final int MAX_TEMPLATE_CHARS = 64 * 1024;

    private TemplateSafety() {
    }

    /** Throws {@link InvalidInputException} naming the template and what it may not contain. */
    public static void check(Map<String, String> templates, Set<String> knownNames) {
        templates.forEach((name, content) -> {
            String field = "templates." + name;
            if (!TEMPLATE_NAME.matcher(name).matches() || !knownNames.contains(name)) {
                throw new InvalidInputException(field, "unknown template; known templates are " + knownNames);
            }
            if (content == null || content.length() > MAX_TEMPLATE_CHARS) {
                throw new InvalidInputException(field, "must be a string of at most " + MAX_TEMPLATE_CHARS + " characters");
            }
            var matcher = FORBIDDEN.matcher(BALANCER_CALL.matcher(content).replaceAll(""));
            if (matcher.find()) {
                throw new InvalidInputException(field, "may not contain \"" + matcher.group().trim()
                        + "\" (modules, Lua, Perl, njs and absolute includes are changed in templates/ by operators, not through the API)");
            }
        });
    }
}
