package io.ecl.core;

import io.ecl.core.internal.Keys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One event group: its declared events, its intervals and how it reaches Redis. Immutable and
 * validated when built, so a bad group fails at start-up rather than at the first log().
 */
public final class GroupConfig {
    /** Default cap on counts held in memory while Redis is unreachable (distinct event × interval start). */
    public static final int DEFAULT_MAX_PENDING = 100_000;
    /** The most closed intervals a group may keep per interval ({@code history}). */
    public static final int MAX_HISTORY = 10_000;

    private final String name;
    private final List<String> events;
    private final Set<String> eventSet;
    private final List<String> uniques;
    private final List<String> values;
    private final List<Interval> intervals;
    private final boolean autoDeclareEvents;
    private final Duration syncInterval;
    private final long syncLimit;
    private final boolean legacyScan;
    private final boolean writersRotate;
    private final int maxPending;
    private final int history;

    private GroupConfig(Builder b) {
        this.name = b.name;
        this.events = List.copyOf(b.events);
        this.eventSet = Collections.unmodifiableSet(new LinkedHashSet<>(b.events));
        this.uniques = List.copyOf(b.uniques);
        this.values = List.copyOf(b.values);
        this.intervals = List.copyOf(b.intervals);
        this.autoDeclareEvents = b.autoDeclareEvents;
        this.syncInterval = b.syncInterval;
        this.syncLimit = b.syncLimit;
        this.legacyScan = b.legacyScan;
        this.writersRotate = b.writersRotate;
        this.maxPending = b.maxPending;
        this.history = b.history;
    }

    /**
     * Checks that {@code event} is an event ID any group can count: not empty, not starting with
     * {@code @} (reserved for meta keys such as {@code @ts}), no control characters. The builder
     * applies the same rule to the IDs it is given; tools that take IDs from users call this to
     * refuse one with the library's own reason.
     *
     * @throws ConfigException naming the ID and the rule it breaks
     */
    public static void checkEventId(String event) {
        String problem = Keys.eventIdProblem(event);
        if (problem != null) {
            throw new ConfigException("invalid event ID '" + ConfigException.printable(event) + "': " + problem);
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A builder holding this group's settings, to make a changed copy, e.g.
     * {@code group.toBuilder().syncInterval(Duration.ofSeconds(1)).build()}.
     */
    public Builder toBuilder() {
        Builder b = new Builder(name).events(events).uniques(uniques).values(values).autoDeclareEvents(autoDeclareEvents).syncInterval(syncInterval)
                .syncLimit(syncLimit).legacyScan(legacyScan).writersRotate(writersRotate).maxPending(maxPending).history(history);
        intervals.forEach(b::interval);
        return b;
    }

    public String name() { return name; }

    /** The events declared in the config, in config order. */
    public List<String> events() { return events; }

    public boolean isDeclared(String event) { return eventSet.contains(event); }

    /** Names of the group's unique counts (config key {@code uniques}): distinct values per interval. */
    public List<String> uniques() { return uniques; }

    /** Names of the group's value statistics (config key {@code values}): count, sum, min, max, quantiles per interval. */
    public List<String> values() { return values; }

    public List<Interval> intervals() { return intervals; }

    /** The interval written as {@code name} in the config, or null. */
    public Interval interval(String name) {
        for (Interval i : intervals) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        return null;
    }

    public boolean autoDeclareEvents() { return autoDeclareEvents; }

    /** How often local counters are pushed to Redis, or null when not set. */
    public Duration syncInterval() { return syncInterval; }

    /** A local counter reaching this value triggers an early push; 0 when not set. */
    public long syncLimit() { return syncLimit; }

    /** True when log() counts locally and a background thread pushes the counts. */
    public boolean usesLocalCounters() { return syncInterval != null || syncLimit > 0; }

    /**
     * True when the group also discovers events by SCAN, for auto-declared events logged by
     * Python clients (which do not write the registry).
     */
    public boolean legacyScan() { return legacyScan; }

    /**
     * False when only a master rotates the group: writers then hold counts of an interval not yet
     * opened instead of rotating (set it while a Python master rotates the group, before its first
     * rotation shows in Redis). True by default; writers never rotate an interval whose
     * {@code @ts} was written by a Python master anyway.
     */
    public boolean writersRotate() { return writersRotate; }

    /** Cap on distinct (event, interval start) counts held in memory while Redis is unreachable. */
    public int maxPending() { return maxPending; }

    /**
     * How many closed intervals Redis keeps per interval of the group, newest first, for
     * {@link io.ecl.core.ops.CounterReader#history}; 0 (the default) keeps none.
     */
    public int history() { return history; }

    @Override
    public String toString() {
        return "group '" + name + "'";
    }

    /** Builds a {@link GroupConfig}; {@code intervals} is mandatory. */
    public static final class Builder {
        private final String name;
        /** The name as messages show it. */
        private final String shown;
        /** Insertion-ordered and hashed: a config may declare hundreds of thousands of events. */
        private final Set<String> events = new LinkedHashSet<>();
        private final Set<String> uniques = new LinkedHashSet<>();
        private final Set<String> values = new LinkedHashSet<>();
        private final List<Interval> intervals = new ArrayList<>();
        private boolean autoDeclareEvents;
        private Duration syncInterval;
        private long syncLimit;
        private boolean legacyScan;
        private boolean writersRotate = true;
        private int maxPending = DEFAULT_MAX_PENDING;
        private int history;

        private Builder(String name) {
            String problem = Keys.groupNameProblem(name);
            if (problem != null) {
                throw new ConfigException("invalid group name '" + ConfigException.printable(name) + "': " + problem);
            }
            this.name = name;
            this.shown = "group '" + ConfigException.printable(name) + "'";
        }

        public Builder events(String... events) {
            return events(Arrays.asList(events));
        }

        public Builder events(List<String> events) {
            for (String e : events) {
                try {
                    checkEventId(e);
                } catch (ConfigException invalid) {
                    throw new ConfigException(shown + ": " + invalid.getMessage());
                }
                this.events.add(e);
            }
            return this;
        }

        public Builder uniques(String... names) {
            return uniques(Arrays.asList(names));
        }

        /** Unique counts: per interval, how many distinct values {@code logUnique(name, value)} saw. */
        public Builder uniques(List<String> names) {
            for (String n : names) {
                String problem = Keys.measurementNameProblem(n);
                if (problem != null) {
                    throw new ConfigException(shown + ": invalid unique count name '" + ConfigException.printable(n)
                            + "': " + problem);
                }
                if (!uniques.add(n)) {
                    throw new ConfigException(shown + ": unique count '" + ConfigException.printable(n)
                            + "' is listed twice");
                }
            }
            return this;
        }

        public Builder values(String... names) {
            return values(Arrays.asList(names));
        }

        /** Value statistics: per interval, count, sum, min, max, mean, stddev and quantiles of what {@code logValue(name, v)} recorded. */
        public Builder values(List<String> names) {
            for (String n : names) {
                String problem = Keys.measurementNameProblem(n);
                if (problem != null) {
                    throw new ConfigException(shown + ": invalid value name '" + ConfigException.printable(n)
                            + "': " + problem);
                }
                if (!values.add(n)) {
                    throw new ConfigException(shown + ": value '" + ConfigException.printable(n) + "' is listed twice");
                }
            }
            return this;
        }

        public Builder intervals(String... intervals) {
            for (String i : intervals) {
                try {
                    interval(Interval.parse(i));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(shown + ": " + e.getMessage());
                }
            }
            return this;
        }

        public Builder interval(Interval interval) {
            if (interval.name().indexOf(':') >= 0) {
                throw new ConfigException(shown + ": invalid interval '" + interval + "'");
            }
            for (Interval i : intervals) {
                if (i.name().equals(interval.name())) {
                    throw new ConfigException(shown + ": interval '" + interval + "' is listed twice");
                }
            }
            intervals.add(interval);
            return this;
        }

        public Builder autoDeclareEvents(boolean autoDeclare) {
            this.autoDeclareEvents = autoDeclare;
            return this;
        }

        public Builder syncInterval(Duration syncInterval) {
            if (syncInterval != null && (syncInterval.isNegative() || syncInterval.isZero())) {
                throw new ConfigException(shown + ": sync_interval " + seconds(syncInterval)
                        + " must be greater than zero");
            }
            this.syncInterval = syncInterval;
            return this;
        }

        public Builder syncLimit(long syncLimit) {
            if (syncLimit < 0) {
                throw new ConfigException(shown + ": sync_limit " + syncLimit + " must not be negative");
            }
            this.syncLimit = syncLimit;
            return this;
        }

        public Builder legacyScan(boolean legacyScan) {
            this.legacyScan = legacyScan;
            return this;
        }

        public Builder writersRotate(boolean writersRotate) {
            this.writersRotate = writersRotate;
            return this;
        }

        public Builder maxPending(int maxPending) {
            if (maxPending < 1) {
                throw new ConfigException(shown + ": max_pending " + maxPending + " must be at least 1");
            }
            this.maxPending = maxPending;
            return this;
        }

        /** Closed intervals kept per interval (0..{@link #MAX_HISTORY}; 0, the default: none). */
        public Builder history(int history) {
            if (history < 0 || history > MAX_HISTORY) {
                throw new ConfigException(shown + ": history " + history + " is out of range (0.." + MAX_HISTORY + ")");
            }
            this.history = history;
            return this;
        }

        public GroupConfig build() {
            if (intervals.isEmpty()) {
                throw new ConfigException(shown + ": no intervals; list at least one, e.g. intervals: ['5m']");
            }
            for (String v : values) {
                if (events.contains(v) || uniques.contains(v)) {
                    throw new ConfigException(shown + ": '" + ConfigException.printable(v)
                            + "' is both a value and an event or unique count; give them different names");
                }
            }
            for (String u : uniques) {
                if (events.contains(u)) {
                    // ecl-reader prints both as name:number lines: the reader could not tell them apart.
                    throw new ConfigException(shown + ": '" + ConfigException.printable(u)
                            + "' is both an event and a unique count; give them different names");
                }
            }
            return new GroupConfig(this);
        }

        private static String seconds(Duration d) {
            return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
        }
    }
}
