package io.lbmanager.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Headless Firefox ESR (Debian package firefox-esr) driven through its built-in Marionette protocol:
 * length-prefixed JSON over a local socket. Debian has no geckodriver, so Selenium cannot drive it;
 * these few commands are all the dashboard's Firefox test needs.
 */
final class Firefox implements AutoCloseable {

    static final String BINARY = System.getProperty("lbm.firefox", "/usr/bin/firefox-esr");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFS = String.join("\n",
            "user_pref(\"marionette.port\", 0);",
            "user_pref(\"app.update.disabledForTesting\", true);",
            "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
            "user_pref(\"browser.aboutwelcome.enabled\", false);",
            "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
            "user_pref(\"toolkit.telemetry.enabled\", false);",
            "user_pref(\"network.captive-portal-service.enabled\", false);",
            "user_pref(\"network.connectivity-service.enabled\", false);",
            "user_pref(\"browser.safebrowsing.update.enabled\", false);",
            "user_pref(\"extensions.update.enabled\", false);",
            "user_pref(\"services.settings.server\", \"http://127.0.0.1:9/\");",
            "");

    private final Process process;
    private final Path profile;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int nextId = 1;

    private Firefox(Process process, Path profile, Socket socket) throws IOException {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(BINARY)),
                "the Firefox test needs the Debian package firefox-esr (" + BINARY + "); .ci/run installs it");
    }

    static Firefox start() throws Exception {
        assumeInstalled();
        Path profile = Files.createTempDirectory("lbm-firefox-");
        Files.writeString(profile.resolve("user.js"), PREFS);
        Process process = new ProcessBuilder(BINARY, "--headless", "--marionette", "--no-remote", "--profile", profile.toString(),
                "--width", "1440", "--height", "900")
                .redirectErrorStream(true).redirectOutput(profile.resolve("firefox.log").toFile()).start();
        Path portFile = profile.resolve("MarionetteActivePort");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.isRegularFile(portFile) || Files.readString(portFile).isBlank()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("Firefox did not open its Marionette port: " + Files.readString(profile.resolve("firefox.log")));
            }
            Thread.sleep(100);
        }
        Socket socket = new Socket("127.0.0.1", Integer.parseInt(Files.readString(portFile).trim()));
        socket.setSoTimeout(60_000);
        Firefox firefox = new Firefox(process, profile, socket);
        firefox.read(); // {"applicationType":"gecko","marionetteProtocol":3}
        firefox.command("WebDriver:NewSession", Map.of("capabilities", Map.of()));
        return firefox;
    }

    JsonNode command(String name, Map<String, ?> parameters) throws IOException {
        int id = nextId++;
        byte[] message = JSON.writeValueAsBytes(List.of(0, id, name, parameters));
        out.write((message.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.write(message);
        out.flush();
        JsonNode reply = read();
        if (!reply.get(2).isNull()) {
            throw new IllegalStateException(name + " failed: " + reply.get(2));
        }
        return reply.get(3);
    }

    private JsonNode read() throws IOException {
        ByteArrayOutputStream length = new ByteArrayOutputStream();
        for (int b = in.read(); b != ':'; b = in.read()) {
            if (b < 0) {
                throw new IOException("Firefox closed the Marionette connection");
            }
            length.write(b);
        }
        return JSON.readTree(in.readNBytes(Integer.parseInt(length.toString(StandardCharsets.US_ASCII))));
    }

    void open(String url) throws Exception {
        command("WebDriver:Navigate", Map.of("url", url));
        until("the first poll", Duration.ofSeconds(10), () -> !text("#live").startsWith("Loading"));
    }

    /** Runs a script in the page (a function body: use arguments[i] and return). */
    JsonNode js(String script, Object... args) throws IOException {
        return command("WebDriver:ExecuteScript", Map.of("script", script, "args", List.of(args))).path("value");
    }

    String text(String css) throws IOException {
        return js("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText).join('\\n').trim();", css).asText();
    }

    void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(condition.call())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Firefox: not within " + timeout.toMillis() + " ms: " + what + "; the page shows:\n" + text("body"));
            }
            Thread.sleep(50);
        }
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(Browser.SCREENSHOTS);
        Path target = Browser.SCREENSHOTS.resolve(name + ".png");
        Files.write(target, Base64.getDecoder().decode(command("WebDriver:TakeScreenshot", Map.of("full", false)).path("value").asText()));
        return target;
    }

    @Override
    public void close() throws Exception {
        try {
            command("Marionette:Quit", Map.of());
        } catch (IOException | RuntimeException e) {
            // already gone
        }
        socket.close();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
