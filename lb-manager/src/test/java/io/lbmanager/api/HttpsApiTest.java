package io.lbmanager.api;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpsConnectorFactory;
import io.lbmanager.LbManagerConfiguration;
import io.lbmanager.testsupport.ManagerUnderTest;
import io.lbmanager.testsupport.RunningManager;
import io.lbmanager.testsupport.LbmCli;
import io.lbmanager.testsupport.TestTokens;
import io.lbmanager.testsupport.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manager's API on Dropwizard's HTTPS connector, with a keystore made by keytool as the README
 * says: a client trusting that certificate gets answers, plain HTTP on the same port gets none,
 * and the {@code lbm} CLI reaches it with {@code -c CAFILE}.
 */
class HttpsApiTest {

    private static final String PASSWORD = "test-keystore-secret";

    @RegisterExtension
    static final ZooKeeperExtension ZK = new ZooKeeperExtension();
    @TempDir
    static Path dir;
    private static RunningManager manager;
    private static Path caFile;

    @BeforeAll
    static void startOverHttps() throws Exception {
        Path keystore = dir.resolve("lbm.p12");
        caFile = dir.resolve("lbm-ca.pem");
        keytool("-genkeypair", "-alias", "lbm", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "lbm", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-file", caFile.toString());

        LbManagerConfiguration config = ManagerUnderTest.config(ZK.connectString(), "edge");
        HttpsConnectorFactory https = new HttpsConnectorFactory();
        https.setBindHost("127.0.0.1");
        https.setPort(0);
        https.setKeyStorePath(keystore.toString());
        https.setKeyStorePassword(PASSWORD);
        https.setKeyStoreType("PKCS12");
        ((DefaultServerFactory) config.getServerFactory()).setApplicationConnectors(List.of(https));
        manager = RunningManager.start(config);
    }

    @AfterAll
    static void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aClientTrustingTheCertificateGetsAnswersOverHttps() throws Exception {
        HttpResponse<String> response = trustingClient().send(HttpRequest.newBuilder(URI.create(url("https") + "/api/v1/groups"))
                .header("Authorization", TestTokens.bearer(TestTokens.ADMIN)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("edge");
        assertThat(response.sslSession()).isPresent();
    }

    @Test
    void plainHttpToTheHttpsPortGetsNoAnswer() throws Exception {
        String outcome;
        try {
            outcome = "status " + HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create(url("http") + "/api/v1/groups")).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException refused) {
            outcome = "refused: " + refused;
        }
        assertThat(outcome).as("a plain-HTTP request to the HTTPS port").isNotEqualTo("status 200").doesNotStartWith("status 2");
    }

    @Test
    void lbmReachesTheHttpsManagerWithItsCaFileAndRefusesItWithout() throws Exception {
        LbmCli.Run withCa = lbm("-s", url("https"), "-t", TestTokens.ADMIN, "-c", caFile.toString(), "status", "edge");
        assertThat(withCa.output()).as("this manager has no fleet: an API answer, over TLS").contains("lbm: 404")
                .doesNotContain("cannot reach");
        LbmCli.Run withoutCa = lbm("-s", url("https"), "-t", TestTokens.ADMIN, "status", "edge");
        assertThat(withoutCa.exit()).isEqualTo(1);
        assertThat(withoutCa.output()).contains("cannot reach").containsIgnoringCase("certificate");
    }

    private static String url(String scheme) {
        return scheme + "://127.0.0.1:" + manager.port();
    }

    private static HttpClient trustingClient() throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream pem = Files.newInputStream(caFile)) {
            trusted.setCertificateEntry("lbm", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The repository's lbm launcher, as a user runs it: with only the options given, no LBM_* variables. */
    private static LbmCli.Run lbm(String... args) throws Exception {
        return LbmCli.launch(java.util.Map.of(), args);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
