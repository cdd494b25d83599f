package io.lbmanager.errors;

/** Input a team supplied that breaks a rule; {@code field} is the JSON path of the offending value (e.g. {@code groups[1]}). */
public class InvalidInputException extends RuntimeException {

    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
