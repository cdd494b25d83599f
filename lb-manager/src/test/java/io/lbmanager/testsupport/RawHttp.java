package io.lbmanager.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 GETs on a socket the caller keeps (keep-alive, or a long response read to its end),
 * to 127.0.0.1 only. The JDK clients pool and retry connections on their own, which would hide
 * exactly what these benchmarks count.
 */
public final class RawHttp {

    /** A response's status line and headers; {@code contentLength} is -1 when not given. */
    public record Head(int status, long contentLength, boolean close) {
    }

    private RawHttp() {
    }

    public static Socket connect(int port, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        return socket;
    }

    public static void sendGet(Socket socket, String path, boolean keepAlive) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads the status line and headers; throws {@link java.io.EOFException} if the connection closes first. */
    public static Head readHead(InputStream in) throws IOException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ");
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        long length = -1;
        boolean close = false;
        String header;
        while (!(header = readLine(in)).isEmpty()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).strip());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        return new Head(Integer.parseInt(parts[1]), length, close);
    }

    /** Reads up to {@code length} body bytes; returns how many arrived before the connection closed. */
    public static long readBody(InputStream in, long length) throws IOException {
        byte[] buffer = new byte[8192];
        long read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new java.io.EOFException("connection closed" + (line.size() > 0 ? " mid-line" : ""));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
