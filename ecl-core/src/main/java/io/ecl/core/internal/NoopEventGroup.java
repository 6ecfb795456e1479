package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** What {@link EventCountLogger#group} returns for a name the config does not define: it counts nothing. */
public final class NoopEventGroup implements EventGroup {
    private final String name;

    public NoopEventGroup(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void log(String event, long count) {
    }

    @Override
    public void logUnique(String name, String value) {
    }

    @Override
    public void logValue(String name, double value) {
    }

    @Override
    public void declareEvent(String event) {
    }

    @Override
    public Map<String, Long> currentCountsOf(String event) {
        return Map.of();
    }

    @Override
    public long currentCount(String event, String interval) {
        return 0;
    }

    @Override
    public long lastCount(String event, String interval) {
        return 0;
    }

    @Override
    public SortedMap<String, Long> currentCounts(String interval) {
        return new TreeMap<>();
    }

    @Override
    public SortedMap<String, Long> lastCounts(String interval) {
        return new TreeMap<>();
    }

    @Override
    public String toString() {
        return "unconfigured group '" + name + "' (counts nothing)";
    }
}
