package io.ecl.core.internal;

import io.ecl.core.EventCountLogger;
import io.ecl.core.Interval;
import io.ecl.core.RedisConfig;

/**
 * The Redis key scheme, shared with the Python EventCountLogger. Every key name is made here;
 * the Lua scripts in {@code src/main/resources/lua/ecl} receive the prefix from here and append only
 * the parts named below.
 *
 * <pre>
 *   &lt;group&gt;:&lt;interval&gt;:cur:&lt;event&gt;      counter of the current (incomplete) interval
 *   &lt;group&gt;:&lt;interval&gt;:last:&lt;event&gt;     counter of the last complete interval
 *   &lt;group&gt;:&lt;interval&gt;:cur:@ts         aligned start of the current interval, Unix seconds
 *   &lt;group&gt;:&lt;interval&gt;:last:@ts        start of what 'last' covers (end = cur:@ts)
 *   &lt;group&gt;:&lt;interval&gt;:cur:@declared   SET of pre-declared event IDs (rotation zeroes them)
 *   &lt;group&gt;:&lt;interval&gt;:cur:@reg        SET of auto-declared event IDs counted in cur
 *   &lt;group&gt;:&lt;interval&gt;:last:@reg       the same for last (renamed from cur:@reg at rotation)
 *   &lt;group&gt;:&lt;interval&gt;:cur:@late       counts that arrived after their interval was closed
 *   &lt;group&gt;:&lt;interval&gt;:last:@late      the same, for the interval now in last
 *   &lt;group&gt;:&lt;interval&gt;:cur:@direct.&lt;instance&gt;  HASH call slot -&gt; last applied direct-mode call (expires)
 *   &lt;group&gt;:&lt;interval&gt;:cur:@sync.&lt;id&gt;  marker of an applied flush chunk (expires), so a retry never double-counts
 *   &lt;group&gt;:&lt;interval&gt;:@hist          LIST of the closed intervals, newest first, at most the group's history (HistoryCodec)
 *   &lt;group&gt;:&lt;interval&gt;:@total         HASH event -&gt; sum of its counts in every closed interval (never trimmed)
 * </pre>
 *
 * Meta keys have the form {@code <group>:<interval>:<cur|last>:@<name>}, with no ':' in the
 * name, which the Python version's SCAN glob {@code <group>:<interval>:[^:]*:[^@]*} does not
 * match: Python readers do not see them. (In a Redis glob {@code [^@]} is one character and
 * {@code *} anything, so a ':' followed by anything but '@' later in a key would match.) Event
 * IDs therefore must not start with {@code @}. The keys of a whole (group, interval),
 * {@code <group>:<interval>:@<name>}, have no third ':' at all, so that glob cannot match them either.
 *
 * <p>In key mode {@code hashtag} (required on a Redis Cluster) every name above starts with
 * {@code {<group>}:} instead of {@code <group>:}, so all keys of a group hash to one slot and the
 * scripts, which touch every key of a (group, interval), may run. Python clients do not read
 * these names. Group names must then not contain '{' or '}'.
 */
public final class Keys {
    public static final String CUR = "cur:";
    public static final String LAST = "last:";
    /**
     * How long a marker lives: a flush chunk's {@code cur:@sync.<id>} and an instance's
     * {@code cur:@direct.<instance>} hash (from its last refresh): far longer than any retry or
     * in-doubt check takes. The scripts get it as {@code MARKER_TTL_MS} (see LuaScript).
     */
    public static final long MARKER_TTL_MILLIS = 600_000;

    private Keys() {
    }

    /** {@code <group>:<interval>:} ({@code {<group>}:<interval>:} in hashtag mode), the prefix of every key of one (group, interval). */
    public static String prefix(RedisConfig.KeyMode mode, String group, Interval interval) {
        if (mode == RedisConfig.KeyMode.HASHTAG) {
            // A Redis Cluster hashes only what is inside the first {...}: the group's keys share a slot.
            return "{" + group + "}:" + interval.name() + ":";
        }
        return group + ":" + interval.name() + ":";
    }

    static String cur(RedisConfig.KeyMode mode, String group, Interval interval, String event) {
        return counterIn(prefix(mode, group, interval), false, event);
    }

    static String last(RedisConfig.KeyMode mode, String group, Interval interval, String event) {
        return counterIn(prefix(mode, group, interval), true, event);
    }

    public static String curTs(RedisConfig.KeyMode mode, String group, Interval interval) {
        return tsIn(prefix(mode, group, interval), false);
    }

    public static String declared(RedisConfig.KeyMode mode, String group, Interval interval) {
        return prefix(mode, group, interval) + CUR + "@declared";
    }

    static String registry(RedisConfig.KeyMode mode, String group, Interval interval) {
        return registryIn(prefix(mode, group, interval), false);
    }

    /** The hash in which log.lua records the last direct-mode call of each thread of one logger instance. */
    static String directMarker(RedisConfig.KeyMode mode, String group, Interval interval, String instance) {
        return prefix(mode, group, interval) + CUR + "@direct." + instance;
    }

    /** Prefix of a flush chunk's idempotency marker; the script appends the chunk ID. */
    public static String syncMarkerPrefix(RedisConfig.KeyMode mode, String group, Interval interval) {
        return syncMarkerIn(prefix(mode, group, interval), "");
    }

    // Keys of one (group, interval) from its prefix (made by prefix() once per group): the flusher
    // names tens of thousands of counters per flush and should not rebuild the prefix each time.

    /** {@code <prefix>cur:<event>} or {@code <prefix>last:<event>}. */
    static String counterIn(String prefix, boolean last, String event) {
        return prefix + (last ? LAST : CUR) + event;
    }

    /** {@code <prefix>cur:@ts} or {@code <prefix>last:@ts}. */
    static String tsIn(String prefix, boolean last) {
        return prefix + (last ? LAST : CUR) + "@ts";
    }

    /** The registry of auto-declared events of cur or last. */
    public static String registryIn(String prefix, boolean last) {
        return prefix + (last ? LAST : CUR) + "@reg";
    }

    /** {@code <prefix>cur:@late}: counts credited to cur after their own interval had been closed. */
    static String lateIn(String prefix) {
        return prefix + CUR + "@late";
    }

    /** The idempotency marker of flush chunk {@code id}, under the group's first interval (as log.lua names it). */
    static String syncMarkerIn(String firstPrefix, String id) {
        return firstPrefix + CUR + "@sync." + id;
    }

    /**
     * The SCAN pattern for counters of one (group, interval) section, with glob characters of the
     * group and interval escaped (Python's defect: a group named {@code a*} matched other groups).
     */
    public static String scanPattern(RedisConfig.KeyMode mode, String group, Interval interval, String section) {
        return escapeGlob(prefix(mode, group, interval)) + section + "[^@]*";
    }

    static String escapeGlob(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Why a group name would break the hashtag key scheme, or null when it is fine. */
    public static String hashtagGroupNameProblem(String name) {
        if (name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
            return "must not contain '{' or '}' with ecl_redis.key_mode: hashtag (they delimit the cluster hash tag)";
        }
        return null;
    }

    /** Why a group name would break the key scheme, or null when it is fine. */
    public static String groupNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':') {
                return "must not contain ':' (it separates the parts of the Redis keys)";
            }
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                return "must not contain glob characters (* ? [ ] \\): SCAN patterns would match other groups";
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "must not contain spaces or control characters";
            }
        }
        return null;
    }

    /** Why an event ID would break the key scheme or the reader's output, or null when it is fine. */
    public static String eventIdProblem(String event) {
        if (event == null || event.isEmpty()) {
            return "must not be empty";
        }
        if (event.charAt(0) == '@') {
            return "must not start with '@' (reserved for meta keys such as @ts)";
        }
        for (int i = 0; i < event.length(); i++) {
            if (Character.isISOControl(event.charAt(i))) {
                return "must not contain control characters such as newlines";
            }
        }
        return null;
    }

    /**
     * Why {@code name} cannot name a unique count (or another kind's measurement), or null: the
     * event-ID rule, and no ':' (its keys are {@code <group>:<interval>:cur:@u.<name>}, in the
     * meta namespace that the Python version's SCAN never matches).
     */
    public static String measurementNameProblem(String name) {
        String problem = eventIdProblem(name);
        if (problem != null) {
            return problem;
        }
        return name.indexOf(':') >= 0 ? "must not contain ':'" : null;
    }

    /** {@code <prefix>@hist}: the closed intervals kept for {@code history} (prelude.lua's rotate appends). */
    public static String historyIn(String prefix) {
        return prefix + "@hist";
    }

    /** {@code <prefix>@total}: every closed interval's counts added up, per event (prelude.lua's rotate adds). */
    public static String totalIn(String prefix) {
        return prefix + "@total";
    }

    /** Prefix of the unique counts' keys within a section ({@code cur:} or {@code last:}): {@code @u.}. */
    public static final String UNIQUE = "@u.";

    /** The HLL key of unique count {@code name} in one section of an interval. */
    public static String uniqueIn(String prefix, boolean last, String name) {
        return prefix + (last ? LAST : CUR) + UNIQUE + name;
    }

    /** The registry of the unique counts that have a key in one section: what rotation moves. */
    public static String uniqueRegistryIn(String prefix, boolean last) {
        return prefix + (last ? LAST : CUR) + "@ureg";
    }

    /** Where a flush puts a sketch for the moment its PFMERGEs need it as a key (same slot as the group). */
    static String uniqueScratch(String prefix) {
        return prefix + CUR + "@utmp";
    }
}
