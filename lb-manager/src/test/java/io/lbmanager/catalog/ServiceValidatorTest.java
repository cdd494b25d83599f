package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules must not refuse what is legitimate; the refusals are pinned over HTTP in ServiceValidationApiTest. */
class ServiceValidatorTest {

    private final ServiceValidator validator = new ServiceValidator(Set.of("edge", "internal")::contains);

    private ServiceDefinition define(String basePath, List<String> owners, Map<String, Object> options) {
        return validator.definition("payments", owners, basePath, List.of("edge"), options, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/pay", "/api/v1/pay-ments", "/~user/x_y", "/a.b/c..d", "/" + "p"})
    void acceptsOrdinaryBasePaths(String basePath) {
        assertThat(define(basePath, List.of("team-a"), Map.of()).basePath()).isEqualTo(basePath);
    }

    @ParameterizedTest
    @ValueSource(strings = {"team-payments", "Team.Payments_2", "alice@example.com", "first.last+lb@sub.example.co.uk"})
    void acceptsTeamNamesAndEmails(String owner) {
        assertThat(define("/pay", List.of(owner), Map.of()).owners()).containsExactly(owner);
    }

    @Test
    void acceptsEveryOptionAtBothEndsOfItsRangeAndStoresThemSorted() {
        Map<String, Object> low = new LinkedHashMap<>();
        Map<String, Object> high = new LinkedHashMap<>();
        ServiceOptions.ALLOWED.forEach((key, spec) -> {
            if (spec instanceof OptionSpec.IntRange range) {
                low.put(key, range.min());
                high.put(key, (long) range.max());
            } else if (spec instanceof OptionSpec.OneOf oneOf) {
                low.put(key, oneOf.choices().get(0));
                high.put(key, oneOf.choices().get(oneOf.choices().size() - 1));
            } else if (spec instanceof OptionSpec.Fields) {
                low.put(key, new java.util.TreeMap<>(Map.of("scheduler", "docker", "handle", "a", "idleSeconds", 1)));
                high.put(key, Map.of("scheduler", "singularity", "handle", "h".repeat(100), "idleSeconds", 2_592_000,
                        "wakeTimeoutSeconds", 600, "maxHeldRequests", 10_000));
            } else if (spec instanceof OptionSpec.Text) {
                low.put(key, "a");
                high.put(key, "z".repeat(64));
            } else {
                low.put(key, false);
                high.put(key, true);
            }
        });
        assertThat(define("/pay", List.of("a"), low).options()).containsExactlyEntriesOf(new java.util.TreeMap<>(low));
        assertThat(define("/pay", List.of("a"), high).options().get("proxyReadTimeoutMs")).isEqualTo(3_600_000);
        assertThat(List.copyOf(define("/pay", List.of("a"), high).options().keySet())).isSorted();
    }

    @Test
    void discoveryNameDefaultsToTheId() {
        assertThat(define("/pay", List.of("a"), Map.of()).discoveryName()).isEqualTo("payments");
    }

    @Test
    void twentyOwnersAndGroupsAreTheMaximum() {
        List<String> twenty = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "o" + i).toList();
        assertThat(define("/pay", twenty, Map.of()).owners()).hasSize(20);
        ServiceValidator anyGroup = new ServiceValidator(g -> true);
        assertThat(anyGroup.definition("p", List.of("a"), "/p", twenty, Map.of(), null).groups()).hasSize(20);
    }

    @Test
    void theFirstMissingGroupIsNamedByIndex() {
        assertThatThrownBy(() -> validator.definition("p", List.of("a"), "/p", List.of("edge", "internal", "ghost"), Map.of(), null))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("groups[2]");
    }

    @Test
    void hibernationNamesTheMemberThatIsWrong() {
        Map<String, Object> good = Map.of("scheduler", "docker", "handle", "orders-backend", "idleSeconds", 300);
        assertThat(define("/pay", List.of("a"), Map.of("hibernation", good)).options().get("hibernation")).isEqualTo(new java.util.TreeMap<>(good));
        assertRefused(Map.of("scheduler", "docker", "handle", "x y", "idleSeconds", 3), "options.hibernation.handle");
        assertRefused(Map.of("scheduler", "docker", "handle", "-x", "idleSeconds", 3), "options.hibernation.handle");
        assertRefused(Map.of("scheduler", "marathon", "handle", "x", "idleSeconds", 3), "options.hibernation.scheduler");
        assertRefused(Map.of("scheduler", "docker", "handle", "x"), "options.hibernation.idleSeconds");
        assertRefused(Map.of("scheduler", "docker", "handle", "x", "idleSeconds", 0), "options.hibernation.idleSeconds");
        assertRefused(Map.of("scheduler", "docker", "handle", "x", "idleSeconds", 3, "wakeTimeoutSeconds", 601),
                "options.hibernation.wakeTimeoutSeconds");
        assertRefused(Map.of("scheduler", "docker", "handle", "x", "idleSeconds", 3, "command", "rm -rf /"), "options.hibernation.command");
        assertThatThrownBy(() -> define("/pay", List.of("a"), Map.of("hibernation", "docker:x")))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("options.hibernation");
    }

    private void assertRefused(Map<String, Object> hibernation, String field) {
        assertThatThrownBy(() -> define("/pay", List.of("a"), Map.of("hibernation", hibernation)))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo(field);
    }
}
