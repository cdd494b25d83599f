package io.lbmanager.validate;

import io.lbmanager.errors.InvalidInputException;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape of a template set proposed through the validate endpoint: known template names and a
 * bounded size. What the templates may make Nginx open, load or run is decided on what they render
 * ({@link RenderedConfigPolicy}), not on their text, which FreeMarker can assemble in any way.
 */
public final class TemplateSafety {

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
        });
    }
}
