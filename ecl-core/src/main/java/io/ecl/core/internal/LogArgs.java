package io.ecl.core.internal;

import io.ecl.core.GroupConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * log.lua's arguments before the counts, in the order its header comment names them: the one
 * place that knows the layout, for a logger's flush ({@link RedisEventGroup#scriptArgs}) and a
 * command-line tool's single write ({@link OneShotWriter}). A class of its own, with nothing to
 * initialise: the tool's write must not load the logger's classes (their loggers start SLF4J).
 */
final class LogArgs {
    private LogArgs() {
    }

    /**
     * The flags: "r" when writers may rotate the group, "h" when counts may be held, then the
     * group's history N when it keeps one (a rotation by this writer appends to it as the
     * master's does).
     */
    static String flags(GroupConfig group, boolean hold) {
        String f = (group.writersRotate() ? "r" : "") + (hold ? "h" : "");
        return group.history() > 0 ? f + group.history() : f;
    }

    /**
     * The chunk ID, the flags, then per interval its prefix, the counts' start, its length, the
     * newest start this writer holds counts for and the writer's current start, all in Unix ms; a
     * null {@code newest} or {@code current} leaves empty places for
     * {@link RedisEventGroup#sendArgs} to fill.
     */
    static List<String> of(String chunkId, String flags, String[] prefixes, long[] starts, String[] lengths,
            long[] newest, long[] current) {
        int n = prefixes.length;
        List<String> args = new ArrayList<>(2 + 5 * n + 3);
        args.add(chunkId);
        args.add(flags);
        args.addAll(Arrays.asList(prefixes));
        for (long s : starts) {
            args.add(Long.toString(s));
        }
        args.addAll(Arrays.asList(lengths));
        for (long[] each : new long[][] {newest, current}) {
            for (int i = 0; i < n; i++) {
                args.add(each == null ? "" : Long.toString(each[i]));
            }
        }
        return args;
    }
}
