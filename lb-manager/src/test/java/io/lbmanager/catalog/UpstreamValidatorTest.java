package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamValidatorTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.1:80, 10.0.0.1, 80",
            "0.0.0.0:1, 0.0.0.0, 1",
            "255.255.255.255:65535, 255.255.255.255, 65535",
            "[2001:db8::1]:443, 2001:db8::1, 443",
            "[::1]:8080, ::1, 8080",
            "[::ffff:10.0.0.1]:80, ::ffff:10.0.0.1, 80",
            "Backend-1.Example.COM:8080, backend-1.example.com, 8080",
            "localhost:9000, localhost, 9000",
            "1a.example:80, 1a.example, 80"})
    void parsesHostPortForms(String hostPort, String host, int port) {
        assertThat(UpstreamValidator.parse("upstream", hostPort)).isEqualTo(new Upstream(host, port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:-1", "2001:db8::1:80", "[2001:db8::1]",
            "[10.0.0.1]:80", "[2001:db8:::1]:80", "1.2.3.4.5:80", "01.2.3.4:80", "host_name:80", "-host:80", "host-:80",
            "a..b:80", ":80", "h ost:80", "h;ost:80", "[fe80::1%25eth0]:80"})
    void refusesMalformedAddresses(String hostPort) {
        assertThatThrownBy(() -> UpstreamValidator.parse("upstream", hostPort))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("upstream");
    }

    @ParameterizedTest
    @ValueSource(ints = {253})
    void acceptsDnsNamesUpTo253Characters(int length) {
        String name = ("a".repeat(63) + ".").repeat(3) + "a".repeat(length - 192);
        assertThat(UpstreamValidator.host("host", name)).hasSize(length);
        assertThatThrownBy(() -> UpstreamValidator.host("host", name + "a")).isInstanceOf(InvalidInputException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nonexistent.invalid", "does-not-resolve.example"})
    void neverLooksNamesUp(String name) {
        assertThat(UpstreamValidator.host("host", name)).isEqualTo(name);
    }
}
