package io.ecl.ingest;

import io.ecl.core.ConfigException;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The HTTP write API of {@code ecl-reader serve --accept-writes}: {@code POST
 * /api/v1/groups/GROUP/events} with a JSON document
 * <pre>{"events": {"get": 3, "post": 1}, "uniques": {"visitors": ["203.0.113.7"]}, "values": {"ms": [12.7, 3]}}</pre>
 * or {@code text/plain} lines {@code event [count]}. A document is checked whole before anything is
 * counted (a bad line or field counts nothing and names itself); then every count goes through
 * the library's local counters of {@code logger}, delivered exactly once like any application's,
 * buffered through Redis outages within {@code max_pending}, attributed to the interval it arrived in.
 */
public final class HttpWrites {
    /** The largest body accepted; a larger one is answered 413. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private final EventCountLogger logger;

    /** @param logger a logger whose groups have local counters (see {@link #withLocalCounters}) */
    public HttpWrites(EventCountLogger logger) {
        this.logger = logger;
    }

    /**
     * {@code config} with a 1-second {@code sync_interval} for every group without local counters:
     * the write API's logger never makes a round trip per request.
     */
    public static io.ecl.core.EclConfig withLocalCounters(io.ecl.core.EclConfig config) {
        return withLocalCounters(config, java.time.Duration.ofSeconds(1));
    }

    /**
     * {@code config} with {@code sync} as {@code sync_interval} of every group without local
     * counters: what a receiver of many small writes (HTTP, StatsD) logs through, so that it never
     * makes one round trip per write while applications keep their own settings.
     */
    static io.ecl.core.EclConfig withLocalCounters(io.ecl.core.EclConfig config, java.time.Duration sync) {
        io.ecl.core.EclConfig.Builder b = io.ecl.core.EclConfig.builder().redis(config.redis());
        for (GroupConfig g : config.groups()) {
            b.group(g.usesLocalCounters() ? g : g.toBuilder().syncInterval(sync).build());
        }
        return b.build();
    }

    /** What a write came to: 204, or 400/404 and a one-line message naming the bad part. */
    public record Result(int status, String message) {
        static final Result OK = new Result(204, null);
    }

    /** One thing to log, checked before any is. */
    private interface Write {
        void to(EventGroup g);
    }

    /** Applies {@code body} ({@code text/plain} when {@code plainText}, else JSON) to group {@code groupName}. */
    public Result apply(String groupName, boolean plainText, String body) {
        GroupConfig g = logger.config().group(groupName);
        if (g == null) {
            return new Result(404, "Group '" + groupName + "' not found in configuration");
        }
        List<Write> writes = new ArrayList<>();
        String problem = plainText ? parseText(g, body, writes) : parseJson(g, body, writes);
        if (problem != null) {
            return new Result(400, problem);
        }
        EventGroup group = logger.group(groupName);
        for (Write w : writes) {
            w.to(group);
        }
        return Result.OK;
    }

    private static String parseText(GroupConfig g, String body, List<Write> writes) {
        String[] lines = body.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            long count = 1;
            if (parts.length > 2) {
                return "line " + (i + 1) + ": expected 'event [count]', got '" + shorten(line) + "'";
            }
            if (parts.length == 2) {
                try {
                    count = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    return "line " + (i + 1) + ": count '" + shorten(parts[1]) + "' is not a whole number";
                }
            }
            String problem = eventProblem(g, parts[0]);
            if (problem != null) {
                return "line " + (i + 1) + ": " + problem;
            }
            String event = parts[0];
            long n = count;
            writes.add(group -> group.log(event, n));
        }
        return null;
    }

    private static String parseJson(GroupConfig g, String body, List<Write> writes) {
        Object doc;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(0);
            options.setAllowDuplicateKeys(false);
            options.setCodePointLimit(MAX_BODY_BYTES);
            doc = new Yaml(new SafeConstructor(options)).load(body);
        } catch (YAMLException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
            return "not a JSON document: " + shorten(m);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            return "expected a JSON object with events, uniques or values";
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> section)) {
                return "'" + shorten(key) + "': expected an object of names";
            }
            for (Map.Entry<?, ?> item : section.entrySet()) {
                String name = String.valueOf(item.getKey());
                Object v = item.getValue();
                String where = key + "." + shorten(name);
                switch (key) {
                    case "events" -> {
                        String problem = eventProblem(g, name);
                        if (problem != null) {
                            return where + ": " + problem;
                        }
                        if (!(v instanceof Integer || v instanceof Long)) {
                            return where + ": expected a whole number, got " + shorten(String.valueOf(v));
                        }
                        long n = ((Number) v).longValue();
                        writes.add(group -> group.log(name, n));
                    }
                    case "uniques" -> {
                        if (!g.uniques().contains(name) && !g.autoDeclareEvents()) {
                            return where + ": not a unique count of group '" + g.name() + "'";
                        }
                        for (Object value : v instanceof List<?> list ? list : List.of(v)) {
                            if (!(value instanceof String) && !(value instanceof Number)) {
                                return where + ": expected strings, got " + shorten(String.valueOf(value));
                            }
                            String s = String.valueOf(value);
                            writes.add(group -> group.logUnique(name, s));
                        }
                    }
                    case "values" -> {
                        if (!g.values().contains(name) && !g.autoDeclareEvents()) {
                            return where + ": not a value of group '" + g.name() + "'";
                        }
                        for (Object value : v instanceof List<?> list ? list : List.of(v)) {
                            if (!(value instanceof Number number)) {
                                return where + ": expected numbers, got " + shorten(String.valueOf(value));
                            }
                            double d = number.doubleValue();
                            writes.add(group -> group.logValue(name, d));
                        }
                    }
                    default -> {
                        return "'" + shorten(key) + "': unknown member; expected events, uniques or values";
                    }
                }
            }
        }
        return null;
    }

    /** Why {@code event} cannot be counted in {@code g}, or null. */
    private static String eventProblem(GroupConfig g, String event) {
        try {
            GroupConfig.checkEventId(event);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        if (!g.isDeclared(event) && !g.autoDeclareEvents()) {
            return "event '" + shorten(event) + "' is not declared in group '" + g.name()
                    + "' and the group does not auto-declare events";
        }
        return null;
    }

    private static String shorten(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]", "?");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }
}
