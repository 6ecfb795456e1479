package io.ecl.core.internal;

import io.ecl.core.GroupConfig;
import io.ecl.core.RedisDataException;
import io.ecl.core.ValueStats;
import io.ecl.core.ops.HistoryEntry;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The entries of {@code <prefix>@hist} ({@link Keys#historyIn}), which prelude.lua's
 * {@code close_interval} writes at every rotation of a group with {@code history}: text, one line
 * per item, tab-separated fields (names never hold control characters):
 * <pre>
 *   1 &lt;start ms&gt; &lt;end ms&gt; &lt;covers&gt;   format version and the closed interval
 *   c &lt;event&gt; &lt;event&gt; ...             every counter that is not 0 ...
 *   n &lt;count&gt; &lt;count&gt; ...             ... and its count, in the same order
 *   u &lt;name&gt; &lt;distinct&gt;               every unique count with a sketch (PFCOUNT)
 *   v &lt;name&gt; &lt;field&gt;=&lt;value&gt;,...      every value hash as it is ({@link io.ecl.core.internal.kinds.SketchFields})
 * </pre>
 * Lines of another kind are skipped, so a later version may add kinds that this one ignores.
 */
public final class HistoryCodec {
    /** The first field of an entry's first line. */
    public static final String VERSION = "1";

    private HistoryCodec() {
    }

    /**
     * One entry, with every declared event and unique count of {@code group} (0 when the entry has
     * none) and every value name ({@link ValueStats#EMPTY}).
     *
     * @param key the list it came from, for messages
     * @throws RedisDataException when the entry is not one ecl wrote
     */
    public static HistoryEntry decode(GroupConfig group, String key, String entry) {
        TreeMap<String, Long> counts = new TreeMap<>();
        TreeMap<String, Long> uniques = new TreeMap<>();
        TreeMap<String, ValueStats> values = new TreeMap<>();
        for (String ev : group.events()) {
            counts.put(ev, 0L);
        }
        for (String name : group.uniques()) {
            uniques.put(name, 0L);
        }
        for (String name : group.values()) {
            values.put(name, ValueStats.EMPTY);
        }
        String[] lines = entry.split("\n");
        String[] head = lines[0].split("\t");
        if (head.length != 4 || !VERSION.equals(head[0])) {
            throw bad(key, "its first line is not '" + VERSION + " <start> <end> <covers>'"
                    + (head.length > 0 && head[0].matches("\\d+") ? " (written by a later ecl version?)" : ""));
        }
        long start;
        long end;
        int covers;
        try {
            start = Long.parseLong(head[1]);
            end = Long.parseLong(head[2]);
            covers = Integer.parseInt(head[3]);
        } catch (NumberFormatException e) {
            throw bad(key, "its first line holds " + quoted(lines[0]) + ", not three integers after the version");
        }
        String[] events = new String[0];
        String[] eventCounts = new String[0];
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("c\t")) {
                events = line.substring(2).split("\t", -1);
                continue;
            }
            if (line.startsWith("n\t")) {
                eventCounts = line.substring(2).split("\t", -1);
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f.length != 3) {
                throw bad(key, "a line holds " + quoted(line) + ", not '<kind> <name> <value>'");
            }
            try {
                switch (f[0]) {
                    case "u" -> uniques.put(f[1], Long.parseLong(f[2]));
                    case "v" -> values.put(f[1], RedisReader.stats(key + " (" + f[1] + ")", fields(f[2])));
                    default -> { } // a kind a later version keeps
                }
            } catch (NumberFormatException e) {
                throw bad(key, "a line holds " + quoted(line) + ", not an integer count");
            }
        }
        if (events.length != eventCounts.length) {
            throw bad(key, "it names " + events.length + " events but holds " + eventCounts.length + " counts");
        }
        for (int k = 0; k < events.length; k++) {
            try {
                counts.put(events[k], Long.parseLong(eventCounts[k]));
            } catch (NumberFormatException e) {
                throw bad(key, "the count of " + quoted(events[k]) + " is " + quoted(eventCounts[k]) + ", not an integer");
            }
        }
        return new HistoryEntry(start, end, covers, counts, uniques, values);
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> hash = new HashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                hash.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return hash;
    }

    private static String quoted(String s) {
        return "\"" + Printable.of(s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
    }

    private static RedisDataException bad(String key, String why) {
        return new RedisDataException(key + " holds an entry ecl did not write: " + why
                + "; delete the key (DEL " + key + ") to keep history again", null);
    }
}
