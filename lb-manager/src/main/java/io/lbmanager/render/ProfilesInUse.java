package io.lbmanager.render;

import java.util.Set;

/**
 * The option profiles a group's routing tables may still name in Nginx's {@code lbm_routes} dict
 * (by {@link OptionProfile#name()}). A render keeps such a profile's location while its services
 * have moved on, so a route that moves to another profile is never left naming one the running
 * config lacks. A renderer given one drops a profile neither a service nor a table names with the
 * next render that changes something else, so its removal costs no reload of its own.
 */
@FunctionalInterface
public interface ProfilesInUse {

    ProfilesInUse NONE = group -> Set.of();

    Set<String> of(String group);
}
