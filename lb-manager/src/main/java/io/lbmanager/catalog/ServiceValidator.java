package io.lbmanager.catalog;

import io.lbmanager.errors.InvalidInputException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns what a team sent into a {@link ServiceDefinition}, or refuses it with an
 * {@link InvalidInputException} naming the first offending field.
 */
public final class ServiceValidator {

    public static final int MAX_OWNERS = 20;
    public static final int MAX_GROUPS = 20;

    private final Predicate<String> groupExists;

    /** @param groupExists the store lookup every listed group must pass */
    public ServiceValidator(Predicate<String> groupExists) {
        this.groupExists = groupExists;
    }

    /** Checks every rule, including that each listed group exists. */
    public ServiceDefinition definition(String id, List<String> owners, String basePath, List<String> groups,
                                        Map<String, ?> options, String discoveryName) {
        ServiceDefinition definition = wellFormedDefinition(id, owners, basePath, groups, options, discoveryName);
        for (int i = 0; i < definition.groups().size(); i++) {
            String group = definition.groups().get(i);
            if (!groupExists.test(group)) {
                throw new InvalidInputException("groups[" + i + "]", "group " + group + " does not exist; create it first with PUT /api/v1/groups/" + group);
            }
        }
        return definition;
    }

    /** Checks every rule that needs no lookup; also used on what is read back from ZooKeeper. */
    public static ServiceDefinition wellFormedDefinition(String id, List<String> owners, String basePath, List<String> groups,
                                                         Map<String, ?> options, String discoveryName) {
        InputRules.requireName("id", id);
        List<String> checkedOwners = distinctEntries("owners", owners, MAX_OWNERS, InputRules::requireOwner);
        String checkedBasePath = InputRules.requireBasePath("basePath", basePath);
        List<String> checkedGroups = distinctEntries("groups", groups, MAX_GROUPS, InputRules::requireName);
        Map<String, Object> checkedOptions = ServiceOptions.validate("options", options);
        String checkedDiscoveryName = discoveryName == null ? id : InputRules.requireDiscoveryName("discoveryName", discoveryName);
        return new ServiceDefinition(id, checkedOwners, checkedBasePath, checkedGroups, checkedOptions, checkedDiscoveryName);
    }

    private interface EntryRule {
        String check(String field, String value);
    }

    private static List<String> distinctEntries(String field, List<String> values, int max, EntryRule rule) {
        InputRules.requirePresent(field, values);
        if (values.isEmpty() || values.size() > max) {
            throw new InvalidInputException(field, "must have 1.." + max + " entries, got " + values.size());
        }
        List<String> checked = new ArrayList<>(values.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String entryField = field + "[" + i + "]";
            String value = rule.check(entryField, values.get(i));
            if (!seen.add(value)) {
                throw new InvalidInputException(entryField, value + " is listed twice");
            }
            checked.add(value);
        }
        return checked;
    }
}
