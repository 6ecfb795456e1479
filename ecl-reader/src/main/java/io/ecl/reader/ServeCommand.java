package io.ecl.reader;

import io.ecl.cli.Cli;
import io.ecl.cli.ConfigLocation;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.ingest.StatsdConfig;
import io.ecl.ingest.StatsdListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ecl-reader serve}: serves the counts of every group and interval of the config over HTTP,
 * as Prometheus metrics ({@code /metrics}) and JSON ({@code /api/v1/}); see {@link MetricsHttpServer}.
 * Runs until SIGTERM or SIGINT, then stops cleanly with exit code 0.
 *
 * <pre>
 * ecl-reader serve [CONFIG | -c FILE] [--listen HOST:PORT] [--statsd HOST:PORT] [-v]
 * </pre>
 *
 * With {@code --statsd} (or {@code statsd.listen} in the config) it also receives StatsD lines
 * over UDP and TCP and counts them; see {@link StatsdListener}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Serve the counts of every group and interval over HTTP: Prometheus metrics at /metrics,"
                + " JSON at /api/v1/groups, /api/v1/groups/GROUP and /api/v1/groups/GROUP/INTERVAL."
                + " Runs until SIGTERM or SIGINT.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or SIGINT",
                "1:error (bad config, address in use)", "2:usage error"})
public final class ServeCommand implements Callable<Integer> {
    static final String DEFAULT_LISTEN = "127.0.0.1:9108";

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "YAML file with the event groups and the Redis connection."
                    + " Default: the file $ECL_CONFIG names, else /etc/ecl/config.yml.")
    Path config;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The config file, as an option (instead of CONFIG).")
    Path configOption;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = DEFAULT_LISTEN,
            description = "Address and port to listen on (default: ${DEFAULT-VALUE}); [::1]:PORT for IPv6,"
                    + " 0.0.0.0:PORT for every interface.")
    String listen;

    @Option(names = "--accept-writes", description = "Also accept counts over HTTP (or http_writes.enabled in the config): POST /api/v1/groups/GROUP/events"
            + " with JSON ({\"events\": {\"get\": 3}, \"uniques\": {...}, \"values\": {...}}) or text/plain"
            + " lines 'event [count]'. On any address but loopback it needs --token-file. See docs/ingest.md.")
    boolean acceptWrites;

    @Option(names = "--token-file", paramLabel = "FILE", description = "With --accept-writes: the token writes must"
            + " send as 'Authorization: Bearer TOKEN' (the file's first line; the file must not be readable by others).")
    Path tokenFile;

    @Option(names = "--statsd", paramLabel = "HOST:PORT",
            description = "Also receive StatsD lines on this address, over UDP and TCP, and count them"
                    + " (default: statsd.listen of the config; none when it has none). See docs/ingest.md.")
    String statsd;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces of errors; one line on stderr for each request"
            + " answered 503 or 500, saying why.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** Where the config comes from when neither CONFIG nor -c is given (tests replace it). */
    ConfigLocation configLocation = ConfigLocation.SYSTEM;

    /** Whether call() installs the SIGTERM/SIGINT handlers (tests stop it with {@link #stop()} instead). */
    boolean handleSignals = true;

    private final Clock clock;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile MetricsHttpServer server;
    private volatile StatsdListener statsdListener;
    /** The logger of the write API, or null. */
    private volatile io.ecl.core.EventCountLogger writesLogger;

    public ServeCommand() {
        this(Clock.systemUTC());
    }

    ServeCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Cli.stackTraces = verbose;
        if (config != null && configOption != null) {
            throw new ParameterException(spec.commandLine(), "CONFIG and -c/--config cannot both be given");
        }
        InetSocketAddress address = parseListen(listen);
        InetSocketAddress statsdAddress = statsd == null ? null : parseStatsd(statsd);
        if (tokenFile != null && !acceptWrites) {
            throw new ParameterException(spec.commandLine(), "--token-file goes with --accept-writes");
        }
        try {
            EclConfig cfg = configLocation.load(configOption != null ? configOption : config);
            Cli.warnings(err, cfg);
            StatsdConfig statsdConfig = StatsdConfig.read(configLocation.path(configOption != null ? configOption : config));
            if (statsdAddress != null) {
                statsdConfig = statsdConfig.withListen(statsdAddress);
            }
            io.ecl.ingest.HttpWritesConfig writesConfig = io.ecl.ingest.HttpWritesConfig.read(
                    configLocation.path(configOption != null ? configOption : config));
            acceptWrites |= writesConfig.enabled();
            Path tokenPath = tokenFile != null ? tokenFile : writesConfig.tokenFile();
            String token = null;
            if (acceptWrites) {
                if (tokenPath != null) {
                    token = readToken(tokenPath);
                } else if (!address.getAddress().isLoopbackAddress()) {
                    return Cli.error(err, "--accept-writes on " + listen + " needs --token-file: only loopback takes"
                            + " writes without a token");
                }
            }
            try {
                server = MetricsHttpServer.start(cfg, address, clock, verbose ? err : null);
            } catch (BindException e) {
                return Cli.error(err, "cannot listen on " + listen + ": " + e.getMessage());
            } catch (IOException e) {
                return Cli.error(err, "cannot listen on " + listen + ": " + e);
            }
            try {
                if (statsdConfig.listen() != null) {
                    try {
                        statsdListener = StatsdListener.start(cfg, statsdConfig, clock);
                    } catch (IOException e) {
                        return Cli.error(err, e.getMessage());
                    }
                    server.moreMetrics(statsdListener.stats()::writePrometheus);
                    Cli.line(err, "ecl-reader serve: receiving StatsD on udp and tcp " + hostPort(statsdListener.address()));
                }
                if (acceptWrites) {
                    writesLogger = io.ecl.core.EventCountLogger.builder(io.ecl.ingest.HttpWrites.withLocalCounters(cfg))
                            .clock(clock).appName("ecl-reader serve").build();
                    server.acceptWrites(new io.ecl.ingest.HttpWrites(writesLogger), token);
                    Cli.line(err, "ecl-reader serve: accepting writes at POST /api/v1/groups/GROUP/events"
                            + (token == null ? " (loopback, no token)" : " (with the token)"));
                }
                if (handleSignals) {
                    Signals.onTermOrInt(stop::countDown);
                }
                InetSocketAddress bound = server.address();
                Cli.line(err, "ecl-reader serve: listening on http://" + hostPort(bound) + "/ (dashboard), /metrics and /api/v1/groups");
                started.countDown();
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // The listener first: it delivers what it received while /metrics still answers.
                if (statsdListener != null) {
                    statsdListener.close();
                }
                server.close(); // no more writes
                if (writesLogger != null) {
                    writesLogger.close(); // delivers what the writes counted
                }
            }
            Cli.line(err, "ecl-reader serve: stopped");
            return 0;
        } catch (ConfigException e) {
            return Cli.fail(err, e, verbose);
        } catch (RuntimeException e) {
            return Cli.unexpected(err, e, verbose);
        }
    }

    /** The first line of a token file that others cannot read; ConfigException naming the file otherwise. */
    static String readToken(Path file) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> p = java.nio.file.Files.getPosixFilePermissions(file);
            if (p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(file + ": the token file is readable by every user; chmod o-r " + file);
            }
            String first = java.nio.file.Files.readAllLines(file).stream().findFirst().orElse("").strip();
            if (first.isEmpty()) {
                throw new ConfigException(file + ": the token file is empty");
            }
            return first;
        } catch (java.io.IOException e) {
            throw new ConfigException(file + ": cannot read the token file (" + e.getMessage() + ")");
        }
    }

    /** Stops a running call() (as SIGTERM does). */
    void stop() {
        stop.countDown();
    }

    /** Waits until call() serves; the server, or null when it did not start within the time. */
    MetricsHttpServer awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS) ? server : null;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The StatsD listener while serving, or null. */
    StatsdListener statsdListener() {
        return statsdListener;
    }

    private InetSocketAddress parseStatsd(String value) {
        try {
            return StatsdConfig.address(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--statsd': " + e.getMessage());
        }
    }

    /** HOST:PORT or [IPV6]:PORT, the port 0 to 65535 (0: any free one); anything else is a usage error. */
    InetSocketAddress parseListen(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? "" : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            host = "";
        }
        int p = -1;
        if (port.matches("[0-9]{1,5}")) {
            p = Integer.parseInt(port);
        }
        if (host.isEmpty() || p < 0 || p > 65535) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--listen': expected HOST:PORT"
                    + " (e.g. " + DEFAULT_LISTEN + ") but was '" + value + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--listen': unknown host '"
                    + host + "'");
        }
    }

    /** SIGTERM and SIGINT as a call, so that they end the process with exit code 0 rather than 143/130. */
    static final class Signals {
        private Signals() {
        }

        @SuppressWarnings("restriction")
        static void onTermOrInt(Runnable action) {
            for (String name : new String[] {"TERM", "INT"}) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
                } catch (IllegalArgumentException e) {
                    // not available on this platform (or already used by the JVM): the default applies
                }
            }
        }
    }
}
