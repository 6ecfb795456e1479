package io.ecl.master;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.ecl.cli.Cli;
import io.ecl.cli.CliLogConfigurator;
import io.ecl.cli.CliLogProvider;
import io.ecl.cli.ConfigLocation;
import io.ecl.cli.StopSignals;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.KeyPurge;
import io.ecl.core.ops.Rotator;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ecl-master [CONFIG] [-v]}: the daemon that rotates {@code cur} into
 * {@code last} at every interval boundary, a drop-in for the Python {@code ecl_master}.
 * {@code ecl-master --check [CONFIG]} only validates the config, like {@code nginx -t}.
 * Without CONFIG the file is {@code $ECL_CONFIG}, else {@value #DEFAULT_CONFIG}.
 *
 * <p>Exit status: 0 after SIGTERM or SIGINT (or a config that passed {@code --check}), 1 for a
 * config error (one {@code ERROR:} line on stderr; for {@code --check} also any warning), 2 for a
 * usage error. An unreachable Redis is
 * not an error: the master warns and keeps retrying, which is what a service manager wants.
 * SIGHUP re-reads the config; a broken one is logged and the running config kept.
 */
@Command(name = "ecl-master", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Rotates the counters of every group and interval of CONFIG at each interval boundary "
                + "(aligned to the Unix epoch: 5m at :00, :05, ...). Runs until stopped (SIGTERM or Ctrl-C); "
                + "SIGHUP (systemctl reload) re-reads CONFIG, keeping the running config if the new one is broken."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped by SIGTERM or SIGINT; --check: the config is valid, without warnings",
            "1:configuration error (--check: also any warning)", "2:usage error"})
public final class MasterCommand implements Callable<Integer> {
    private static final String DEFAULT_CONFIG = ConfigLocation.DEFAULT_CONFIG_FILE;
    private static final String CONFIG_ENV = ConfigLocation.CONFIG_ENV;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = {
        "The YAML config file (the Python version's format). Default: $" + CONFIG_ENV + " if set, else "
                + DEFAULT_CONFIG + "."})
    Path config;

    @Option(names = "--check", description = {
        "Only test the config, like nginx -t: print a summary and exit 0 if it is usable; "
                + "print its errors or warnings and exit 1 if not (any warning fails the check). "
                + "Does not connect to Redis."})
    boolean check;

    @Option(names = "--purge", description = {
        "Only list the ecl keys the config no longer names: every key of a (group, interval) it does"
                + " not have, and the counters of declared events it no longer lists (undeclared too)."
                + " A dry run unless --yes. The config must name every group anyone logs to this Redis"
                + " (the Python version's too)."})
    boolean purge;

    @Option(names = "--reset-totals", description = {
        "Only list the totals (ecl_events_total) of every (group, interval) of the config, or of the"
                + " groups given with --group; with --yes, set them to 0 from that instant. Prometheus sees"
                + " a counter reset, which rate() and increase() handle."})
    boolean resetTotals;

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP",
            description = "With --reset-totals: only this group (repeatable).")
    List<String> groups;

    @Option(names = "--yes", description = "With --purge: delete what it lists. With --reset-totals: reset them.")
    boolean yes;

    @Option(names = {"-v", "--verbose"}, description = "Log every rotation, with how late it ran; stack traces on errors.")
    boolean verbose;

    /**
     * Removed: a production daemon carries no Redis server (and its 12 MB of binaries). Hidden, and
     * kept only to answer an old command line with a pointer instead of picocli's "Unknown option".
     */
    @Option(names = "--embedded-redis", hidden = true)
    boolean embeddedRedis;

    /** What an old {@code ecl-master --embedded-redis} prints, on stderr, before exiting with status 2. */
    static final String EMBEDDED_REDIS_REMOVED = "ERROR: --embedded-redis was removed from ecl-master: "
            + "to try ecl without installing Redis, run bin/ecl-demo in a build of the source tree "
            + "(mvn -q -DskipTests package && bin/ecl-demo); else install redis-server";

    @Spec
    CommandSpec spec;

    /** The environment: ECL_CONFIG and ECL_REDIS_URL. Tests replace it. */
    Map<String, String> env = System.getenv();

    private MasterLoop loop;
    private boolean stopRequested;
    /** A config reloaded before the loop existed, handed to it when it starts. */
    private EclConfig earlyReload;
    /** The Redis of the config file (and ECL_REDIS_URL) at start, which the loop talks to until a restart. */
    private volatile RedisConfig startRedis;

    /**
     * Runs the daemon, or the config check, and exits with its status. {@code --check [CONFIG]}, a
     * command line of install scripts and {@code ExecReload}, skips picocli (see {@link #parseCheck}),
     * whose start-up (its model read by reflection, a proxy class per annotation) cost more than
     * the check itself.
     */
    public static void main(String[] args) {
        CliLogProvider.install();
        CliLogConfigurator.daemon(MasterLoop.STATUS_LOGGER);
        MasterCommand check = parseCheck(args);
        if (check == null) {
            System.exit(run(args));
        }
        // A class, not check::check: linking a method reference costs --check more than it runs.
        System.exit(Cli.runParsed(new Cli.Parsed() {
            @Override
            public int run(java.io.PrintWriter out, java.io.PrintWriter err) {
                return check.check(out, err);
            }
        }));
    }

    /**
     * The command when {@code args} is {@code --check}, at most one CONFIG that cannot be taken for
     * an option, and {@code -v}/{@code --verbose}, each at most once, in any order; else null, and
     * picocli parses the line, so its messages and exit codes stay the only ones.
     */
    static MasterCommand parseCheck(String[] args) {
        MasterCommand c = new MasterCommand();
        for (String a : args) {
            switch (a) {
                case "--check":
                    if (c.check) {
                        return null;
                    }
                    c.check = true;
                    break;
                case "-v":
                case "--verbose":
                    if (c.verbose) {
                        return null;
                    }
                    c.verbose = true;
                    break;
                default:
                    if (c.config != null || a.isEmpty() || a.startsWith("-") || a.startsWith("@")) {
                        return null;
                    }
                    try {
                        c.config = Path.of(a);
                    } catch (InvalidPathException e) {
                        return null;
                    }
            }
        }
        return c.check ? c : null;
    }

    /** Runs the command as {@code main} does, returning the exit status. */
    static int run(String... args) {
        return new CommandLine(new MasterCommand()).execute(args);
    }

    @Override
    @SuppressWarnings("try") // the signal handlers are the resource; the body never names them
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (embeddedRedis) {
            err.println(EMBEDDED_REDIS_REMOVED);
            err.flush();
            return 2;
        }
        if (check) {
            return check(spec.commandLine().getOut(), err);
        }
        if (purge && resetTotals) {
            err.println("ERROR: --purge and --reset-totals are separate runs: give one of them");
            err.flush();
            return 2;
        }
        if (yes && !purge && !resetTotals) {
            err.println("ERROR: --yes goes with --purge or --reset-totals");
            err.flush();
            return 2;
        }
        if (groups != null && !resetTotals) {
            err.println("ERROR: --group goes with --reset-totals");
            err.flush();
            return 2;
        }
        if (purge) {
            return purge(spec.commandLine().getOut(), err);
        }
        if (resetTotals) {
            return resetTotals(spec.commandLine().getOut(), err);
        }
        Path path = configPath();
        EclConfig cfg = load(err);
        if (cfg == null) {
            return 1;
        }
        configureLogging(verbose);
        for (String warning : cfg.warnings()) {
            MasterLoop.STATUS.warn(warning);
        }
        startRedis = cfg.redis();

        // Installed before anything slow (the first connection): a SIGTERM from then on is
        // a clean stop with status 0, a SIGHUP a reload.
        try (StopSignals signals = StopSignals.install(this::stop, () -> reload(path))) {
            return serve(path, cfg);
        }
    }

    /** CONFIG, else $ECL_CONFIG, else the default. */
    Path configPath() {
        return location().path(config);
    }

    private ConfigLocation location() {
        return new ConfigLocation(env, ConfigLocation.DEFAULT_CONFIG);
    }

    /** The config, or null after its one ERROR line on {@code err}. */
    /** --purge [--yes]: what the config no longer names, listed, and deleted with --yes. */
    private int purge(PrintWriter out, PrintWriter err) {
        EclConfig cfg = load(err);
        if (cfg == null) {
            return 1;
        }
        try {
            List<KeyPurge.Item> items = KeyPurge.plan(cfg);
            for (KeyPurge.Item it : items) {
                out.println((yes ? "" : "would ") + (it.member() == null ? "delete " + it.key()
                        : "undeclare " + it.member() + " in " + it.key()) + "  (" + it.why() + ")");
            }
            if (yes) {
                int done = KeyPurge.apply(cfg, items);
                out.println(done + " done");
            } else {
                out.println(items.size() + (items.size() == 1 ? " item" : " items")
                        + (items.isEmpty() ? "" : "; run again with --yes to remove them"));
            }
            out.flush();
            return 0;
        } catch (RedisUnavailableException e) {
            err.println("ERROR: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /**
     * --reset-totals [--group G]... [--yes]: each (group, interval)'s totals listed (their sum over
     * the events), and with --yes set to 0 from that instant.
     */
    private int resetTotals(PrintWriter out, PrintWriter err) {
        EclConfig cfg = load(err);
        if (cfg == null) {
            return 1;
        }
        List<GroupConfig> selected = new ArrayList<>();
        if (groups == null) {
            selected.addAll(cfg.groups());
        } else {
            for (String name : groups) {
                GroupConfig g = cfg.group(name);
                if (g == null) {
                    err.println("ERROR: Group '" + name + "' not found in configuration " + configPath());
                    err.flush();
                    return 1;
                }
                selected.add(g);
            }
        }
        try (CounterReader reader = CounterReader.connectOnce(cfg)) {
            int pairs = 0;
            for (GroupConfig g : selected) {
                for (Interval i : g.intervals()) {
                    String what = g.name() + " " + i.name();
                    try {
                        long sum = 0;
                        for (long v : reader.totals(g, i).values()) {
                            sum += v;
                        }
                        if (yes) {
                            reader.resetTotals(g, i);
                        }
                        out.println((yes ? "reset the totals of " : "would reset the totals of ") + what
                                + "  (" + sum + " counts since the last reset)");
                    } catch (RedisDataException e) {
                        if (!yes) {
                            out.println("would reset the totals of " + what + "  (" + e.getMessage() + ")");
                        } else {
                            reader.resetTotals(g, i);
                            out.println("reset the totals of " + what + "  (they held data ecl cannot read)");
                        }
                    }
                    pairs++;
                }
            }
            out.println(yes ? pairs + " done"
                    : pairs + (pairs == 1 ? " pair" : " pairs") + "; run again with --yes to reset them");
            out.flush();
            return 0;
        } catch (RedisUnavailableException e) {
            err.println("ERROR: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private EclConfig load(PrintWriter err) {
        try {
            return location().load(config);
        } catch (ConfigException e) {
            err.println("ERROR: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return null;
        }
    }

    /**
     * --check: warnings on stderr, a summary and the verdict on stdout. Never shows a password.
     * Any warning fails the check: it gates {@code systemctl reload}, and a warning such as a
     * misspelled {@code prot:} means the config does not do what its author believes.
     */
    int check(PrintWriter out, PrintWriter err) {
        Path path = configPath();
        EclConfig cfg = load(err);
        if (cfg == null) {
            return 1;
        }
        for (String warning : cfg.warnings()) {
            err.println("WARNING: " + warning);
        }
        int warnings = cfg.warnings().size();
        if (warnings > 0) {
            err.println("ERROR: configuration file " + path + " test failed: " + warnings
                    + (warnings == 1 ? " warning" : " warnings") + " (--check fails on any warning)");
            err.flush();
            return 1;
        }
        err.flush();
        int intervals = 0;
        for (GroupConfig g : cfg.groups()) {
            intervals += g.intervals().size();
        }
        out.println("ecl-master: " + cfg.groups().size() + (cfg.groups().size() == 1 ? " group, " : " groups, ")
                + intervals + (intervals == 1 ? " interval" : " intervals")
                + (cfg.groups().isEmpty() ? "" : ": " + describeGroups(cfg)) + "; Redis " + cfg.redis());
        out.println("ecl-master: configuration file " + path + " test is successful");
        out.flush();
        return 0;
    }

    /**
     * SIGHUP: re-reads the config file. A broken file is one ERROR line and the running config
     * stays; a valid one goes to the loop, which applies it and logs what changed. The Redis
     * connection is kept: a changed redis section needs a restart, and a WARN line says so.
     */
    private void reload(Path path) {
        try {
            EclConfig cfg;
            try {
                cfg = EclConfig.load(path, env);
            } catch (ConfigException e) {
                MasterLoop.STATUS.error("reload failed, keeping the running config: {}", e.getMessage());
                return;
            }
            for (String warning : cfg.warnings()) {
                MasterLoop.STATUS.warn(warning);
            }
            if (!cfg.redis().equals(startRedis)) {
                MasterLoop.STATUS.warn("reload: the Redis settings changed to {}; ecl-master keeps using {} until "
                        + "it is restarted", cfg.redis(), startRedis);
            }
            cfg = cfg.withRedis(startRedis);
            synchronized (this) {
                if (loop != null) {
                    loop.reload(cfg);
                } else {
                    earlyReload = cfg;
                }
            }
        } catch (RuntimeException e) {
            MasterLoop.STATUS.error("reload failed, keeping the running config: {}", e.toString());
        }
    }

    private int serve(Path path, EclConfig cfg) {
        MasterLoop.STATUS.info("ecl-master {}: config {}, groups {}, Redis {}", VersionProvider.version(), path,
                describeGroups(cfg), cfg.redis());
        Clock clock = Clock.systemUTC();
        try (Rotator rotator = Rotator.connect(cfg.redis())) {
            MasterLoop loop = new MasterLoop(cfg, rotator, clock, MasterLoop.Sleeper.of(clock)).verbose(verbose);
            synchronized (this) {
                this.loop = loop;
                if (stopRequested) {
                    loop.stop();
                }
                if (earlyReload != null) {
                    loop.reload(earlyReload);
                    earlyReload = null;
                }
            }
            loop.run();
        }
        MasterLoop.STATUS.info("ecl-master stopped");
        return 0;
    }

    private synchronized void stop() {
        stopRequested = true;
        if (loop != null) {
            loop.stop();
        }
    }

    /**
     * "g1 (5m, 1h), g2 (1d)". Loops rather than streams: this is on --check's short path, where
     * the stream and lambda machinery cost more start-up time than the rest of the line.
     */
    private static String describeGroups(EclConfig cfg) {
        StringBuilder b = new StringBuilder();
        for (GroupConfig g : cfg.groups()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(g.name()).append(" (");
            for (int k = 0; k < g.intervals().size(); k++) {
                b.append(k > 0 ? ", " : "").append(g.intervals().get(k));
            }
            b.append(')');
        }
        return b.toString();
    }

    /** -v: the rotation lines of MasterLoop (and INFO of the library). Only when logback is the backend. */
    static void configureLogging(boolean verbose) {
        if (verbose && LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext) {
            ((Logger) LoggerFactory.getLogger("io.ecl")).setLevel(Level.INFO);
        }
    }
}
