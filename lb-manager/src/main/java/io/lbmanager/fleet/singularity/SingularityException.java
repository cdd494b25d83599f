package io.lbmanager.fleet.singularity;

import io.lbmanager.fleet.BackendRefusedException;

/** Singularity answered with an error status (its 400 bodies are plain text, 404 and 409 JSON). */
public final class SingularityException extends BackendRefusedException {

    public SingularityException(int status, String method, String path, String body) {
        super("singularity", status, abbreviate(body), "Singularity answered " + status + " to " + method + " " + path + ": "
                + abbreviate(body));
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
