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
            } else if (spec instanceof OptionSpec.Matching matching) {
                low.put(key, matching.example());
                high.put(key, matching.example());
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
}
