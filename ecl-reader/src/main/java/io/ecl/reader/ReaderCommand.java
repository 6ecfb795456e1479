package io.ecl.reader;

import io.ecl.core.ConfigException;
import io.ecl.core.CounterReader;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisUnavailableException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ecl-reader}: prints the counts of one (group, interval) as {@code event:count} lines,
 * exactly as the Python {@code ecl_reader} does (same options, output, messages and exit codes),
 * for cron jobs and Munin plugins written against it.
 *
 * <pre>
 * ecl-reader CONFIG -g GROUP [-i INTERVAL] [--last | --current | --both] [-v]
 * </pre>
 *
 * Exit codes: 0 printed; 1 error (unknown group or interval, bad config, Redis unreachable);
 * 2 usage error. {@code -v} adds on stderr what the Python tool cannot tell: which times the
 * counts cover, whether {@code last} is stale or merges several intervals, and late counts.
 */
@Command(name = "ecl-reader", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Read the counters of an event group from Redis and print them as event:count lines,"
                + " sorted by event ID (part of the Event Count Logger system).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:counts printed", "1:error (unknown group or interval, bad config, Redis unreachable)",
                "2:usage error"})
public final class ReaderCommand implements Callable<Integer> {
    /**
     * Python's {@code sorted()} orders strings by code point; String.compareTo (and so the
     * TreeMaps of IntervalCounts) by UTF-16 unit, which differs when an event ID holds a
     * character beyond U+FFFF. Shifting the units so that surrogates sort above U+E000..U+FFFF
     * gives code-point order without decoding.
     */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return a.length() - b.length();
    };

    @Parameters(index = "0", paramLabel = "CONFIG",
            description = "YAML file with the event groups and the Redis connection (the Python version's format).")
    Path config;

    @Option(names = {"-g", "--group"}, required = true, paramLabel = "GROUP", description = "Event group to print.")
    String group;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL",
            description = "Interval to read, as written in the config (e.g. 5m); may be omitted when the group has only one.")
    String interval;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Section section;

    @Option(names = {"-v", "--verbose"},
            description = "Also print on stderr the times the counts cover, warnings about a stale 'last' or one"
                    + " covering several intervals, late counts; and stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    /** Which counts to print; Python's mutually exclusive --last / --current / --both. */
    static final class Section {
        @Option(names = "--last", description = "Print the counts of the last complete interval (the default).")
        boolean last;

        @Option(names = "--current", description = "Print the counts of the current (incomplete) interval.")
        boolean current;

        @Option(names = "--both", description = "Print 'Last:', the last counts, 'Current:', the current counts.")
        boolean both;
    }

    /** The command as {@code main} runs it. */
    public ReaderCommand() {
        this(Clock.systemUTC());
    }

    /** With the clock that decides whether {@code last} is stale (tests step one). */
    ReaderCommand(Clock clock) {
        this.clock = clock;
    }

    /** Runs the tool and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(Cli.run(new ReaderCommand(), args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CliLogLayout.stackTraces = verbose;
        try {
            EclConfig cfg = EclConfig.load(config);
            Cli.warnings(err, cfg);
            GroupConfig g = cfg.group(group);
            if (g == null) {
                return Cli.error(err, "Group '" + group + "' not found in configuration");
            }
            Interval i;
            // Python tests `if args.interval:`, so an empty -i '' means "not given" there too.
            if (interval != null && !interval.isEmpty()) {
                i = g.interval(interval);
                if (i == null) {
                    return Cli.error(err, "Interval '" + interval + "' not configured for this group.");
                }
            } else if (g.intervals().size() == 1) {
                i = g.intervals().get(0);
            } else {
                return Cli.error(err,
                        "Multiple intervals defined for the group, one must be selected using the '-i' parameter.");
            }
            IntervalCounts counts;
            try (CounterReader reader = CounterReader.connect(cfg)) {
                counts = reader.read(g, i);
            }
            print(out, counts);
            if (verbose) {
                describe(err, counts, clock.millis());
            }
            return 0;
        } catch (ConfigException | RedisUnavailableException e) {
            return Cli.fail(err, e, verbose);
        } catch (RuntimeException e) {
            return Cli.unexpected(err, e, verbose);
        }
    }

    private void print(PrintWriter out, IntervalCounts counts) {
        boolean both = section != null && section.both;
        boolean current = section != null && section.current;
        if (both) {
            out.print("Last:\n");
        }
        if (!current) {
            printCounts(out, counts.last());
        }
        if (both) {
            out.print("Current:\n");
        }
        if (current || both) {
            printCounts(out, counts.current());
        }
        out.flush();
    }

    private static void printCounts(PrintWriter out, Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.comparingByKey(CODE_POINT_ORDER));
        StringBuilder b = new StringBuilder(64);
        for (Map.Entry<String, Long> e : entries) {
            b.setLength(0);
            b.append(e.getKey()).append(':').append(e.getValue().longValue()).append('\n');
            out.append(b);
        }
    }

    /** The -v report: what the counts cover and why they might not be what the user expects. */
    private static void describe(PrintWriter err, IntervalCounts c, long now) {
        long length = c.interval().lengthMillis();
        Cli.line(err, "group '" + c.group() + "', interval " + c.interval().name());
        Long cur = c.currentStartMillis();
        if (cur == null) {
            Cli.line(err, "WARNING: this interval has never been rotated (Redis has no start time for it):"
                    + " 'last' holds nothing yet; is ecl-master running?");
        } else {
            Long last = c.lastStartMillis();
            Cli.line(err, "last:    " + (last == null ? "?" : iso(last)) + " to " + iso(cur)
                    + (last == null ? " (start not recorded: first rotation, or rotated by the Python master)" : ""));
            Cli.line(err, "current: " + iso(cur) + " to " + iso(cur + length) + " (in progress)");
            if (c.lastCoversSeveralIntervals()) {
                Cli.line(err, "WARNING: 'last' covers " + (cur - last) / length + " intervals of " + c.interval().name()
                        + " (" + iso(last) + " to " + iso(cur) + "): nothing rotated in between, so their counts"
                        + " are merged; was ecl-master down?");
            }
            if (c.isStale(now)) {
                Cli.line(err, "WARNING: 'last' is stale: the current interval should have been rotated at "
                        + iso(cur + length) + " and was not; is ecl-master running?");
            }
        }
        if (c.lateInLast() != 0 || c.lateInCurrent() != 0) {
            Cli.line(err, "late counts: " + c.lateInLast() + " in last, " + c.lateInCurrent() + " in current"
                    + " (they reached Redis after their own interval had been closed and are counted in a later one)");
        }
    }

    private static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    private static int codePointRank(char c) {
        if (c < Character.MIN_SURROGATE) {
            return c;
        }
        return Character.isSurrogate(c) ? c + 0x2000 : c - 0x800;
    }
}
