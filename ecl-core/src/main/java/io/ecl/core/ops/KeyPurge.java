package io.ecl.core.ops;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisConfig.KeyMode;
import io.ecl.core.internal.Keys;
import io.ecl.core.internal.RedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ecl keys a config no longer names, and their removal ({@code ecl-master --purge}): every key
 * of a (group, interval) that the config does not have, found by its {@code cur:@ts}; and, in the
 * pairs it has, the declared events it no longer lists (undeclared from {@code cur:@declared},
 * their two counters deleted), which the rotation would otherwise zero forever, and the kept
 * history ({@code @hist}) of a group whose {@code history} is now 0. The totals
 * ({@code @total}) of a pair it has are kept. Keys outside ecl's
 * scheme ({@code <group>:<interval>:cur:…} and {@code …:last:…}) are never touched. Safe while
 * writers run: a writer still using an older config recreates what it logs.
 *
 * <p>The config must name every group that anyone logs into this Redis, the Python version's
 * clients included: a pair it does not name is taken for a removed one.
 */
public final class KeyPurge {
    private KeyPurge() {
    }

    /**
     * One thing to remove.
     *
     * @param key the key to delete, or the {@code cur:@declared} set to remove {@code member} from
     * @param member the event to undeclare, or null: delete {@code key}
     * @param why one line: what the config no longer has
     */
    public record Item(String key, String member, String why) {
    }

    /** What {@link #apply} would remove; reads only. */
    public static List<Item> plan(EclConfig config) {
        try (RedisConnection c = RedisConnection.single(config.redis())) {
            KeyMode mode = config.redis().keyMode();
            List<Item> out = new ArrayList<>();
            Set<String> pairs = new TreeSet<>();
            c.scan(mode == KeyMode.HASHTAG ? "{*}:*:cur:@ts" : "*:*:cur:@ts", pairs::add);
            for (String ts : pairs) {
                String prefix = ts.substring(0, ts.length() - (Keys.CUR + "@ts").length());
                String[] parts = prefix.substring(0, prefix.length() - 1).split(":", 2);
                if (parts.length != 2) {
                    continue;
                }
                String group = mode == KeyMode.HASHTAG ? parts[0].replaceAll("^\\{|\\}$", "") : parts[0];
                GroupConfig g = config.group(group);
                Interval i = g == null ? null : g.interval(parts[1]);
                if (i != null && Keys.prefix(mode, group, i).equals(prefix)) {
                    undeclared(c, g, prefix, out);
                    if (g.history() == 0 && c.call(j -> j.exists(Keys.historyIn(prefix)))) {
                        out.add(new Item(Keys.historyIn(prefix), null,
                                "group '" + group + "' keeps no history (history: 0)"));
                    }
                    continue;
                }
                String why = g == null ? "group '" + group + "' is not in the config"
                        : "interval '" + parts[1] + "' is not configured for group '" + group + "'";
                Set<String> keys = new TreeSet<>();
                for (String section : new String[] {Keys.CUR, Keys.LAST}) {
                    c.scan(escape(prefix) + section + "*", keys::add);
                }
                for (String whole : new String[] {Keys.historyIn(prefix), Keys.totalIn(prefix)}) {
                    if (c.call(j -> j.exists(whole))) {
                        keys.add(whole);
                    }
                }
                for (String k : keys) {
                    out.add(new Item(k, null, why));
                }
            }
            return out;
        }
    }

    /** Declared events of a configured pair that its group no longer lists. */
    private static void undeclared(RedisConnection c, GroupConfig g, String prefix, List<Item> out) {
        String declared = prefix + Keys.CUR + "@declared";
        Set<String> found = c.call(j -> j.smembers(declared));
        Set<String> members = new TreeSet<>(found);
        for (String ev : members) {
            if (!g.isDeclared(ev)) {
                String why = "event '" + ev + "' is no longer declared in group '" + g.name() + "'";
                out.add(new Item(declared, ev, why));
                out.add(new Item(prefix + Keys.CUR + ev, null, why));
                out.add(new Item(prefix + Keys.LAST + ev, null, why));
            }
        }
    }

    /** Removes what {@link #plan} listed: SREM for undeclared events, DEL for the rest. Returns the items done. */
    public static int apply(EclConfig config, List<Item> items) {
        try (RedisConnection c = RedisConnection.single(config.redis())) {
            int done = 0;
            for (Item it : items) {
                if (it.member() != null) {
                    c.call(j -> j.srem(it.key(), it.member()));
                } else {
                    c.call(j -> j.del(it.key()));
                }
                done++;
            }
            return done;
        }
    }

    /** A key prefix as a literal in a SCAN pattern. */
    private static String escape(String literal) {
        return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
