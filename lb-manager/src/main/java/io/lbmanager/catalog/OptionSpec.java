package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;

import java.math.BigInteger;
import java.util.List;

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

    /** A string matching {@code pattern} in whole, e.g. the name of a payload field. */
    record Matching(java.util.regex.Pattern pattern, String describe, String example) implements OptionSpec {
        @Override
        public Object accept(String field, Object raw) {
            if (!(raw instanceof String text) || !pattern.matcher(text).matches()) {
                throw new InvalidInputException(field, "must be " + describe);
            }
            return text;
        }
    }
}
