package io.ecl.ingest;

import io.ecl.core.EventGroup;

/**
 * Where a StatsD metric name lands: a group of the config and the name (event, unique or value)
 * inside it.
 *
 * @param group the group, as the listener's logger returns it
 * @param name the event, unique or value name inside the group
 */
public record Target(EventGroup group, String name) {
    @Override
    public String toString() {
        return group.name() + "/" + name;
    }
}
