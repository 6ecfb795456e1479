package io.ecl.master;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.RedisConfig;
import io.ecl.core.Rotator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ecl-master CONFIG [-v] [--embedded-redis]}: the daemon that rotates {@code cur} into
 * {@code last} at every interval boundary, a drop-in for the Python {@code ecl_master}.
 *
 * <p>Exit status: 0 after SIGTERM or SIGINT, 1 for a config error (one {@code ERROR:} line on
 * stderr), 2 for a usage error. An unreachable Redis is not an error: the master warns and keeps
 * retrying, which is what a service manager wants.
 */
@Command(name = "ecl-master", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Rotates the counters of every group and interval of CONFIG at each interval boundary "
                + "(aligned to the Unix epoch: 5m at :00, :05, ...). Runs until stopped (SIGTERM or Ctrl-C)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped by SIGTERM or SIGINT", "1:configuration error", "2:usage error"})
public final class MasterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "The YAML config file (the Python version's format).")
    Path config;

    @Option(names = {"-v", "--verbose"}, description = "Log every rotation, with how late it ran; stack traces on errors.")
    boolean verbose;

    @Option(names = "--embedded-redis", description = {
        "If nothing answers at the config's Redis port, start an embedded Redis on 127.0.0.1 at that port "
                + "(in memory only, stopped with the master), to try ecl without installing Redis."})
    boolean embeddedRedis;

    @Spec
    CommandSpec spec;

    private MasterLoop loop;
    private boolean stopRequested;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command as {@code main} does, returning the exit status. */
    static int run(String... args) {
        return new CommandLine(new MasterCommand()).execute(args);
    }

    @Override
    @SuppressWarnings("try") // the signal handlers are the resource; the body never names them
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        EclConfig cfg;
        try {
            cfg = EclConfig.load(config);
        } catch (ConfigException e) {
            err.println("ERROR: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        }
        configureLogging(verbose);
        for (String warning : cfg.warnings()) {
            MasterLoop.STATUS.warn(warning);
        }

        // Installed before anything slow (an embedded Redis, the first connection): a SIGTERM from then on is
        // a clean stop with status 0.
        try (StopSignals signals = StopSignals.install(this::stop)) {
            return serve(cfg, err);
        }
    }

    private int serve(EclConfig cfg, PrintWriter err) {
        LocalRedis local = null;
        if (embeddedRedis) {
            RedisConfig r = cfg.redis();
            if (LocalRedis.answers(r.host(), r.port(), 500)) {
                MasterLoop.STATUS.info("--embedded-redis: Redis already answers at {}; using it", r.address());
            } else {
                try {
                    local = LocalRedis.start(r.port());
                } catch (IOException | RuntimeException e) {
                    err.println("ERROR: cannot start an embedded Redis on " + LocalRedis.HOST + ":" + r.port() + ": "
                            + e.getMessage());
                    if (verbose) {
                        e.printStackTrace(err);
                    }
                    err.flush();
                    return 1;
                }
                cfg = cfg.withRedis(local.config(r));
                MasterLoop.STATUS.info("started an embedded Redis at {} (in memory: its counters are lost when "
                        + "ecl-master stops)", cfg.redis().address());
            }
        }
        try {
            MasterLoop.STATUS.info("ecl-master {}: config {}, groups {}, Redis {}", VersionProvider.version(), config,
                    describeGroups(cfg), cfg.redis());
            Clock clock = Clock.systemUTC();
            try (Rotator rotator = Rotator.connect(cfg.redis())) {
                MasterLoop loop = new MasterLoop(cfg, rotator, clock, MasterLoop.Sleeper.of(clock)).verbose(verbose);
                synchronized (this) {
                    this.loop = loop;
                    if (stopRequested) {
                        loop.stop();
                    }
                }
                loop.run();
            }
            MasterLoop.STATUS.info("ecl-master stopped");
            return 0;
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private synchronized void stop() {
        stopRequested = true;
        if (loop != null) {
            loop.stop();
        }
    }

    private static String describeGroups(EclConfig cfg) {
        return cfg.groups().stream()
                .map(g -> g.name() + " (" + g.intervals().stream().map(Object::toString)
                        .collect(Collectors.joining(", ")) + ")")
                .collect(Collectors.joining(", "));
    }

    /** -v: the rotation lines of MasterLoop (and INFO of the library). Only when logback is the backend. */
    static void configureLogging(boolean verbose) {
        if (verbose && LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext) {
            ((Logger) LoggerFactory.getLogger("io.ecl")).setLevel(Level.INFO);
        }
    }
}
