package io.lbmanager.agent;

import io.lbmanager.render.AgentInclude;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Asks Nginx, through its traffic port, which version it serves ({@code GET /_lbm/version}). */
public final class VersionProbe {

    private final URI uri;

    public VersionProbe(String host, int trafficPort) {
        String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        this.uri = URI.create("http://" + literal + ":" + trafficPort + AgentInclude.VERSION_PATH);
    }

    /** The version Nginx answers with now; empty when it does not answer or answers something else. */
    public Optional<ServedVersion> servedVersion() {
        try {
            // A fresh connection each time: a kept-alive one could still reach an old worker.
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(1000);
            connection.setRequestProperty("Connection", "close");
            try {
                if (connection.getResponseCode() != 200) {
                    return Optional.empty();
                }
                try (InputStream body = connection.getInputStream()) {
                    return parse(new String(body.readNBytes(256), StandardCharsets.US_ASCII));
                }
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Polls until Nginx serves {@code expected} on {@value #CONFIRMATIONS} fresh connections in a row, or the time
     * is up. One answer is not enough: just after a reload, an old worker may still take a new connection.
     */
    public boolean awaitVersion(ServedVersion expected, Duration timeout) throws InterruptedException {
        return awaitVersion(expected, timeout, () -> false);
    }

    /** As {@link #awaitVersion(ServedVersion, Duration)}, but gives up (false) as soon as {@code hopeless} says so. */
    public boolean awaitVersion(ServedVersion expected, Duration timeout, BooleanSupplier hopeless) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int inARow = 0;
        do {
            if (hopeless.getAsBoolean()) {
                return false;
            }
            inARow = servedVersion().filter(expected::equals).isPresent() ? inARow + 1 : 0;
            if (inARow >= CONFIRMATIONS) {
                return true;
            }
            Thread.sleep(inARow == 0 ? UNTIL_FIRST_ANSWER_EVERY_MILLIS : CONFIRMATION_SPACING_MILLIS);
        } while (System.nanoTime() < deadline);
        return false;
    }

    static final int CONFIRMATIONS = 3;
    /** A reload takes Nginx tens to hundreds of milliseconds; asking often costs one loopback request each time. */
    static final long UNTIL_FIRST_ANSWER_EVERY_MILLIS = 5;
    static final long CONFIRMATION_SPACING_MILLIS = 10;

    static Optional<ServedVersion> parse(String body) {
        String[] parts = body.strip().split(" ");
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ServedVersion(Long.parseLong(parts[0]), parts[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
