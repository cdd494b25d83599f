package io.lbmanager.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Plain HTTP GETs to 127.0.0.1 on fresh connections, with the test admin token. */
public final class Http {

    public record Response(int status, String body) {
    }

    private Http() {
    }

    /** GET http://127.0.0.1:port/path; throws IOException if nothing answers. */
    public static Response get(int port, String path) throws IOException {
        return get("127.0.0.1", port, path);
    }

    /** GET http://host:port/path on a loopback address; throws IOException if nothing answers. */
    public static Response get(String host, int port, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + host + ":" + port + path).toURL().openConnection();
        connection.setConnectTimeout(2000);
        connection.setReadTimeout(5000);
        connection.setRequestProperty("Connection", "close");
        connection.setRequestProperty("Authorization", TestTokens.bearer(TestTokens.ADMIN));
        try {
            int status = connection.getResponseCode();
            InputStream stream = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            String body = stream == null ? "" : new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, body);
        } finally {
            connection.disconnect();
        }
    }

    /** The response, or status -1 with the exception text when nothing answered. */
    public static Response tryGet(int port, String path) {
        return tryGet("127.0.0.1", port, path);
    }

    /** The response, or status -1 with the exception text when nothing answered. */
    public static Response tryGet(String host, int port, String path) {
        try {
            return get(host, port, path);
        } catch (IOException e) {
            return new Response(-1, e.toString());
        }
    }

    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
