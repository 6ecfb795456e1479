package io.ecl.reader;

import io.ecl.cli.Cli;
import io.ecl.cli.ConfigLocation;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ops.Clients;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ecl-reader clients}: the writers whose heartbeat is in Redis, one line each, so an
 * operator sees which apps are buffering or dropping counts without reading their logs.
 *
 * <pre>
 * ecl-reader clients [CONFIG | -c FILE] [--format text|json]
 * </pre>
 */
@Command(name = "clients", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "List the processes logging to this Redis (every logger writes a heartbeat every 10 s):"
                + " app, host, pid, events waiting for Redis, counts dropped, last delivery, last failure.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (none is fine)", "1:error (bad config, Redis unreachable)", "2:usage error"})
public final class ClientsCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "YAML file with the Redis connection. Default: the file $ECL_CONFIG names, else /etc/ecl/config.yml.")
    Path config;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The config file, as an option (instead of CONFIG).")
    Path configOption;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a table, the default) or json (one object per writer, a line each).")
    String format;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    ConfigLocation configLocation = ConfigLocation.SYSTEM;
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) {
            return Cli.error(err, "--format " + format + ": expected text or json") + 1;
        }
        try {
            EclConfig cfg = configLocation.load(configOption != null ? configOption : config);
            List<Clients.Client> clients = Clients.list(cfg);
            long now = clock.millis();
            if (format.equals("json")) {
                for (Clients.Client c : clients) {
                    StringBuilder b = new StringBuilder(256);
                    Formats.client(b, c, now);
                    out.print(b.append('\n'));
                }
            } else {
                out.print(String.format(Locale.ROOT, "%-20s %-20s %8s %10s %8s %8s %s%n", "APP", "HOST", "PID", "PENDING",
                        "DROPPED", "LAST OK", "LAST FAILURE"));
                for (Clients.Client c : clients) {
                    out.print(String.format(Locale.ROOT, "%-20s %-20s %8d %10d %8d %8s %s%n", c.app(), c.host(), c.pid(),
                            c.pendingEvents(), c.dropped(),
                            c.lastDeliveryMillis() == 0 ? "-" : Math.max(0, now - c.lastDeliveryMillis()) / 1000 + "s ago",
                            c.lastFailure()));
                }
            }
            out.flush();
            return 0;
        } catch (ConfigException | RedisUnavailableException e) {
            return Cli.fail(err, e, verbose);
        } catch (RuntimeException e) {
            return Cli.unexpected(err, e, verbose);
        }
    }
}
