package io.ecl.demo;

import io.ecl.cli.CliLogConfigurator;
import io.ecl.cli.StopSignals;
import io.ecl.cli.VersionProvider;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisUnavailableException;
import io.ecl.core.ValueStats;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.Rotator;
import io.ecl.core.ops.Seconds;
import io.ecl.master.MasterLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ecl-demo}: ecl at work in one process, with nothing to install. Random events are logged
 * into two groups (declared events counted directly; HTTP status codes auto-declared and counted
 * locally), a {@link MasterLoop} rotates them, and after every boundary of the shortest interval
 * the last complete interval is printed as the Python reader prints it ({@code event:count}).
 *
 * <p>Uses the Redis at localhost:6379 when one answers, otherwise an embedded Redis on a free
 * port that is stopped at the end.
 */
@Command(name = "ecl-demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Logs random events, rotates them like ecl-master and prints the last complete interval "
                + "after every boundary. Uses the Redis at localhost:6379 if one answers, else an embedded one."})
public final class Demo implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** Status codes of the auto-declared group, most of them successes, as a web server would see them. */
    private static final String[] HTTP_STATUSES = {
        "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200", "200",
        "304", "304", "301", "404", "404", "404", "500", "503"};

    @Option(names = "--duration", defaultValue = "0", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long to run, e.g. 30s or 2m; 0 (the default) runs until Ctrl-C.")
    Duration duration;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A config file to use instead of the built-in one (groups demo and http).")
    Path config;

    @Spec
    CommandSpec spec;

    private final Clock clock = Clock.systemUTC();
    /** Paces the printer and the generators; woken once, by the end of --duration or a signal. */
    private final MasterLoop.Sleeper sleeper = MasterLoop.Sleeper.of(clock);
    private volatile boolean stopped;
    private volatile MasterLoop loop;

    public static void main(String[] args) {
        CliLogConfigurator.daemon(MasterLoop.STATUS_LOGGER);
        System.exit(new CommandLine(new Demo()).execute(args));
    }

    @Override
    @SuppressWarnings("try") // the signal handlers are the resource; the body never names them
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EclConfig cfg;
        try {
            cfg = config == null ? EclConfig.parse(builtInConfig(), "demo.yml (built in)") : EclConfig.load(config);
        } catch (ConfigException e) {
            err.println("ERROR: " + e.getMessage());
            err.flush();
            return 1;
        }
        RedisConfig wanted = cfg.redis();
        LocalRedis local = null;
        if (LocalRedis.answers(wanted.host(), wanted.port(), 500)) {
            out.println("Using the Redis at " + wanted.address() + ".");
        } else {
            try {
                local = LocalRedis.start(LocalRedis.freePort());
            } catch (IOException | RuntimeException e) {
                err.println("ERROR: no Redis answers at " + wanted.address() + " and an embedded one could not be "
                        + "started: " + e.getMessage());
                err.flush();
                return 1;
            }
            cfg = cfg.withRedis(local.config(wanted));
            out.println("No Redis answers at " + wanted.address() + "; started an embedded Redis at "
                    + cfg.redis().address() + " for this demo (stopped when it ends).");
        }
        try (StopSignals signals = StopSignals.install(this::stop)) {
            run(cfg, out, err);
            return 0;
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private void run(EclConfig cfg, PrintWriter out, PrintWriter err) {
        Interval shortest = cfg.groups().stream().flatMap(g -> g.intervals().stream())
                .min((a, b) -> Long.compare(a.lengthMillis(), b.lengthMillis())).orElseThrow();
        out.println("Logging random events into " + cfg.groups().stream()
                .map(g -> g.name() + " (" + g.intervals().stream().map(Object::toString)
                        .collect(Collectors.joining(", ")) + ")")
                .collect(Collectors.joining(", "))
                + "; the last complete interval is printed after every " + shortest + " boundary. "
                + (duration.isZero() ? "Ctrl-C stops." : "Stops after " + DurationConverter.format(duration) + "."));
        out.flush();
        long end = duration.isZero() ? Long.MAX_VALUE : clock.millis() + duration.toMillis();
        List<Thread> threads = new ArrayList<>();
        try (Rotator rotator = Rotator.connect(cfg.redis());
                EventCountLogger ecl = EventCountLogger.builder(cfg).withoutShutdownHook()
                        .closeTimeout(Duration.ofSeconds(2)).build();
                CounterReader reader = CounterReader.connect(cfg)) {
            MasterLoop master = new MasterLoop(cfg, rotator, clock, MasterLoop.Sleeper.of(clock));
            loop = master;
            if (stopped) {
                master.stop();
            }
            threads.add(start("ecl-demo-master", master));
            for (GroupConfig g : cfg.groups()) {
                String[] events = eventsFor(g);
                if (events.length > 0) {
                    EventGroup group = ecl.group(g.name());
                    threads.add(start("ecl-demo-" + g.name(), () -> generate(group, events, g)));
                }
            }
            try {
                print(cfg, ecl, reader, shortest, end, out, err);
            } finally {
                stop();
                for (Thread t : threads) {
                    joinQuietly(t);
                }
            }
        }
        out.println("Demo stopped.");
        out.flush();
    }

    /** After each boundary of {@code shortest}, prints the last interval of every pair with a boundary then. */
    private void print(EclConfig cfg, EventCountLogger ecl, CounterReader reader, Interval shortest, long end,
            PrintWriter out, PrintWriter err) {
        // The master rotates a few ms after the boundary; this leaves it time, while still printing promptly.
        long delay = Math.min(500, shortest.lengthMillis() / 4);
        while (!stopped) {
            long boundary = shortest.startOf(clock.millis()) + shortest.lengthMillis();
            if (boundary + delay > end) {
                sleeper.sleepUntil(end);
                return;
            }
            sleeper.sleepUntil(boundary + delay);
            if (stopped) {
                return;
            }
            try {
                // Counts logged before the boundary may still be in local counters; pushed now, they are
                // credited to the interval they were logged in, which the master has just closed.
                ecl.flush();
                for (GroupConfig g : cfg.groups()) {
                    for (Interval i : g.intervals()) {
                        if (i.startOf(boundary) == boundary) {
                            printLast(reader.read(g, i), out);
                        }
                    }
                }
            } catch (RedisUnavailableException e) {
                err.println("(cannot read: " + e.getMessage() + ")");
                err.flush();
            }
        }
    }

    private static void printLast(IntervalCounts counts, PrintWriter out) {
        out.println("--- " + counts.group() + " " + counts.interval() + ", last interval "
                + time(counts.lastStartMillis()) + "-" + time(counts.currentStartMillis()) + " ---");
        if (counts.last().isEmpty()) {
            out.println("(no events)");
        }
        for (Map.Entry<String, Long> e : counts.last().entrySet()) {
            out.println(e.getKey() + ":" + e.getValue());
        }
        for (Map.Entry<String, Long> e : counts.lastUniques().entrySet()) {
            out.println(e.getKey() + ":" + e.getValue() + " distinct");
        }
        for (Map.Entry<String, ValueStats> e : counts.lastValues().entrySet()) {
            ValueStats v = e.getValue();
            out.println(v.count() == 0 ? e.getKey() + ": no values" : String.format(java.util.Locale.ROOT,
                    "%s: count=%d mean=%.1f p50=%.1f p99=%.1f max=%.1f", e.getKey(), v.count(), v.mean(), v.p50(),
                    v.p99(), v.max()));
        }
        out.flush();
    }

    private static String time(Long epochMillis) {
        return epochMillis == null ? "?" : TIME.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault()));
    }

    /** Declared events, earlier ones more often (login before error); status codes for auto-declaring groups. */
    private static String[] eventsFor(GroupConfig g) {
        List<String> events = g.events();
        if (events.isEmpty()) {
            return g.autoDeclareEvents() ? HTTP_STATUSES : new String[0];
        }
        List<String> weighted = new ArrayList<>();
        for (int k = 0; k < events.size(); k++) {
            for (int w = events.size() - k; w > 0; w--) {
                weighted.add(events.get(k));
            }
        }
        return weighted.toArray(new String[0]);
    }

    /**
     * Logs random events; in a group with unique counts and values, each event also comes from one
     * of 200 visitors and takes a latency drawn around 40 ms with a long tail.
     */
    private void generate(EventGroup group, String[] events, GroupConfig g) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stopped) {
            group.log(events[random.nextInt(events.length)]);
            for (String u : g.uniques()) {
                group.logUnique(u, "198.51.100." + random.nextInt(200));
            }
            for (String v : g.values()) {
                group.logValue(v, Math.exp(Math.log(40) + 0.8 * random.nextGaussian()));
            }
            sleeper.sleepUntil(clock.millis() + random.nextInt(20, 120));
        }
    }

    /** Ends the demo: generators, printer and master. Called from a signal handler, too. */
    void stop() {
        stopped = true;
        sleeper.wakeUp();
        MasterLoop l = loop;
        if (l != null) {
            l.stop();
        }
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String builtInConfig() {
        try (InputStream in = Demo.class.getResourceAsStream("/demo.yml")) {
            if (in == null) {
                throw new IllegalStateException("resource demo.yml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 30s}, {@code 2m}, {@code 1h} or {@code 0}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.trim().equals("0")) {
                return Duration.ZERO;
            }
            try {
                return Duration.ofMillis(Interval.parse(value.trim()).lengthMillis());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a duration: expected e.g. 30s, 2m, 1h, or 0 to run until Ctrl-C");
            }
        }

        static String format(Duration d) {
            return Seconds.format(d.toMillis()) + " s";
        }
    }
}
