package io.ecl.reader;

import ch.qos.logback.classic.Level;
import io.ecl.cli.Cli;
import io.ecl.cli.ConfigLocation;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.reader.watch.Watch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ecl-reader watch}: a live view of the counts (see {@link Watch}). The terminal library
 * is loaded only here, and only when stdout is a terminal: the reader's other commands never
 * load it.
 *
 * <pre>
 * ecl-reader watch [CONFIG | -c FILE] [-g GROUP] [-i INTERVAL] [--plain] [--interval-ms MS]
 * </pre>
 */
@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Show the counts live, refreshed every second: per group and interval each event's last and"
                + " current counts and a sparkline of its history, unique counts, values' p50 and p99, and the"
                + " writers' health. Keys: q quits, arrows and PgUp/PgDn scroll, / filters by name (Enter applies,"
                + " Esc clears). When stdout is not a terminal, prints plain blocks of text instead, one per refresh.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:quit (q, Ctrl-C, or the reader of the output went away)",
                "1:error (bad config, unknown group or interval)", "2:usage error"})
public final class WatchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "YAML file with the event groups and the Redis connection. Default: the file $ECL_CONFIG"
                    + " names, else /etc/ecl/config.yml.")
    Path config;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The config file, as an option (instead of CONFIG).")
    Path configOption;

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", description = "Only this group (default: every group).")
    String group;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL",
            description = "Only this interval, as written in the config (default: every interval).")
    String interval;

    @Option(names = "--plain", description = "Plain blocks of text, one per refresh, even on a terminal.")
    boolean plain;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Milliseconds between refreshes (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    ConfigLocation configLocation = ConfigLocation.SYSTEM;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (config != null && configOption != null) {
            throw new ParameterException(spec.commandLine(), "CONFIG and -c/--config cannot both be given");
        }
        if (intervalMillis < 100) {
            throw new ParameterException(spec.commandLine(), "--interval-ms " + intervalMillis
                    + ": at least 100 (a refresh reads every group watched from Redis)");
        }
        Cli.stackTraces = verbose;
        Path path = configOption != null ? configOption : config;
        try {
            EclConfig cfg = configLocation.loadSkippingInvalidGroups(path);
            if (Cli.invalidGroup(cfg, group) != null) {
                return Cli.error(err, Cli.invalidGroup(cfg, group));
            }
            Cli.warnings(err, cfg);
            Watch watch = Watch.of(cfg, group, interval, label(path), intervalMillis);
            // System.console() is null unless stdin and stdout are both terminals.
            if (!plain && System.console() != null) {
                // The view reports Redis itself, in its status line; a library warning on stderr would
                // scribble over the screen.
                LibraryLog quiet = LibraryLog.only(Level.OFF);
                try {
                    if (watch.onTerminal()) {
                        return 0;
                    }
                } finally {
                    quiet.restore();
                }
            }
            watch.plain(out);
            return 0;
        } catch (ConfigException e) {
            return Cli.fail(err, e, verbose);
        } catch (IOException e) {
            return Cli.error(err, "cannot use the terminal: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (RuntimeException e) {
            return Cli.unexpected(err, e, verbose);
        }
    }

    private String label(Path path) {
        if (path != null) {
            return path.getFileName() == null ? path.toString() : path.getFileName().toString();
        }
        String env = configLocation.env().get(ConfigLocation.CONFIG_ENV);
        return env != null && !env.isEmpty() ? Path.of(env).getFileName().toString() : ConfigLocation.DEFAULT_CONFIG_FILE;
    }
}
