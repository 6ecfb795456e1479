package io.ecl.testing;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.commands.KeyCommands;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Redis commands of the Python EventCountLogger's master rotating one (group, interval), for
 * tests of a migration and for the soak's Python-style master: one emulation for both.
 */
public final class PythonMaster {
    private PythonMaster() {
    }

    /**
     * SCAN for the counters of the (group, interval) whose keys start with {@code prefix}, then one
     * MULTI/EXEC: a declared event's missing cur set to 0, cur renamed to last, cur set to 0; an
     * auto-declared event's cur renamed to last, its last deleted when cur is missing; cur:@ts set
     * to {@code ts}, the time the rotation ran as Python writes it.
     */
    public static void rotate(KeyCommands redis, Supplier<? extends AbstractTransaction> multi, String prefix,
            List<String> declared, String ts) {
        Set<String> cur = new TreeSet<>();
        Set<String> last = new TreeSet<>();
        ScanParams params = new ScanParams().match(prefix + "[^:]*:[^@]*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.scan(cursor, params);
            for (String key : page.getResult()) {
                String[] parts = key.substring(prefix.length()).split(":", 2);
                (parts[0].equals("cur") ? cur : last).add(parts[1]);
            }
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        try (AbstractTransaction t = multi.get()) {
            for (String ev : declared) {
                if (!cur.contains(ev)) {
                    t.set(prefix + "cur:" + ev, "0");
                }
                t.rename(prefix + "cur:" + ev, prefix + "last:" + ev);
                t.set(prefix + "cur:" + ev, "0");
            }
            for (String ev : cur) {
                if (!declared.contains(ev)) {
                    t.rename(prefix + "cur:" + ev, prefix + "last:" + ev);
                }
            }
            for (String ev : last) {
                if (!declared.contains(ev) && !cur.contains(ev)) {
                    t.del(prefix + "last:" + ev);
                }
            }
            t.set(prefix + "cur:@ts", ts);
            t.exec();
        }
    }
}
