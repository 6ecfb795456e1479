package io.ecl.ingest;

import io.ecl.core.EventCountLogger;
import io.ecl.core.GroupConfig;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every metric name the listener has seen, with its {@link NameState}, shared by the receiving
 * threads (each keeps its own cache in front of it, keyed by the raw bytes). Bounded: beyond
 * {@link #MAX_NAMES} distinct names, a new name gets a state of its own each time it is resolved,
 * so fractional remainders and gauge readings are kept for the first {@code MAX_NAMES} names only.
 */
final class NameTable {
    static final int MAX_NAMES = 100_000;

    private final ConcurrentHashMap<String, NameState> names = new ConcurrentHashMap<>();
    private final NameMapper mapper;
    private final EventCountLogger logger;
    private final StatsdStats stats;

    NameTable(NameMapper mapper, EventCountLogger logger, StatsdStats stats) {
        this.mapper = mapper;
        this.logger = logger;
        this.stats = stats;
    }

    NameState resolve(String metric) {
        NameState known = names.get(metric);
        if (known != null) {
            return known;
        }
        NameState created = create(metric);
        if (names.size() < MAX_NAMES) {
            NameState raced = names.putIfAbsent(metric, created);
            if (raced != null) {
                return raced;
            }
        }
        if (created.target == null) {
            stats.newUnmappedName(printable(metric), created.problem);
        }
        return created;
    }

    private NameState create(String metric) {
        NameMapper.Mapping m = mapper.map(metric);
        if (m.group() == null) {
            return new NameState(metric, null, m.problem(), null, null, null);
        }
        GroupConfig g = logger.config().group(m.group());
        String countProblem = g.autoDeclareEvents() || g.isDeclared(m.name()) ? null : "group '" + g.name()
                + "' does not declare event '" + m.name() + "' (events) and does not auto-declare (auto_declare_events)";
        String uniqueProblem = g.autoDeclareEvents() || g.uniques().contains(m.name()) ? null : "group '" + g.name()
                + "' does not list unique '" + m.name() + "' (uniques) and does not auto-declare (auto_declare_events)";
        String valueProblem = g.autoDeclareEvents() || g.values().contains(m.name()) ? null : "group '" + g.name()
                + "' does not list value '" + m.name() + "' (values) and does not auto-declare (auto_declare_events)";
        return new NameState(metric, new Target(logger.group(m.group()), m.name()), null, countProblem, uniqueProblem,
                valueProblem);
    }

    /** A name as a log line shows it: control characters escaped, at most 200 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200) + 8);
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= 200 && s.length() > 200) {
            b.append("...");
        }
        return b.toString();
    }
}
