package io.ecl.core.internal;

import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an error about what a key holds into a message an operator can act on: which key of which
 * (group, interval), what it holds, and the command that fixes it. Redis' own WRONGTYPE reply
 * names no key; check.lua looks at every key ecl keeps for the (group, interval).
 */
public final class KeyCheck {
    /** How many problems one message lists (the rest are counted). */
    private static final int MAX_LISTED = 3;

    private KeyCheck() {
    }

    /**
     * {@code failure} with a message naming {@code group}/{@code interval} and the keys of it that
     * hold another type than ecl keeps there; with Redis' own message when none is found (the key
     * was fixed meanwhile, or the error has another cause) or the check fails too.
     */
    public static RedisDataException explain(RedisConnection connection, GroupConfig group, Interval interval,
            RedisDataException failure) {
        List<String> problems;
        try {
            problems = wrongTypes(connection, group, interval);
        } catch (RedisUnavailableException e) {
            problems = List.of();
        }
        if (problems.isEmpty()) {
            problems = List.of(failure.getMessage());
        }
        return new RedisDataException(describe(group, interval, problems), failure);
    }

    /** One problem per key: "K is a T, not the T' ecl keeps there; fix: DEL K". */
    static List<String> wrongTypes(RedisConnection connection, GroupConfig group, Interval interval) {
        String prefix = Keys.prefix(connection.config.keyMode(), group.name(), interval);
        List<String> args = new ArrayList<>(group.events().size() + 1);
        args.add(prefix);
        args.addAll(group.events());
        List<?> reply = (List<?>) connection.eval(LuaScript.CHECK.source(),
                List.of(Keys.curTs(connection.config.keyMode(), group.name(), interval)), args);
        List<String> problems = new ArrayList<>();
        for (int k = 0; k + 2 < reply.size(); k += 3) {
            String key = String.valueOf(reply.get(k));
            problems.add(key + " is a " + reply.get(k + 1) + ", not the " + reply.get(k + 2)
                    + " ecl keeps there; fix: DEL " + key);
        }
        return problems;
    }

    /** "group 'g', interval 5s: P1; P2; and 3 more keys". */
    static String describe(GroupConfig group, Interval interval, List<String> problems) {
        StringBuilder b = new StringBuilder(128);
        b.append("group '").append(group.name()).append("', interval ").append(interval.name()).append(": ");
        for (int k = 0; k < problems.size() && k < MAX_LISTED; k++) {
            b.append(k == 0 ? "" : "; ").append(problems.get(k));
        }
        if (problems.size() > MAX_LISTED) {
            b.append("; and ").append(problems.size() - MAX_LISTED).append(" more keys");
        }
        return b.toString();
    }
}
