package io.ecl.core;

import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.RedisClient;

/**
 * Commands Redis has executed, from {@code INFO commandstats}: how the tests see round trips
 * without mocking anything.
 */
final class CommandStats {
    private CommandStats() {
    }

    /** Calls per command name (lower case), e.g. {@code evalsha -> 3}. */
    static Map<String, Long> snapshot(RedisClient client) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : client.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                if (field.startsWith("calls=")) {
                    calls.put(name, Long.parseLong(field.substring("calls=".length())));
                }
            }
        }
        return calls;
    }

    /**
     * Commands executed between two snapshots, without the INFO call that took {@code before}
     * (the assertions' own command).
     */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long n = e.getValue() - before.getOrDefault(e.getKey(), 0L) - ("info".equals(e.getKey()) ? 1 : 0);
            if (n != 0) {
                d.put(e.getKey(), n);
            }
        }
        return d;
    }

    /** Commands executed by everyone but the caller since {@code before}. */
    static Map<String, Long> since(RedisClient client, Map<String, Long> before) {
        return delta(before, snapshot(client));
    }
}
