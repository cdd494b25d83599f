package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The type and range one allow-listed service option accepts. */
public sealed interface OptionSpec {

    /** Returns the value in its stored form (Integer, String or Boolean) or throws naming {@code field}. */
    Object accept(String field, Object raw);

    /** A human-readable type and range, as the API documentation and error messages show it. */
    String describe();

    record IntRange(int min, int max) implements OptionSpec {
        @Override
        public Object accept(String field, Object raw) {
            if (!(raw instanceof Integer || raw instanceof Long || raw instanceof BigInteger)) {
                throw new InvalidInputException(field, "must be an integer " + describe());
            }
            BigInteger value = new BigInteger(raw.toString());
            if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
                throw new InvalidInputException(field, "must be an integer " + describe() + ", got " + value);
            }
            return value.intValueExact();
        }

        @Override
        public String describe() {
            return "in " + min + ".." + max;
        }
    }

    record OneOf(List<String> choices) implements OptionSpec {
        public OneOf {
            choices = List.copyOf(choices);
        }

        @Override
        public Object accept(String field, Object raw) {
            if (!(raw instanceof String text) || !choices.contains(text)) {
                throw new InvalidInputException(field, "must be " + describe());
            }
            return text;
        }

        @Override
        public String describe() {
            return "one of " + String.join(", ", choices);
        }
    }

    record Flag() implements OptionSpec {
        @Override
        public Object accept(String field, Object raw) {
            if (!(raw instanceof Boolean flag)) {
                throw new InvalidInputException(field, "must be " + describe());
            }
            return flag;
        }

        @Override
        public String describe() {
            return "true or false";
        }
    }

    /** A string of at most {@code maxLength} characters matching {@code pattern} as a whole. */
    record Text(String pattern, int maxLength) implements OptionSpec {
        @Override
        public Object accept(String field, Object raw) {
            if (!(raw instanceof String text) || text.length() > maxLength || !Pattern.matches(pattern, text)) {
                throw new InvalidInputException(field, "must be " + describe());
            }
            return text;
        }

        @Override
        public String describe() {
            return "a string of at most " + maxLength + " characters matching " + pattern;
        }
    }

    /** A JSON object with these members: every {@code required} one, any of the {@code optional} ones, no other. */
    record Fields(SortedMap<String, OptionSpec> required, SortedMap<String, OptionSpec> optional) implements OptionSpec {
        public Fields {
            required = new TreeMap<>(required);
            optional = new TreeMap<>(optional);
        }

        @Override
        public Object accept(String field, Object raw) {
            if (!(raw instanceof Map<?, ?> members)) {
                throw new InvalidInputException(field, "must be " + describe());
            }
            TreeMap<String, Object> accepted = new TreeMap<>();
            for (Map.Entry<?, ?> member : members.entrySet()) {
                String name = String.valueOf(member.getKey());
                OptionSpec spec = required.containsKey(name) ? required.get(name) : optional.get(name);
                if (spec == null) {
                    throw new InvalidInputException(field + "." + name, "is not a known member; allowed: " + names());
                }
                if (member.getValue() == null) {
                    throw new InvalidInputException(field + "." + name, "must not be null (leave it out to use the default)");
                }
                accepted.put(name, spec.accept(field + "." + name, member.getValue()));
            }
            for (String name : required.keySet()) {
                if (!accepted.containsKey(name)) {
                    throw new InvalidInputException(field + "." + name, "is required");
                }
            }
            return accepted;
        }

        private String names() {
            TreeMap<String, OptionSpec> all = new TreeMap<>(required);
            all.putAll(optional);
            return String.join(", ", all.keySet());
        }

        @Override
        public String describe() {
            return "an object with " + String.join(", ", required.keySet()) + (optional.isEmpty() ? "" : " and optionally "
                    + String.join(", ", optional.keySet()));
        }
    }
}
