package io.ecl.reader;

import ch.qos.logback.classic.Level;
import io.ecl.cli.Cli;
import io.ecl.cli.CliLogProvider;
import io.ecl.cli.ConfigLocation;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ops.OneShotLog;
import io.ecl.core.ops.Ping;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ecl-log-event}: logs events from shell scripts, as the Python {@code ecl_log_event} does,
 * plus a stream mode for pipes.
 *
 * <pre>
 * ecl-log-event CONFIG GROUP EVENT [COUNT] [-v]
 * ecl-log-event CONFIG GROUP - [-v]            # lines "EVENT [COUNT]" on stdin
 * ecl-log-event -c CONFIG GROUP EVENT [COUNT]
 * ecl-log-event GROUP EVENT [-n COUNT]         # config: $ECL_CONFIG, else /etc/ecl/config.yml
 * </pre>
 *
 * <p>One event: logged and delivered before the tool exits; exit 1 with one {@code ERROR:} line
 * when the group is unknown, the event is refused, Redis cannot be reached (Redis is pinged
 * first, so the tool fails fast and names the reason), or Redis rejects the count (the library's
 * error line names the group and Redis's answer, e.g. WRONGTYPE).
 *
 * <p>Stream mode ({@code EVENT} is {@code -}): every line of stdin is counted through local
 * counters, pushed every second (or the group's own {@code sync_interval}) and at end of input,
 * so one process keeps up with a busy log. A burst of new event IDs (every client address of an
 * access log) is pushed early, and reading stops until Redis has it
 * ({@link EventCountLogger#awaitCapacity()}): memory stays bounded and nothing is dropped while
 * Redis answers. Redis must answer at start; a later outage is bridged by the library (counts
 * wait in memory, up to {@code max_pending} distinct ones). A malformed line, a line longer than
 * {@link StdinLines#MAX_LINE_BYTES} or a refused event is a warning naming the line and is
 * skipped. Exit 1 if counts could not be delivered at end of input, or the library reported an
 * error (a count refused by Redis, a total beyond a long).
 */
@Command(name = "ecl-log-event", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        customSynopsis = {"ecl-log-event [-hvV] CONFIG GROUP EVENT [COUNT]",
                "       ecl-log-event [-hvV] -c FILE GROUP EVENT [COUNT]",
                "       ecl-log-event [-hvV] [-n COUNT] GROUP EVENT",
                "Without CONFIG or -c the config is $ECL_CONFIG, else /etc/ecl/config.yml.",
                "EVENT '-' reads lines 'EVENT [COUNT]' from stdin.", ""},
        description = "Log an event to the Event Count Logger system, or with EVENT '-' every line"
                + " 'EVENT [COUNT]' read from stdin.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:logged", "1:error (unknown group, event refused, bad config, Redis unreachable,"
                + " counts not delivered)", "2:usage error"})
public final class LogEventCommand implements Callable<Integer>, Cli.Parsed {
    /** How long closing retries a failed delivery: a command-line tool should not hang on a dead Redis. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** Sync interval for stream mode when the group has none: counts reach Redis within a second. */
    static final Duration STREAM_SYNC_INTERVAL = Duration.ofSeconds(1);
    /** Warnings about stdin lines stop after this many, so a wrong pipe cannot flood the terminal. */
    static final int MAX_LINE_WARNINGS = 100;
    /**
     * Verdicts on event IDs remembered at most: a stream of ever new IDs must not grow the tool.
     * Past this many the cache starts again (a verdict is cheap to repeat).
     */
    static final int MAX_VERDICTS = 10_000;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The config file; the arguments are then GROUP EVENT [COUNT].")
    Path configOption;

    @Option(names = {"-n", "--count"}, paramLabel = "COUNT",
            description = "Increment the counter by this number, as an option (default: 1).")
    Long countOption;

    @Parameters(paramLabel = "ARGS", arity = "0..*", hidden = true,
            description = "CONFIG GROUP EVENT [COUNT] (Python's order); with -c: GROUP EVENT [COUNT]; or just"
                    + " GROUP EVENT with the config of $ECL_CONFIG, else /etc/ecl/config.yml.")
    List<String> arguments;

    /** The config file, or null for $ECL_CONFIG / the default path. */
    Path config;
    String group;
    String event;
    Long count;

    /** Where the config comes from when neither CONFIG nor -c is given (tests replace it). */
    ConfigLocation configLocation = ConfigLocation.SYSTEM;

    @Option(names = {"-v", "--verbose"},
            description = "With -: print 'logged N events (M lines)' on stderr at the end. Stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final InputStream stdin;

    /** The command as {@code main} runs it, reading System.in in stream mode. */
    public LogEventCommand() {
        this(System.in);
    }

    /** With another stdin (tests). */
    LogEventCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    /** A new command with this one's stdin and config location, not yet parsed (for tests). */
    LogEventCommand sameEnvironment() {
        LogEventCommand c = new LogEventCommand(stdin);
        c.configLocation = configLocation;
        return c;
    }

    /**
     * Runs the tool and exits with its exit code. The command lines of scripts and cron jobs (see
     * {@link #parseCommon}) skip picocli, whose start-up (its model read by reflection, a proxy
     * class per annotation) took longer than everything else the tool does; anything else goes
     * through picocli.
     */
    public static void main(String[] args) {
        CliLogProvider.install();
        LogEventCommand command = parseCommon(new LogEventCommand(), args);
        System.exit(command != null ? Cli.runParsed(command) : Cli.run(new LogEventCommand(), args));
    }

    /** Every long option of the command and its mixins, as picocli knows them (a test checks they agree). */
    static final List<String> LONG_OPTIONS = List.of("--config", "--count", "--verbose", "--help", "--version");

    /**
     * {@code c} with its options and arguments set, when {@code args} is a command line whose
     * meaning is certain without picocli: only -c, -n and -v (long ones possibly abbreviated, as
     * picocli reads them), each once and as a separate word, option values that cannot be taken
     * for an option, a COUNT of plain digits for -n, positional arguments that are not options
     * (except the stdin EVENT '-') nor argument files, and none of the combinations
     * {@link #assignArguments()} refuses. Anything else (--help, --version, usage errors, negative
     * or attached values) is null: picocli parses it, so its messages and exit codes stay the only ones.
     */
    static LogEventCommand parseCommon(LogEventCommand c, String[] args) {
        List<String> positional = new ArrayList<>(4);
        try {
            for (int k = 0; k < args.length; k++) {
                String a = LongOptions.unabbreviated(args[k], LONG_OPTIONS);
                if (a.isEmpty() || a.charAt(0) != '-' || a.equals("-")) {
                    if (a.startsWith("@")) {
                        return null;
                    }
                    positional.add(a);
                    continue;
                }
                if (a.equals("-v") || a.equals("--verbose")) {
                    if (c.verbose) {
                        return null;
                    }
                    c.verbose = true;
                    continue;
                }
                if (k + 1 >= args.length) {
                    return null;
                }
                String v = args[++k];
                if (v.startsWith("-") || v.startsWith("@")) {
                    return null;
                }
                if ((a.equals("-c") || a.equals("--config")) && c.configOption == null) {
                    c.configOption = Path.of(v);
                } else if ((a.equals("-n") || a.equals("--count")) && c.countOption == null && isPlainCount(v)) {
                    c.countOption = Long.valueOf(v);
                } else {
                    return null;
                }
            }
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        c.arguments = positional;
        return c.assignArguments() == null ? c : null;
    }

    /** Digits without a leading zero, up to 18 of them: what every reading of a number agrees on. */
    private static boolean isPlainCount(String v) {
        if (v.isEmpty() || v.length() > 18 || (v.charAt(0) == '0' && v.length() > 1)) {
            return false;
        }
        for (int k = 0; k < v.length(); k++) {
            if (v.charAt(k) < '0' || v.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Assigns the positional arguments, without guessing: with -c they are GROUP EVENT [COUNT];
     * without, exactly two are GROUP EVENT (Python always needs three or more: CONFIG GROUP EVENT),
     * unless the first ends in .yml or .yaml (a CONFIG whose EVENT was forgotten); otherwise they
     * are Python's CONFIG GROUP EVENT [COUNT].
     *
     * @return the usage error (exit 2 with the usage), or null
     */
    String assignArguments() {
        List<String> a = arguments == null ? List.of() : arguments;
        String[] names;
        int required;
        String python = "CONFIG GROUP EVENT COUNT";
        if (configOption != null) {
            names = new String[] {"GROUP", "EVENT", "COUNT"};
            required = 2;
            config = configOption;
        } else if (a.size() <= 2 && !(a.size() >= 1 && looksLikeConfig(a.get(0)))) {
            names = new String[] {"GROUP", "EVENT"};
            required = 2;
        } else {
            names = python.split(" ");
            required = 3;
        }
        if (a.size() > names.length) {
            return "Unmatched argument at index " + names.length + ": '" + a.get(names.length) + "'";
        }
        if (a.size() < required) {
            StringBuilder missing = new StringBuilder();
            for (int k = a.size(); k < required; k++) {
                missing.append(k > a.size() ? ", '" : "'").append(names[k]).append('\'');
            }
            return "Missing required parameter" + (required - a.size() > 1 ? "s: " : ": ") + missing;
        }
        int k = 0;
        if (names.length == 4) {
            config = Path.of(a.get(k++));
        }
        group = a.get(k++);
        event = a.get(k++);
        if (k < a.size()) {
            String text = a.get(k);
            try {
                count = Long.valueOf(text);
            } catch (NumberFormatException e) {
                return "Invalid value for positional parameter at index " + k + " (COUNT): '" + text + "' is not a long";
            }
            if (countOption != null) {
                return "COUNT given twice: as an argument and with -n";
            }
        } else {
            count = countOption;
        }
        if ("-".equals(event) && count != null) {
            return "COUNT cannot be given with EVENT '-': each line of stdin carries its own count";
        }
        return null;
    }

    /** A first argument that can only be a config file: ends in .yml or .yaml. */
    static boolean looksLikeConfig(String argument) {
        String lower = argument.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".yml") || lower.endsWith(".yaml");
    }

    @Override
    public Integer call() {
        String usage = assignArguments();
        if (usage != null) {
            throw new ParameterException(spec.commandLine(), usage);
        }
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The command once its arguments are assigned and checked. */
    @Override
    public int run(PrintWriter out, PrintWriter err) {
        boolean stream = "-".equals(event);
        Cli.stackTraces = verbose;
        try {
            EclConfig cfg = configLocation.loadSkippingInvalidGroups(config);
            if (Cli.invalidGroup(cfg, group) != null) {
                return Cli.error(err, Cli.invalidGroup(cfg, group));
            }
            Cli.warnings(err, cfg);
            GroupConfig g = cfg.requireGroup(group);
            if (stream) {
                return logStream(err, cfg, g);
            }
            String refused = refusal(g, event);
            if (refused != null) {
                return Cli.error(err, refused);
            }
            return logOne(err, cfg, g);
        } catch (ConfigException | RedisUnavailableException e) {
            return Cli.fail(err, e, verbose);
        } catch (RuntimeException e) {
            return Cli.unexpected(err, e, verbose);
        }
    }

    private int logOne(PrintWriter err, EclConfig cfg, GroupConfig g) {
        long n = count == null ? 1 : count;
        if (OneShotLog.supports(cfg.redis())) {
            // One plain connection for the ping and the write: a logger's pool, flusher thread and
            // Jedis client were most of this tool's run. The lines are the logger's.
            Optional<String> problem = OneShotLog.log(cfg.redis(), g, event, n, CLOSE_TIMEOUT);
            return problem.isEmpty() ? 0 : Cli.error(err, problem.get());
        }
        EventCountLogger ecl;
        boolean delivered;
        // Only this tool's own line may report an outage here; what the tool cannot tell
        // otherwise, such as a key of the group holding a non-counter value, still shows.
        ping(cfg);
        LibraryLog library = LibraryLog.only(Level.ERROR);
        try {
            // One count and gone: no heartbeat (a stream, which runs for a while, has one).
            ecl = EventCountLogger.builder(alone(cfg, g)).withoutShutdownHook().withoutHeartbeat()
                    .closeTimeout(CLOSE_TIMEOUT).build();
            ecl.group(g.name()).log(event, n);
            delivered = ecl.flush();
        } finally {
            library.restore();
        }
        delivered = close(ecl, delivered);
        if (!delivered) {
            // Why, when Redis said it (refused the write: OOM, READONLY, NOPERM, ...).
            String why = ecl.lastFailure();
            return Cli.error(err, why == null
                    ? "cannot deliver the count to Redis at " + cfg.redis().address() + "; it is lost"
                    : "cannot deliver the count: " + why + "; it is lost");
        }
        // The library's ERROR line has said what was not stored; flush() cannot tell.
        return ecl.health().dataErrors() == 0 ? 0 : 1;
    }

    private int logStream(PrintWriter err, EclConfig cfg, GroupConfig g) {
        ping(cfg);
        // The shutdown hook pushes what was read when the pipe is interrupted (Ctrl-C, SIGTERM);
        // close() removes it again.
        EventCountLogger ecl = EventCountLogger.builder(alone(cfg, withLocalCounters(g)))
                .appName("ecl-log-event").closeTimeout(CLOSE_TIMEOUT).build();
        StreamStats stats = new StreamStats();
        IOException readError = null;
        boolean delivered;
        // Library warnings stay visible during a stream (an outage mid-stream is news).
        try {
            pump(err, g, ecl, stats);
        } catch (IOException e) {
            readError = e;
        } finally {
            delivered = close(ecl, ecl.flush());
        }
        if (verbose) {
            Cli.line(err, "logged " + stats.events + " events (" + stats.lines + " lines)");
            if (stats.skipped > 0) {
                Cli.line(err, "skipped " + stats.skipped + " lines (malformed or refused)");
            }
        }
        int code = 0;
        if (readError != null) {
            code = Cli.error(err, "cannot read stdin after line " + stats.lines + ": " + readError.getMessage());
        }
        if (!delivered) {
            String why = ecl.lastFailure();
            code = Cli.error(err, "cannot deliver " + ecl.pendingEvents() + " events read from stdin"
                    + (why != null ? ": " + why : " to Redis at " + cfg.redis().address())
                    + "; they are lost");
        }
        if (ecl.droppedCount() > 0) {
            code = Cli.error(err, ecl.droppedCount() + " events were dropped while Redis at " + cfg.redis().address()
                    + " was unreachable (more than max_pending distinct counts were waiting)");
        }
        if (ecl.health().dataErrors() > 0) {
            code = 1; // the library's ERROR line said which counts were not stored
        }
        return code;
    }

    /** What stream mode has done so far. */
    static final class StreamStats {
        long lines;
        long events;
        long skipped;
        int warnings;
    }

    private void pump(PrintWriter err, GroupConfig g, EventCountLogger ecl, StreamStats stats) throws IOException {
        EventGroup eg = ecl.group(g.name());
        StdinLines in = new StdinLines(stdin);
        EventLineParser parser = new EventLineParser();
        // Verdict per event ID, decided at its first line: one map lookup per line afterwards.
        Map<String, Boolean> admitted = new HashMap<>();
        StdinLines.Kind kind;
        while ((kind = in.next()) != StdinLines.Kind.END) {
            long n = ++stats.lines;
            if (kind == StdinLines.Kind.TOO_LONG) {
                stats.skipped++;
                lineWarning(err, stats, n, "longer than " + StdinLines.MAX_LINE_BYTES + " bytes; line skipped");
                continue;
            }
            EventLineParser.Result r = parser.parse(in.line());
            if (r == EventLineParser.Result.BLANK) {
                continue;
            }
            if (r == EventLineParser.Result.MALFORMED) {
                stats.skipped++;
                lineWarning(err, stats, n, parser.problem + "; line skipped");
                continue;
            }
            Boolean ok = admitted.get(parser.event);
            if (ok == null) {
                String refused = refusal(g, parser.event);
                ok = refused == null;
                if (admitted.size() >= MAX_VERDICTS) {
                    admitted.clear();
                }
                admitted.put(parser.event, ok);
                if (!ok) {
                    String reason = refused.endsWith(".") ? refused.substring(0, refused.length() - 1) : refused;
                    lineWarning(err, stats, n, reason + "; lines with this event are skipped");
                }
            }
            if (ok) {
                eg.log(parser.event, parser.count);
                stats.events = saturatedAdd(stats.events, parser.count);
                // Backpressure: a burst of new IDs is pushed before more is read.
                ecl.awaitCapacity();
            } else {
                stats.skipped++;
            }
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }

    private static void lineWarning(PrintWriter err, StreamStats stats, long line, String message) {
        int w = ++stats.warnings;
        if (w <= MAX_LINE_WARNINGS) {
            Cli.line(err, "WARNING: stdin line " + line + ": " + message);
        } else if (w == MAX_LINE_WARNINGS + 1) {
            Cli.line(err, "WARNING: more than " + MAX_LINE_WARNINGS
                    + " lines skipped; further ones are skipped without a warning");
        }
    }

    /**
     * Why {@code event} would not be counted in {@code g}, as the line to print, or null. The
     * library would refuse it too, but only with a log warning and no way for the tool to know.
     */
    static String refusal(GroupConfig g, String event) {
        if (g.isDeclared(event)) {
            return null;
        }
        if (!g.autoDeclareEvents()) {
            return "Event '" + event + "' not configured for this group and 'auto_declare_events' not enabled.";
        }
        try {
            GroupConfig.checkEventId(event);
            return null;
        } catch (ConfigException e) {
            return "group '" + g.name() + "': " + e.getMessage();
        }
    }

    /**
     * Fails fast, with the library's one-line reason (connection refused, unknown host, wrong
     * password), before anything is logged: the logger itself never fails on a dead Redis, it
     * keeps counts in memory, which is right for an application and wrong for a one-shot tool.
     */
    private static void ping(EclConfig cfg) {
        // One plain connection, not a throwaway logger (a pool, a flusher thread): a one-shot
        // tool's start is mostly the set-up of what it uses.
        Ping.once(cfg.redis());
    }

    /**
     * Closes the logger, which retries a failed delivery for {@link #CLOSE_TIMEOUT}; true when
     * nothing is left undelivered. The library's own lines about undelivered or dropped counts are
     * silenced: the caller prints one line of its own.
     */
    private static boolean close(EventCountLogger ecl, boolean delivered) {
        LibraryLog off = LibraryLog.only(Level.OFF);
        try {
            ecl.close();
        } finally {
            off.restore();
        }
        return delivered || ecl.pendingCount() == 0;
    }

    /**
     * A config with just this group: the logger then declares and flushes nothing else, and does
     * not log the file's warnings a second time (they were printed already).
     */
    private static EclConfig alone(EclConfig cfg, GroupConfig g) {
        return EclConfig.builder().redis(cfg.redis()).group(g).build();
    }

    /** The group with local counters, for stream mode: one push per second instead of a round trip per line. */
    static GroupConfig withLocalCounters(GroupConfig g) {
        if (g.syncInterval() != null) {
            return g;
        }
        return g.toBuilder().syncInterval(STREAM_SYNC_INTERVAL).build();
    }
}
