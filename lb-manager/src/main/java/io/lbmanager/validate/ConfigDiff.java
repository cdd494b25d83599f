package io.lbmanager.validate;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import io.lbmanager.contract.ConfigBundle;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** A unified diff between two bundles, file by file ({@code a/} is live, {@code b/} is proposed). */
public final class ConfigDiff {

    private ConfigDiff() {
    }

    public static String between(Map<String, String> live, Map<String, String> proposed) {
        TreeSet<String> names = new TreeSet<>(live.keySet());
        names.addAll(proposed.keySet());
        return between(live, proposed, names);
    }

    /** The diff of only the files named, e.g. those a {@link ValidationScope} found differing. */
    public static String between(Map<String, String> live, Map<String, String> proposed, Collection<String> names) {
        StringBuilder diff = new StringBuilder();
        for (String name : new TreeSet<>(names)) {
            if (Objects.equals(live.get(name), proposed.get(name))) {
                continue;
            }
            List<String> before = lines(live.get(name));
            List<String> after = lines(proposed.get(name));
            Patch<String> patch = DiffUtils.diff(before, after);
            if (patch.getDeltas().isEmpty()) {
                continue;
            }
            String from = live.containsKey(name) ? "a/" + name : "/dev/null";
            String to = proposed.containsKey(name) ? "b/" + name : "/dev/null";
            UnifiedDiffUtils.generateUnifiedDiff(from, to, before, patch, 3)
                    .forEach(line -> diff.append(line).append('\n'));
        }
        return diff.toString();
    }

    public static String between(ConfigBundle live, ConfigBundle proposed) {
        return between(live == null ? Map.of() : live.files(), proposed.files());
    }

    private static List<String> lines(String content) {
        return content == null || content.isEmpty() ? List.of() : Arrays.asList(content.split("\n", -1));
    }
}
