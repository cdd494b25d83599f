package io.lbmanager.cli.lbm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lbmanager.zk.Json;

import java.io.PrintWriter;

/**
 * Where lbm writes: text for people on {@code out}, or with {@code --output json} the API's answer
 * as one JSON document; complaints on {@code err}. {@code terminal} is whether {@code out} is a terminal.
 */
record Console(PrintWriter out, PrintWriter err, boolean json, boolean terminal) {

    void println(String line) {
        out.println(line);
        out.flush();
    }

    void printf(String format, Object... args) {
        out.printf(format, args);
        out.flush();
    }

    void complain(String line) {
        err.println("lbm: " + line);
        err.flush();
    }

    /** To stderr without the {@code lbm:} prefix: remarks next to output a script reads from stdout. */
    void remark(String line) {
        err.println(line);
        err.flush();
    }

    void json(JsonNode value) {
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    void json(Object value) {
        json(Json.MAPPER.valueToTree(value));
    }
}
