package io.ecl.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import redis.clients.jedis.RedisClient;

/**
 * Redis' own account of where its time went (INFO commandstats: calls and microseconds spent
 * executing each command, parsing and network excluded). Only used on the suite's embedded Redis,
 * since CONFIG RESETSTAT would reset the statistics of a shared server.
 */
final class RedisStats {
    /** Calls of one command and the microseconds Redis spent executing them. */
    static final class Stat {
        final long calls;
        final long usec;

        Stat(long calls, long usec) {
            this.calls = calls;
            this.usec = usec;
        }

        double usecPerCall() {
            return calls == 0 ? 0 : (double) usec / calls;
        }
    }

    private RedisStats() {
    }

    static void reset() {
        try (RedisClient c = BenchRedis.client()) {
            c.sendCommand(redis.clients.jedis.Protocol.Command.CONFIG, "RESETSTAT");
        }
    }

    /** Command name (lower case) to its statistics since the last reset. */
    static Map<String, Stat> read() {
        Map<String, Stat> stats = new LinkedHashMap<>();
        String info;
        try (RedisClient c = BenchRedis.client()) {
            info = c.info("commandstats");
        }
        for (String line : info.split("\r?\n")) {
            // cmdstat_incrby:calls=30000,usec=12345,usec_per_call=0.41,...
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = 0;
            long usec = 0;
            for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] p = kv.split("=", 2);
                if (p[0].equals("calls")) {
                    calls = Long.parseLong(p[1]);
                } else if (p[0].equals("usec")) {
                    usec = Long.parseLong(p[1]);
                }
            }
            stats.put(name, new Stat(calls, usec));
        }
        return stats;
    }

    static Stat of(Map<String, Stat> stats, String command) {
        return stats.getOrDefault(command, new Stat(0, 0));
    }
}
