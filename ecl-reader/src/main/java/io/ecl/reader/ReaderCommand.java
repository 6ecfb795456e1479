package io.ecl.reader;

import io.ecl.cli.Cli;
import io.ecl.cli.CliLogProvider;
import io.ecl.cli.ConfigLocation;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.StreamedCounts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ecl-reader}: prints the counts of one (group, interval) as {@code event:count} lines,
 * exactly as the Python {@code ecl_reader} does (same options, output, messages and exit codes),
 * for cron jobs and Munin plugins written against it; {@code --all} reads every (group, interval)
 * and {@code --format} prints JSON, Munin values or Prometheus metrics instead (see {@link Formats}).
 *
 * <pre>
 * ecl-reader [CONFIG | -c FILE] (-g GROUP [-i INTERVAL] | --all) [--last | --current | --both]
 *            [--format text|json|munin|prometheus] [-v]
 * ecl-reader [CONFIG | -c FILE] -g GROUP [-i INTERVAL] --history N [--format text|json]
 * </pre>
 *
 * Without CONFIG or -c the config is the file $ECL_CONFIG names, else /etc/ecl/config.yml.
 *
 * Exit codes: 0 printed; 1 error (unknown group or interval, bad config, Redis unreachable);
 * 2 usage error; 3 a key of the (group, interval) holds data ecl cannot read, such as a counter
 * that is not an integer (one ERROR line per pair names the key and the fix; with --all every
 * other pair is printed, the broken one left out of text and Munin output, marked in JSON and
 * Prometheus). {@code -v} adds on stderr what the Python tool cannot tell: which times the
 * counts cover, whether {@code last} is stale or merges several intervals, and late counts.
 */
@Command(name = "ecl-reader", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        subcommands = {ServeCommand.class, ClientsCommand.class, WatchCommand.class}, synopsisSubcommandLabel = "",
        description = "Read the counters of an event group from Redis and print them as event:count lines,"
                + " sorted by event ID (part of the Event Count Logger system), or as JSON, Munin values or"
                + " Prometheus metrics.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:counts printed", "1:error (unknown group or interval, bad config, Redis unreachable)",
                "2:usage error", "3:a key in Redis holds data ecl cannot read (named on stderr); with --all the other"
                        + " intervals are printed"})
public final class ReaderCommand implements Callable<Integer>, Cli.Parsed {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "YAML file with the event groups and the Redis connection (the Python version's format)."
                    + " Default: the file $ECL_CONFIG names, else /etc/ecl/config.yml.")
    Path config;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The config file, as an option (instead of CONFIG).")
    Path configOption;

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", description = "Event group to print (required unless --all).")
    String group;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL",
            description = "Interval to read, as written in the config (e.g. 5m); may be omitted when the group has only one.")
    String interval;

    @Option(names = "--all",
            description = "Print every interval of every group of the config (instead of -g and -i); the text format"
                    + " puts a line '[GROUP INTERVAL]' before each.")
    boolean all;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default: event:count lines), json, munin (field.value lines, U when 'last' is"
                    + " stale) or prometheus (text exposition format 0.0.4).")
    Format format;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Section section;

    @Option(names = "--history", paramLabel = "N",
            description = "Print the last N closed intervals Redis keeps for the group (its 'history' in the"
                    + " config), oldest first: a table (text) or a JSON array (--format json).")
    String history;

    /**
     * The time zone of the history table's interval starts (tests fix one); null: the system's,
     * looked up only for --history (the time-zone rules search every jar for providers).
     */
    java.time.ZoneId zone;

    @Option(names = {"-v", "--verbose"},
            description = "Also print on stderr the times the counts cover, warnings about a stale 'last' or one"
                    + " covering several intervals, late counts; and stack traces of errors.")
    boolean verbose;

    /** Where the config comes from when neither CONFIG nor -c is given (tests replace it). */
    ConfigLocation configLocation = ConfigLocation.SYSTEM;

    /** How big groups are read (tests make them small). */
    CounterReader.Paging paging = CounterReader.Paging.DEFAULT;

    /** The output formats of --format. */
    enum Format {
        text, json, munin, prometheus
    }

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

    /**
     * Runs the tool and exits with its exit code. The command lines cron jobs and Munin plugins
     * run (see {@link #parseCommon}) skip picocli, whose start-up (about 180 classes, read by
     * reflection, and too old to be class-data shared by a dynamic archive) would cost more than
     * the rest of the tool; anything else goes through picocli.
     */
    public static void main(String[] args) {
        CliLogProvider.install();
        ReaderCommand command = parseCommon(args);
        System.exit(command != null ? Cli.runParsed(command) : Cli.run(new ReaderCommand(), args));
    }

    @Override
    public Integer call() {
        checkUsage();
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * The command, with its options set, when {@code args} is a command line whose meaning is
     * certain without picocli: only the tool's own options (long ones possibly abbreviated, see
     * {@link #unabbreviated}), each once and as a separate word
     * ({@code -g GROUP}, not {@code -gGROUP} or {@code --group=GROUP}), values that cannot be
     * taken for an option, at most one CONFIG, and none of the combinations
     * {@link #checkUsage()} refuses. Anything else (--help, --version, serve, usage errors,
     * argument files, clustered or attached options) is null: picocli parses it, so its
     * messages and exit codes stay the only ones.
     */
    static ReaderCommand parseCommon(String[] args) {
        return parseCommon(new ReaderCommand(), args);
    }

    /** {@link #parseCommon(String[])} into {@code c}, a new command (tests give it their clock). */
    static ReaderCommand parseCommon(ReaderCommand c, String[] args) {
        int sections = 0;
        for (int k = 0; k < args.length; k++) {
            String a = unabbreviated(args[k]);
            if (a.isEmpty() || a.charAt(0) != '-') {
                if (c.config != null || a.startsWith("@") || a.equals("serve") || a.equals("clients") || a.equals("watch")) {
                    return null;
                }
                c.config = Path.of(a);
                continue;
            }
            switch (a) {
                case "--all":
                    if (c.all) {
                        return null;
                    }
                    c.all = true;
                    continue;
                case "-v":
                case "--verbose":
                    if (c.verbose) {
                        return null;
                    }
                    c.verbose = true;
                    continue;
                case "--last":
                case "--current":
                case "--both":
                    if (sections++ > 0) {
                        return null;
                    }
                    c.section = new Section();
                    c.section.last = a.equals("--last");
                    c.section.current = a.equals("--current");
                    c.section.both = a.equals("--both");
                    continue;
                default:
                    break;
            }
            if (k + 1 >= args.length) {
                return null;
            }
            String v = args[++k];
            if (v.startsWith("-") || v.startsWith("@") || v.equals("serve") || v.equals("clients") || v.equals("watch")) {
                return null;
            }
            switch (a) {
                case "-g":
                case "--group":
                    if (c.group != null) {
                        return null;
                    }
                    c.group = v;
                    break;
                case "-i":
                case "--interval":
                    if (c.interval != null) {
                        return null;
                    }
                    c.interval = v;
                    break;
                case "-c":
                case "--config":
                    if (c.configOption != null) {
                        return null;
                    }
                    c.configOption = Path.of(v);
                    break;
                case "--format":
                    if (c.format != null) {
                        return null;
                    }
                    switch (v) {
                        case "text": c.format = Format.text; break;
                        case "json": c.format = Format.json; break;
                        case "munin": c.format = Format.munin; break;
                        case "prometheus": c.format = Format.prometheus; break;
                        default: return null;
                    }
                    break;
                default:
                    return null;
            }
        }
        if (c.format == null) {
            c.format = Format.text;
        }
        boolean usageError = (c.config != null && c.configOption != null)
                || (c.all && (c.group != null || c.interval != null))
                || (!c.all && c.group == null)
                || (c.format == Format.munin && c.section != null && c.section.both);
        return usageError ? null : c;
    }

    /** The exit code when a (group, interval) could not be read because of what a key holds. */
    static final int EXIT_DATA_ERROR = 3;

    /** Every long option of the command and its mixins, as picocli knows them (a test checks they agree). */
    static final List<String> LONG_OPTIONS = List.of("--config", "--group", "--interval", "--all", "--format",
            "--last", "--current", "--both", "--history", "--verbose", "--help", "--version");

    /**
     * The long option that {@code arg} abbreviates when it is the prefix of exactly one (as
     * picocli, with abbreviated options allowed, and Python's argparse read it), else {@code arg}.
     */
    static String unabbreviated(String arg) {
        return LongOptions.unabbreviated(arg, LONG_OPTIONS);
    }

    /** A new command with this one's clock and config location, not yet parsed (for tests). */
    ReaderCommand sameEnvironment() {
        ReaderCommand c = new ReaderCommand(clock);
        c.configLocation = configLocation;
        c.paging = paging;
        c.zone = zone;
        return c;
    }

    /** The command once its options are parsed and checked. */
    @Override
    public int run(PrintWriter out, PrintWriter err) {
        Cli.stackTraces = verbose;
        Formats.Sections sections = section == null || section.last ? Formats.Sections.LAST
                : section.current ? Formats.Sections.CURRENT : Formats.Sections.BOTH;
        try {
            EclConfig cfg = configLocation.loadSkippingInvalidGroups(configOption != null ? configOption : config);
            if (!all && Cli.invalidGroup(cfg, group) != null) {
                return Cli.error(err, Cli.invalidGroup(cfg, group));
            }
            Cli.warnings(err, cfg);
            List<GroupConfig> groups = new ArrayList<>();
            List<Interval> intervals = new ArrayList<>();
            if (all) {
                for (GroupConfig g : cfg.groups()) {
                    for (Interval i : g.intervals()) {
                        groups.add(g);
                        intervals.add(i);
                    }
                }
            } else {
                GroupConfig g = cfg.requireGroup(group);
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
                if (history != null) {
                    return history(cfg, g, i, out, err);
                }
                groups.add(g);
                intervals.add(i);
            }
            // Every pair is read before the first byte is printed: an error (Redis, a rotation
            // during each attempt at a big group) is then one line on stderr and no output, never
            // a partial one. A big group's counts wait in a temporary file (StreamedCounts).
            List<Formats.Read> reads = new ArrayList<>(groups.size());
            List<Formats.Totals> totals = List.of();
            try {
                int failed = 0;
                try (CounterReader reader = CounterReader.connectOnce(cfg, paging)) {
                    for (int k = 0; k < groups.size(); k++) {
                        try {
                            StreamedCounts counts = reader.readStreamed(groups.get(k), intervals.get(k));
                            reads.add(new Formats.Read(counts, counts.header().isStale(clock.millis())));
                        } catch (RedisDataException e) {
                            // One broken (group, interval) does not hide the others (--all); named on stderr.
                            Cli.error(err, e.getMessage());
                            reads.add(Formats.Read.failed(groups.get(k).name(), intervals.get(k), e.getMessage()));
                            failed++;
                        }
                    }
                    if (format == Format.prometheus) {
                        totals = Formats.Totals.readAll(reader, new java.util.LinkedHashSet<>(groups), reads);
                    }
                }
                if (all || failed == 0) {
                    print(out, reads, totals, sections);
                }
                if (verbose) {
                    for (Formats.Read r : reads) {
                        if (r.counts != null) {
                            describe(err, r.counts, clock.millis());
                        }
                    }
                }
                return failed == 0 ? 0 : EXIT_DATA_ERROR;
            } finally {
                Formats.closeAll(reads);
            }
        } catch (ConfigException | RedisUnavailableException e) {
            return Cli.fail(err, e, verbose);
        } catch (java.io.UncheckedIOException e) {
            // the temporary file of a big group: the message names the directory and the reason
            return Cli.fail(err, e, verbose);
        } catch (RuntimeException e) {
            return Cli.unexpected(err, e, verbose);
        }
    }

    /**
     * --history N: the kept intervals of one (group, interval); exit 1 when the group keeps none,
     * 2 when N is not a whole number from 1 to {@link GroupConfig#MAX_HISTORY}, 3 when the kept
     * entries cannot be read.
     */
    private int history(EclConfig cfg, GroupConfig g, Interval i, PrintWriter out, PrintWriter err) {
        int n;
        try {
            n = Integer.parseInt(history.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > GroupConfig.MAX_HISTORY) {
            Cli.error(err, "--history '" + history.replaceAll("\\p{Cntrl}", "?") + "': N must be a whole number"
                    + " from 1 to " + GroupConfig.MAX_HISTORY);
            return 2;
        }
        if (g.history() == 0) {
            return Cli.error(err, "group '" + g.name() + "' keeps no history; set history: N for it (or at the top"
                    + " level) in " + cfg.source() + ", and ecl-master keeps the last N intervals from its next rotation");
        }
        List<io.ecl.core.ops.HistoryEntry> entries;
        try (CounterReader reader = CounterReader.connectOnce(cfg, paging)) {
            entries = reader.history(g, i, n);
        } catch (RedisDataException e) {
            Cli.error(err, e.getMessage());
            return EXIT_DATA_ERROR;
        }
        out.append(format == Format.json ? Formats.historyJson(entries) : Formats.historyTable(entries,
                zone != null ? zone : java.time.ZoneId.systemDefault()));
        out.flush();
        return 0;
    }

    /** The combinations picocli cannot check: usage errors, exit 2 with the usage (mirrored in parseCommon). */
    private void checkUsage() {
        CommandLine cl = spec.commandLine();
        if (history != null && (all || section != null || (format != Format.text && format != Format.json))) {
            throw new ParameterException(cl, "--history prints the kept intervals of one group as a table or as JSON"
                    + " (--format json): it does not go with --all, --last, --current, --both, --format munin or prometheus");
        }
        if (config != null && configOption != null) {
            throw new ParameterException(cl, "CONFIG and -c/--config cannot both be given");
        }
        if (all && (group != null || interval != null)) {
            throw new ParameterException(cl, "--all reads every group and interval: it cannot be combined with -g or -i");
        }
        if (!all && group == null) {
            throw new ParameterException(cl, "Missing required option: '--group=GROUP'");
        }
        if (format == Format.munin && section != null && section.both) {
            throw new ParameterException(cl, "--format munin prints one section: --last or --current, not --both");
        }
    }

    /** Writes the output a count at a time: the text of 500,000 events is never one string. */
    private void print(PrintWriter out, List<Formats.Read> reads, List<Formats.Totals> totals, Formats.Sections sections) {
        try {
            switch (format) {
                case json:
                    if (all) {
                        out.append("[\n");
                        for (int k = 0; k < reads.size(); k++) {
                            Formats.json(out, reads.get(k), sections);
                            out.append(k + 1 < reads.size() ? ",\n" : "\n");
                        }
                        out.append("]\n");
                    } else {
                        Formats.json(out, reads.get(0), sections);
                        out.append('\n');
                    }
                    break;
                case munin:
                    for (Formats.Read r : reads) {
                        if (r.counts == null) {
                            continue;
                        }
                        if (all) {
                            out.append("multigraph ecl_")
                                    .append(Formats.muninField(r.counts.group() + "_" + r.counts.interval().name()))
                                    .append('\n');
                        }
                        Formats.munin(out, r, sections == Formats.Sections.CURRENT);
                    }
                    break;
                case prometheus:
                    Formats.prometheus(out, reads, sections);
                    Formats.totalsFamily(out, totals);
                    break;
                default:
                    for (Formats.Read r : reads) {
                        if (r.counts == null) {
                            continue;
                        }
                        if (all) {
                            out.append('[').append(r.counts.group()).append(' ').append(r.counts.interval().name())
                                    .append("]\n");
                        }
                        text(out, r, sections);
                    }
            }
        } catch (java.io.IOException e) {
            // the temporary file of a big group could not be read back (a PrintWriter never throws)
            throw new java.io.UncheckedIOException("cannot read back the counts of a big group from its temporary file"
                    + " in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
        out.flush();
    }

    /** Today's (and Python's) output: event:count lines, with Last: and Current: headers for --both. */
    private static void text(PrintWriter out, Formats.Read r, Formats.Sections sections) throws java.io.IOException {
        if (sections == Formats.Sections.BOTH) {
            out.append("Last:\n");
        }
        if (sections != Formats.Sections.CURRENT) {
            textCounts(out, r, false);
            textCounts(out, r.counts.lastUniques()); // after the counts: a group without uniques prints what it always did
            textValues(out, r.counts.lastValues());
        }
        if (sections == Formats.Sections.BOTH) {
            out.append("Current:\n");
        }
        if (sections != Formats.Sections.LAST) {
            textCounts(out, r, true);
            textCounts(out, r.counts.currentUniques());
            textValues(out, r.counts.currentValues());
        }
    }

    private static void textValues(PrintWriter out, java.util.Map<String, io.ecl.core.ValueStats> values) {
        StringBuilder b = new StringBuilder();
        Formats.textValues(b, values);
        out.append(b);
    }

    private static void textCounts(PrintWriter out, java.util.Map<String, Long> counts) {
        for (java.util.Map.Entry<String, Long> e : Formats.sorted(counts)) {
            out.append(e.getKey()).append(':').append(Long.toString(e.getValue())).append('\n');
        }
    }

    private static void textCounts(PrintWriter out, Formats.Read r, boolean current) throws java.io.IOException {
        StringBuilder b = new StringBuilder(64);
        // An anonymous class, not a lambda: linking a lambda costs a one-shot reader more.
        r.forEach(current, new io.ecl.core.ops.StreamedCounts.CountVisitor() {
            @Override
            public void count(String event, long count) {
                b.setLength(0);
                out.append(b.append(event).append(':').append(count).append('\n'));
            }
        });
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
}
