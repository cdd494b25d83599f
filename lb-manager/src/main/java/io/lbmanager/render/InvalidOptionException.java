package io.lbmanager.render;

/** A service option the renderer will not put into a template: wrong type, out of range or unknown value. */
public class InvalidOptionException extends IllegalArgumentException {

    private final String option;

    public InvalidOptionException(String option, String problem) {
        super("option " + option + " " + problem);
        this.option = option;
    }

    public String option() {
        return option;
    }
}
