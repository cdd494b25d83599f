package io.lbmanager.render;

/** A template directory or override that cannot become a {@link TemplateSet}: the message names the directory or template. */
public class TemplateSetException extends RuntimeException {

    public TemplateSetException(String message) {
        super(message);
    }

    public TemplateSetException(String message, Throwable cause) {
        super(message, cause);
    }
}
