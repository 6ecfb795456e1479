package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * bin/ecl-bench: every performance figure of ecl beside a baseline measured in the same run, on
 * a real Redis, printed as one markdown table. JMH measures the in-process figures (one fork per
 * benchmark); a counting proxy measures round trips; the CLIs are measured as processes.
 */
public final class BenchSuite {
    static final String USAGE = String.join("\n",
            "Usage: bin/ecl-bench [--redis HOST:PORT [--db N] [--flush]] [--quick | --long] [--only PARTS] [--out FILE]",
            "",
            "Runs ecl's benchmark suite (JMH, round trips, CLI start-up, master memory) and prints one table.",
            "  --redis HOST:PORT  use this Redis instead of an embedded one. The suite writes and FLUSHDBs",
            "                     database --db (default 0) many times: give an empty or scratch database.",
            "  --db N             the database to use (default 0)",
            "  --flush            allow a non-empty database to be flushed",
            "  --quick            shorter JMH runs (2+3 s per benchmark), 5 CLI runs, 30 s master sample (~3.5 min)",
            "  --long             sample ecl-master's memory for one hour instead of one minute",
            "  --only PARTS       comma-separated subset of: local,direct,flush,rotation,reader,cli,master,values,peers",
            "  --out FILE         also write the report (markdown) to FILE",
            "  --wait-idle        before each part, wait (up to 5 min) until other processes use under 15% of the CPUs",
            "  --root DIR         the ecl source tree (default: found from this jar's location)");
    static final List<String> PARTS = List.of("local", "direct", "flush", "rotation", "reader", "cli", "master", "values", "peers");

    private boolean quick;
    private boolean longRun;
    private String redisAddress;
    private int db;
    private boolean allowFlush;
    private final Set<String> parts = new LinkedHashSet<>(PARTS);
    private Path out;
    private Path root;
    private boolean ownRedis;
    private boolean waitIdle;

    private final Table table = new Table();
    private final List<String> phaseLoad = new ArrayList<>();
    /** The local part's scores, for the parts that compare with them; empty when it did not run. */
    private Map<String, Jmh.Score> localScores = Map.of();
    private double maxOthers;
    private Jmh jmh;
    private PrintStream progress = System.out;

    public static void main(String[] args) throws Exception {
        BenchSuite suite = new BenchSuite();
        String problem = suite.parse(args);
        if (problem != null) {
            if (!problem.isEmpty()) {
                System.err.println("ecl-bench: " + problem);
                System.err.println(USAGE);
                System.exit(2);
            }
            System.out.println(USAGE);
            return;
        }
        System.exit(suite.run());
    }

    /** Null when the arguments are fine, "" for --help, else the problem. */
    String parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String next = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "-h": case "--help":
                    return "";
                case "--quick":
                    quick = true;
                    break;
                case "--long":
                    longRun = true;
                    break;
                case "--flush":
                    allowFlush = true;
                    break;
                case "--wait-idle":
                    waitIdle = true;
                    break;
                case "--redis":
                    if (next == null || !next.matches("[^:]+:\\d+")) {
                        return "--redis needs HOST:PORT, e.g. --redis 127.0.0.1:6379";
                    }
                    redisAddress = next;
                    i++;
                    break;
                case "--db":
                    if (next == null || !next.matches("\\d+")) {
                        return "--db needs a database number";
                    }
                    db = Integer.parseInt(next);
                    i++;
                    break;
                case "--only":
                    if (next == null) {
                        return "--only needs a list, e.g. --only local,flush";
                    }
                    parts.clear();
                    for (String p : next.split(",")) {
                        if (!PARTS.contains(p.trim())) {
                            return "unknown part '" + p + "' (known: " + String.join(",", PARTS) + ")";
                        }
                        parts.add(p.trim());
                    }
                    i++;
                    break;
                case "--out":
                    if (next == null) {
                        return "--out needs a file name";
                    }
                    out = Path.of(next);
                    i++;
                    break;
                case "--root":
                    if (next == null) {
                        return "--root needs a directory";
                    }
                    root = Path.of(next);
                    i++;
                    break;
                default:
                    return "unknown option '" + a + "'";
            }
        }
        if (quick && longRun) {
            return "--quick and --long exclude each other";
        }
        return null;
    }

    int run() throws Exception {
        if (root == null) {
            root = defaultRoot();
        }
        Path work = Files.createTempDirectory("ecl-bench");
        Path jmhLog = logFile();
        RedisServer embedded = null;
        String redisVersion;
        long started = System.nanoTime();
        try (PrintStream log = new PrintStream(new FileOutputStream(jmhLog.toFile()), true, StandardCharsets.UTF_8)) {
            if (redisAddress == null) {
                int port = BenchRedis.freePort();
                embedded = BenchRedis.startEmbedded(port);
                redisAddress = "127.0.0.1:" + port;
                ownRedis = true;
                RedisServer s = embedded;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> BenchRedis.stopQuietly(s), "redis-stop"));
            }
            System.setProperty(BenchRedis.ADDRESS_PROPERTY, redisAddress);
            System.setProperty(BenchRedis.DB_PROPERTY, Integer.toString(db));
            try (RedisClient c = BenchRedis.client()) {
                String server = c.info("server");
                redisVersion = infoField(server, "redis_version");
                if (embedded == null && isLoopback(BenchRedis.host()) && infoField(server, "process_id").matches("\\d+")) {
                    Machine.CpuSample.OWN_PIDS.add(Long.parseLong(infoField(server, "process_id")));
                }
                long keys = c.dbSize();
                if (embedded == null && keys > 0 && !allowFlush) {
                    System.err.println("ecl-bench: database " + db + " of " + redisAddress + " holds " + keys
                            + " keys, and the benchmarks flush it many times. Use an empty database (--db N)"
                            + " or pass --flush to allow it.");
                    return 2;
                }
            } catch (RuntimeException e) {
                System.err.println("ecl-bench: cannot use Redis at " + redisAddress + ": " + e.getMessage());
                return 1;
            }
            int warm = 2;
            int meas = quick ? 3 : 4;
            jmh = new Jmh(warm, meas, log, jmhLog, "-D" + BenchRedis.ADDRESS_PROPERTY + "=" + redisAddress,
                    "-D" + BenchRedis.DB_PROPERTY + "=" + db, "-Xms1g", "-Xmx1g");
            progress.printf("ecl-bench: Redis %s at %s%s, JMH %d×1 s warm-up + %d×1 s measurement, 1 fork per benchmark%n",
                    redisVersion, redisAddress, embedded != null ? " (embedded)" : "", warm, meas);
            progress.printf("ecl-bench: load average %s before starting; JMH output in %s%n", Machine.loadAverage(), jmhLog);
            Machine.CpuSample idle = Machine.CpuSample.now();
            Thread.sleep(2000);
            double othersAtStart = Machine.CpuSample.now().othersSince(idle);
            progress.printf("ecl-bench: other processes use %s of the CPUs right now%n", percent(othersAtStart));
            phaseLoad.add("before start: " + percent(othersAtStart));

            if (parts.contains("local")) {
                phase("local", this::local);
            }
            if (parts.contains("values")) {
                phase("values", this::values);
            }
            if (parts.contains("peers")) {
                phase("peers", this::peers);
            }
            if (parts.contains("direct")) {
                phase("direct", this::direct);
            }
            if (parts.contains("flush")) {
                phase("flush", this::flush);
            }
            if (parts.contains("rotation")) {
                phase("rotation", this::rotation);
            }
            if (parts.contains("reader")) {
                phase("reader", this::reader);
            }
            if (parts.contains("cli")) {
                ProcessFigures pf = new ProcessFigures(root, work);
                phase("cli", () -> cli(pf));
            }
            if (parts.contains("master")) {
                ProcessFigures pf = new ProcessFigures(root, work);
                phase("master", () -> master(pf));
            }
        } finally {
            BenchRedis.stopQuietly(embedded);
        }
        String report = report(redisVersion, embedded != null, (System.nanoTime() - started) / 1e9);
        progress.println();
        progress.print(report);
        if (out != null) {
            Files.writeString(out, report);
            progress.println("ecl-bench: report written to " + out);
        }
        return 0;
    }

    // ---- the figures ----

    private void local() {
        Map<String, Jmh.Score> s = jmh.run(LocalLogBench.class, true, new String[0],
                "longAdder", "log", "mapLookupAndAdd", "log2Threads", "longAdder2Threads", "mapLookupAndAdd2Threads",
                "log2ThreadsOwnEvent");
        localScores = s;
        Jmh.Score adder = s.get("longAdder");
        Jmh.Score log = s.get("log");
        Jmh.Score log2 = s.get("log2Threads");
        Jmh.Score adder2 = s.get("longAdder2Threads");
        Jmh.Score map = s.get("mapLookupAndAdd");
        Jmh.Score map2 = s.get("mapLookupAndAdd2Threads");
        Jmh.Score own = s.get("log2ThreadsOwnEvent");
        double ratio = ns(log) / ns(adder);
        boolean noAlloc = log.bytesPerOp < 0.01;
        table.add(new Table.Row("log(), local counters, 1 thread, 3 intervals", "≤ 3× and 0 B/op"))
                .value(nsText(log) + ", " + bytes(log.bytesPerOp))
                .baseline("LongAdder.increment(): " + nsText(adder))
                .ratio(ratio).verdict(ratio <= 3 && noAlloc)
                .note(String.format(Locale.ROOT, "Throughput %s ops/s vs %s ops/s. Variant: ConcurrentHashMap.get(event) then"
                        + " LongAdder.increment() costs %s (%.2f× LongAdder), so of log()'s %s the lookup by event ID"
                        + " accounts for %s. B/op is JMH's gc.alloc.rate.norm (-prof gc), all threads of the fork"
                        + " included; anything under 0.01 B/op is the flusher's once-a-second work spread over"
                        + " tens of millions of calls, i.e. nothing allocated per call.",
                        Table.num(log.score), Table.num(adder.score), nsText(map), ns(map) / ns(adder),
                        nsText(log), ns(map) - ns(adder) > 0 ? "about " + Table.num(ns(map) - ns(adder)) + " ns"
                                : "no measurable part (within the noise)"));
        double scale = log2.score / log.score;
        table.add(new Table.Row("log(), local counters, 2 threads, 3 intervals", "≥ 1.7× the throughput"))
                .value(Table.num(log2.score / 1e6) + " M ops/s")
                .baseline("itself, 1 thread: " + Table.num(log.score / 1e6) + " M ops/s")
                .ratio(scale).verdict(scale >= 1.7)
                .note(String.format(Locale.ROOT, "The same on this machine for a shared LongAdder: %s → %s M ops/s"
                        + " with 2 threads (%.2f×); for ConcurrentHashMap.get(event) then LongAdder.increment(),"
                        + " the pattern log() is built on: %s → %s M ops/s (%.2f×). log() with each thread logging"
                        + " its own event: %s M ops/s (%.2f× log() with 1 thread). Both threads, the logger's"
                        + " flusher thread and Redis share the 2 cores.",
                        Table.num(adder.score / 1e6), Table.num(adder2.score / 1e6), adder2.score / adder.score,
                        Table.num(map.score / 1e6), Table.num(map2.score / 1e6), map2.score / map.score,
                        Table.num(own.score / 1e6), own.score / log.score));
        if (!quick) {
            Map<String, Jmh.Score> v = jmh.run(LocalLogBench.class, false, new String[] {"syncLimit=1000"}, "log");
            Jmh.Score limited = v.get("log:syncLimit=1000");
            table.add(new Table.Row("log(), local counters with sync_limit 1000, 1 thread", "—"))
                    .value(nsText(limited)).baseline("LongAdder.increment(): " + nsText(adder))
                    .ratio(ns(limited) / ns(adder))
                    .note("Information: with sync_limit, log() also reads the counter's sum, and at tens of millions"
                            + " of calls per second the limit is hit every few microseconds, so the flusher thread"
                            + " drains and sends continuously beside the benchmark thread.");
        }
    }

    private void peers() {
        // log() is the local part's figure when it ran in this suite (the same group, the same call).
        Jmh.Score local = localScores.get("log");
        Map<String, Jmh.Score> s = local != null
                ? jmh.run(PeersBench.class, true, new String[0], "micrometerCounter", "micrometerLookup", "statsdCount",
                        "statsdDelivered")
                : jmh.run(PeersBench.class, true, new String[0], "eclLog", "micrometerCounter", "micrometerLookup",
                        "statsdCount", "statsdDelivered");
        Jmh.Score ecl = local != null ? local : s.get("eclLog");
        Jmh.Score held = s.get("micrometerCounter");
        Jmh.Score lookup = s.get("micrometerLookup");
        Jmh.Score statsd = s.get("statsdCount");
        Jmh.Score delivered = s.get("statsdDelivered");
        table.add(new Table.Row("log() with local counters vs Micrometer's Counter.increment(), 1 thread",
                        "≤ 2× the held Counter, faster than a lookup by name; 0 B/op"))
                .value(nsText(ecl) + ", " + bytes(ecl.bytesPerOp))
                .baseline("Micrometer 1.17.2 Counter.increment() on a held Counter: " + nsText(held)
                        + "; registry.counter(name).increment(): " + nsText(lookup) + ", " + bytes(lookup.bytesPerOp))
                .ratio(ns(ecl) / ns(held))
                .verdict(ns(ecl) <= 2 * ns(held) && ns(ecl) < ns(lookup) && ecl.bytesPerOp < 0.01)
                .note("Same suite run, one thread each, the same group for log() as the local rows. log(event) looks the event up by its ID and adds to each of the group's"
                        + " 3 intervals; Micrometer's held Counter is one DoubleAdder with no lookup, the fastest an"
                        + " in-process counter gets, while registry.counter(name) is the by-name call that log(event)"
                        + " compares with. Neither Micrometer figure includes getting the count anywhere: ecl's"
                        + " includes the flusher thread pushing every second to Redis.");
        table.add(new Table.Row("log() with local counters vs a StatsD client's count(), 1 thread",
                        "faster than count() on the caller's thread"))
                .value(nsText(ecl))
                .baseline("java-statsd-client 3.1.0 NonBlockingStatsDClient.count(): " + nsText(statsd) + ", "
                        + bytes(statsd.bytesPerOp) + " on the caller's thread; " + nsText(delivered)
                        + " per count until its datagram reached the daemon")
                .ratio(ns(ecl) / ns(statsd))
                .verdict(ns(ecl) < ns(statsd))
                .note("The StatsD client queues each count for its one sender thread, which sends one UDP datagram"
                        + " per count to a local socket drained by a thread (the daemon's stand-in). Timed in batches of "
                        + Table.num(PeersBench.BATCH) + " counts, each batch started once every datagram before it had"
                        + " arrived, so the queue never grows without end; the sender thread runs beside the caller,"
                        + " as in an application. The delivered figure is the rate a StatsD client sustains: "
                        + Table.num(delivered.score) + " counts/s, against log()'s "
                        + Table.num(ecl.score) + " calls/s, every one counted in Redis at the next flush.");
    }

    private void values() {
        // The LongAdder baselines are the local part's when it ran in this suite: the same benchmark
        // on the same machine minutes apart, not worth 20 s of the suite's budget twice.
        boolean adders = localScores.containsKey("longAdder") && localScores.containsKey("longAdder2Threads");
        Map<String, Jmh.Score> s = new LinkedHashMap<>(adders
                ? jmh.run(ValueSketchBench.class, true, new String[0],
                        "sketch", "micrometer", "sketch2Threads", "micrometer2Threads", "mathLog")
                : jmh.run(ValueSketchBench.class, true, new String[0],
                        "sketch", "micrometer", "sketch2Threads", "micrometer2Threads", "mathLog", "longAdder",
                        "longAdder2Threads"));
        if (adders) {
            s.put("longAdder", localScores.get("longAdder"));
            s.put("longAdder2Threads", localScores.get("longAdder2Threads"));
        }
        Jmh.Score sketch = s.get("sketch");
        Jmh.Score micrometer = s.get("micrometer");
        Jmh.Score sketch2 = s.get("sketch2Threads");
        Jmh.Score micrometer2 = s.get("micrometer2Threads");
        Jmh.Score log = s.get("mathLog");
        Jmh.Score adder = s.get("longAdder");
        Jmh.Score adder2 = s.get("longAdder2Threads");
        double ratio = ns(sketch) / ns(micrometer);
        table.add(new Table.Row("value sketch record(), 1 thread", "≤ 40 ns/op, 0 B/op, faster than Micrometer"))
                .value(nsText(sketch) + ", " + bytes(sketch.bytesPerOp))
                .baseline("Micrometer DistributionSummary, percentile histogram: " + nsText(micrometer) + ", "
                        + bytes(micrometer.bytesPerOp))
                .ratio(ratio).verdict(ns(sketch) <= 40 && sketch.bytesPerOp < 0.01 && ratio < 1)
                .note(String.format(Locale.ROOT, "The in-process part of logValue(): ValueSketch.record() of"
                        + " lognormal latencies (median 100 ms), bucket within 1 %%, exact count, sum, min and max."
                        + " Micrometer 1.17.2's DistributionSummary.builder(..).publishPercentileHistogram() on a"
                        + " SimpleMeterRegistry records the same values. Variant: Math.log alone costs %s, which the"
                        + " sketch saves by finding the bucket with a table lookup and one comparison.", nsText(log)));
        double scale = sketch2.score / sketch.score;
        table.add(new Table.Row("value sketch record(), 2 threads", "≥ 1.7× the throughput, faster than Micrometer"))
                .value(Table.num(sketch2.score / 1e6) + " M ops/s, " + bytes(sketch2.bytesPerOp))
                .baseline("itself, 1 thread: " + Table.num(sketch.score / 1e6) + " M ops/s")
                .ratio(scale).verdict(scale >= 1.7 && sketch2.score > micrometer2.score)
                .note(String.format(Locale.ROOT, "Micrometer with 2 threads in the same run: %s M ops/s (%.2f× its 1 thread)."
                        + " What this machine gives 2 threads meanwhile: a shared LongAdder %s → %s M ops/s (%.2f×)."
                        + " Both threads record into one sketch; it stripes its state by thread.",
                        Table.num(micrometer2.score / 1e6), micrometer2.score / micrometer.score,
                        Table.num(adder.score / 1e6), Table.num(adder2.score / 1e6), adder2.score / adder.score));
        kinds(micrometer);
        kindsFlush();
    }

    /** Flush and rotation of 1,000 unique counts and 1,000 values: time, round trips, Redis' time. */
    private void kindsFlush() {
        Map<String, Jmh.Score> s = jmh.run(KindsFlushBench.class, false, new String[0], "flush");
        Jmh.Score flush = s.get("flush");
        double[] server = ownRedis ? ServerTime.kinds() : null;
        RoundTrips.Count[] rts;
        try (RoundTrips rt = new RoundTrips(false)) {
            rts = rt.kinds();
        }
        table.add(new Table.Row("flush of 1,000 unique counts and 1,000 values × 3 intervals", "information"))
                .value(flush.medianText())
                .baseline("—")
                .note("Each name got 100 values in the interval: 1,000 HLL sketches merged into cur of 3 intervals"
                        + " (SET, PFMERGE × 3, DEL in the transaction) and 1,000 value hashes by log.lua (32 a call)."
                        + " Round trips: " + rts[0].data + " (WATCH and MGET; MULTI with every SET, PFMERGE, SADD, DEL"
                        + " and EXEC; the log.lua calls in one pipeline)."
                        + (server == null ? "" : " Redis' own time: " + Table.num(server[0] / 1000) + " ms, of which "
                        + Table.num(server[1] / 1000) + " ms the transaction (the sketches' PFMERGEs) and "
                        + Table.num(server[2] / 1000) + " ms log.lua (the value hashes' HINCRBYs: about 70 bucket fields"
                        + " each, and an increment in Redis' compact hash encoding scans the fields).")
                        + " The rotation of their 5 s interval (1,000 RENAMEs of each kind): round trips " + rts[1].data
                        + (server == null ? "" : ", Redis' own time " + Table.num(server[3] / 1000) + " ms") + ".");
    }

    /** The kinds through the public API: logUnique() and logValue() with local counters. */
    private void kinds(Jmh.Score micrometer) {
        Map<String, Jmh.Score> s = jmh.run(LogKindsBench.class, true, new String[0],
                "hashOnly", "logUnique", "logValue");
        Jmh.Score hash = s.get("hashOnly");
        Jmh.Score unique = s.get("logUnique");
        Jmh.Score value = s.get("logValue");
        table.add(new Table.Row("logUnique() with local counters, 1 thread", "≤ 60 ns/op, 0 B/op"))
                .value(nsText(unique) + ", " + bytes(unique.bytesPerOp))
                .baseline("Redis's hash of the value alone: " + nsText(hash))
                .ratio(ns(unique) / ns(hash)).verdict(ns(unique) <= 60 && unique.bytesPerOp < 0.01)
                .note("group.logUnique(\"visitors\", address) of 4,096 short ASCII addresses into a Redis-compatible"
                        + " HyperLogLog of the current epoch (16 KiB per name and epoch, whatever the number of"
                        + " values), merged into Redis every second by the logger's thread.");
        table.add(new Table.Row("logValue() with local counters, 1 thread", "≤ 40 ns/op, 0 B/op, faster than Micrometer"))
                .value(nsText(value) + ", " + bytes(value.bytesPerOp))
                .baseline("Micrometer DistributionSummary, percentile histogram: " + nsText(micrometer))
                .ratio(ns(value) / ns(micrometer))
                .verdict(ns(value) <= 40 && value.bytesPerOp < 0.01 && ns(value) < ns(micrometer))
                .note("group.logValue(\"latency_ms\", v) of lognormal latencies through the public API: the group's"
                        + " lookup, the epoch's sketch, the record; the logger pushes the statistics every second.");
    }

    private void direct() {
        // One JMH run per pair, so that each log() fork runs right next to its baseline's: on a
        // shared machine the load moves within a minute, and one run of all of them in JMH's
        // order (every log() fork first) made a ratio compare two different loads.
        Map<String, Jmh.Score> s = new java.util.HashMap<>();
        s.putAll(jmh.run(DirectLogBench.class, false, new String[0], "rawIncr", "log"));
        s.putAll(jmh.run(DirectLogBench.class, false, new String[0], "rawIncr4Threads", "log4Threads"));
        s.putAll(jmh.run(DirectLogBench.class, false, new String[0], "rawIncr16Threads", "log16Threads"));
        s.putAll(jmh.run(DirectLogBench.class, false, new String[0],
                "rawPipeline3Incrby", "rawScript3Incrby", "rawScriptNothing", "rawScript3Incrby4Threads"));
        double[] server = ownRedis ? ServerTime.direct() : null;
        Map<Integer, DirectPairs.Result> paired = new java.util.HashMap<>();
        for (int threads : new int[] {1, 4, 16}) {
            paired.put(threads, DirectPairs.measure(threads, quick ? 15 : 31));
        }
        Map<Integer, Double> perLog = new java.util.HashMap<>();
        try (RoundTrips rt = new RoundTrips(false)) {
            perLog.put(1, rt.perDirectLog(1000));
            perLog.put(4, rt.perDirectLog(4000, 4));
            perLog.put(16, rt.perDirectLog(16000, 16));
        }
        for (int threads : new int[] {1, 4, 16}) {
            String suffix = threads == 1 ? "" : threads + "Threads";
            Jmh.Score log = s.get("log" + suffix);
            Jmh.Score raw = s.get("rawIncr" + suffix);
            double logOps = opsPerSecond(log, threads);
            double rawOps = opsPerSecond(raw, threads);
            DirectPairs.Result pair = paired.get(threads);
            double ratio = pair.ratio();
            double trips = perLog.get(threads);
            boolean one = threads == 1;
            Table.Row r = table.add(new Table.Row("log() direct, " + threads + (one ? " thread" : " threads")
                    + ", 3 intervals", one ? "≥ 0.9× the throughput, 1 round trip per log()"
                            : "more log()/s than raw INCR (> 1×), ≤ 1 round trip per log()"))
                    .value(Table.num(logOps) + " ops/s, p50 " + Table.num(log.p50) + " µs, p99 " + Table.num(log.p99)
                            + " µs, " + String.format(Locale.ROOT, "%.2f", trips) + " round trips/log()")
                    .baseline("raw Jedis INCR, pooled RedisClient: " + Table.num(rawOps) + " ops/s, p50 "
                            + Table.num(raw.p50) + " µs, p99 " + Table.num(raw.p99) + " µs")
                    .ratio(ratio).verdict(one ? ratio >= 0.9 && trips <= 1.0 : ratio > 1.0 && trips <= 1.0);
            r.note(String.format(Locale.ROOT, "The ratio is the median of %d paired ratios: the same %d thread%s"
                    + " alternating 120 ms slices of log() and of raw INCR (quartiles %.2f–%.2f; medians %s and %s"
                    + " calls/s). Loopback round trips on this virtual machine switch between about 10 and about 70"
                    + " µs every few seconds, as the host lets the idle virtual CPU sleep or not: JMH's two runs,"
                    + " one after the other, can land in different states (their ratio here: %.2f×).",
                    pair.pairs(), threads, one ? "" : "s", pair.q1(), pair.q3(), Table.num(pair.logOps()),
                    Table.num(pair.rawOps()), logOps / rawOps));
            r.note(String.format(Locale.ROOT, "CPU time of the calling threads per call, medians of the same slices:"
                    + " log() %s µs, raw INCR %s µs.%s", Table.num(pair.logCpuMicros()), Table.num(pair.rawCpuMicros()),
                    one ? " A lone direct-mode caller busy-waits for its reply while a CPU is spare (replySpin,"
                            + " 50 µs at most): that wait is in its CPU time, where a blocked read's is not." : ""));
            if (one) {
                Jmh.Score pipe = s.get("rawPipeline3Incrby");
                Jmh.Score floor = s.get("rawScript3Incrby");
                double pipeOps = opsPerSecond(pipe, 1);
                double floorOps = opsPerSecond(floor, 1);
                double nothingOps = opsPerSecond(s.get("rawScriptNothing"), 1);
                r.note("JMH sample mode: every call timed, so the percentiles and the throughput (threads / mean"
                        + " time per call) come from one run; the raw client pools 16 connections, the logger has its"
                        + " pool and the group's own connection. Round trips counted by a RESP-parsing proxy over"
                        + " 1,000 log() calls on a connected logger: each log() is one round trip, a MULTI/EXEC of"
                        + " the 3 INCRBY and the call's marker, which Redis runs only if no interval was rotated since"
                        + " the WATCH that ended the call before (direct.lua for the first call of an interval;"
                        + " log.lua too, once per boundary the master has not yet rotated). The Python version makes"
                        + " 3 (5,900 events/s on its reference machine).");
                StringBuilder why = new StringBuilder(String.format(Locale.ROOT,
                        "Where the time goes: a round trip costs %s µs here (1 / raw INCR throughput), log() %s µs."
                        + " Variants in the same run: 3 INCRBY in one pipeline %s ops/s (%.2f× raw INCR); EVALSHA of"
                        + " a script doing only the 3 INCRBY %s ops/s (%.2f×); EVALSHA of a script doing nothing, with"
                        + " the keys and arguments of one log() (3 and 17), %s ops/s (%.2f×).",
                        Table.num(1e6 / rawOps), Table.num(1e6 / logOps),
                        Table.num(pipeOps), pipeOps / rawOps, Table.num(floorOps), floorOps / rawOps,
                        Table.num(nothingOps), nothingOps / rawOps));
                if (server != null) {
                    why.append(String.format(Locale.ROOT, " Redis' own execution time per call (INFO commandstats):"
                            + " log() %s µs (MULTI, EXEC with the INCRBY and HSET it runs, WATCH, MGET), INCR %s µs.",
                            Table.num(server[0]), Table.num(server[1])));
                }
                r.note(why.toString());
            } else {
                StringBuilder how = new StringBuilder(String.format(Locale.ROOT, "Up to 8 callers of a group each"
                        + " have their call in flight on a connection of their own; with more, up to one more than"
                        + " the CPUs calls of the group are in flight, arrivals beyond"
                        + " that queue and the next caller free to send carries all of them in one transaction,"
                        + " counts summed per event; each caller returns once its own count is stored."
                        + " Round trips per log() counted by the proxy with %d threads sharing %,d calls.",
                        threads, threads * 1000));
                Jmh.Score floor = s.get("rawScript3Incrby4Threads");
                if (threads == 4 && floor != null) {
                    double floorOps = opsPerSecond(floor, 4);
                    how.append(String.format(Locale.ROOT, " Variant in the same run: EVALSHA of a script doing only"
                            + " the 3 INCRBY, 4 threads, one call each: %s ops/s (%.2f× raw INCR with 4 threads).",
                            Table.num(floorOps), floorOps / rawOps));
                }
                r.note(how.toString());
            }
        }
    }

    /** Calls per second of a sample-mode score (µs per call) with {@code threads} threads calling at once. */
    private static double opsPerSecond(Jmh.Score sample, int threads) {
        return threads * 1e6 / sample.score;
    }

    private void flush() {
        Map<String, Jmh.Score> s = jmh.run(FlushBench.class, false, new String[0], "flush", "rawPipeline");
        double[] server = ownRedis ? ServerTime.flush() : null;
        Jmh.Score flush = s.get("flush");
        Jmh.Score raw = s.get("rawPipeline");
        RoundTrips.Count warm;
        RoundTrips.Count cold = null;
        try (RoundTrips rt = new RoundTrips(redisIsOurs())) {
            warm = rt.flush(false);
            if (rt.mayFlushScripts()) {
                cold = rt.flush(true);
            }
        }
        double ratio = flush.p50 / raw.p50;
        Table.Row r = table.add(new Table.Row("flush() of 10,000 distinct events × 3 intervals", "≤ 1.5× its time, ≤ 3 round trips"))
                .value(flush.medianText() + ", " + warm.data + " round trip" + (warm.data == 1 ? "" : "s"))
                .baseline("one raw Jedis pipeline of 30,000 INCRBY: " + raw.medianText())
                .ratio(ratio).verdict(ratio <= 1.5 && warm.data <= 3)
                .note("Declared events; the logger had flushed before (connected, scripts cached). Round trips: "
                        + warm.detail + " (WATCH and MGET of the @ts keys and chunk markers; then one MULTI/EXEC of"
                        + " plain INCRBYs, 10 chunks of 1,000 events). Ratio of the medians.");
        if (server != null) {
            r.note(String.format(Locale.ROOT, "Redis' own execution time (INFO commandstats): %s ms per flush"
                    + " (WATCH, MGET, MULTI, EXEC; %s µs per increment) against %s ms for the raw"
                    + " pipeline's 30,000 INCRBY (%s µs each).",
                    Table.num(server[0] / 1000), Table.num(server[0] / 30_000),
                    Table.num(server[1] / 1000), Table.num(server[1] / 30_000)));
        }
        if (cold != null) {
            r.note("Right after SCRIPT FLUSH (as after a Redis restart) the same flush takes " + cold.data
                    + " round trips: " + cold.detail + ".");
        }
        if (!quick) {
            Map<String, Jmh.Score> a = jmh.run(FlushBench.class, false, new String[] {"events=auto"}, "flush");
            Jmh.Score auto = a.get("flush:events=auto");
            table.add(new Table.Row("flush() of 10,000 auto-declared events × 3 intervals", "—"))
                    .value(auto.medianText()).baseline("the same raw pipeline: " + Table.num(raw.p50) + " ms (median)")
                    .ratio(auto.p50 / raw.p50)
                    .note("Information: an auto-declared event is also added to the interval's registry set"
                            + " (one SADD per chunk and interval, in the same transaction), which the reader and the"
                            + " rotation use instead of SCAN.");
        }
    }

    private void rotation() {
        Map<String, Jmh.Score> s = jmh.run(RotationBench.class, false, new String[] {"unrelatedKeys=0,200000"}, "rotate");
        double server = ownRedis ? ServerTime.rotation(0) : Double.NaN;
        double serverFull = ownRedis ? ServerTime.rotation(200_000) : Double.NaN;
        Jmh.Score empty = s.get("rotate:unrelatedKeys=0");
        Jmh.Score full = s.get("rotate:unrelatedKeys=200000");
        RoundTrips.Count rts;
        try (RoundTrips rt = new RoundTrips(false)) {
            rts = rt.rotation();
        }
        double ratio = full.p50 / empty.p50;
        table.add(new Table.Row("rotation of one (group, interval), 10,000 auto-declared events, 200,000 other keys",
                        "≤ 50 ms, ratio ≤ 1.2"))
                .value(full.medianText())
                .baseline("the same without the 200,000 keys: " + empty.medianText())
                .ratio(ratio).verdict(full.p50 <= 50 && ratio <= 1.2)
                .note("Every event was logged during the interval, so each rotation moves 10,000 cur counters"
                        + " to last, over the 10,000 last counters of the interval before (copied 256 at a time: MGET,"
                        + " MSET, DEL). Round trips: "
                        + rts.data + " (" + rts.detail + "). Python: 1,427 ms with the 200,000 keys (SCAN)."
                        + (Double.isNaN(server) ? "" : " Redis' own execution time per rotation (INFO commandstats):"
                        + " " + Table.num(serverFull / 1000) + " ms with the 200,000 keys, " + Table.num(server / 1000)
                        + " ms without."));
        Map<String, Jmh.Score> hist = jmh.run(RotationBench.class, false,
                new String[] {"unrelatedKeys=0", "history=120"}, "rotate");
        Jmh.Score kept = hist.get("rotate:unrelatedKeys=0:history=120");
        double histRatio = kept.p50 / empty.p50;
        table.add(new Table.Row("rotation of one (group, interval), 10,000 auto-declared events, history 120",
                        "≤ 1.3× without history"))
                .value(kept.medianText())
                .baseline("the same with history 0: " + empty.medianText())
                .ratio(histRatio).verdict(histRatio <= 1.3)
                .note("The list already holds 120 entries of 10,000 counts (about 14 MB), so each rotation also builds"
                        + " the entry of the interval it retires from last, pushes it and trims the oldest, in the"
                        + " same script. Both include the totals (an HINCRBY per nonzero count retired).");
        Map<String, Jmh.Score> big = jmh.run(RotationBench.class, false,
                new String[] {"unrelatedKeys=0", "events=100000"}, "rotate");
        Jmh.Score hundred = big.get("rotate:unrelatedKeys=0:events=100000");
        table.add(new Table.Row("rotation of one (group, interval), 100,000 auto-declared events", "— (stated)"))
                .value(hundred.medianText())
                .baseline("10,000 events: " + empty.medianText())
                .ratio(hundred.p50 / empty.p50)
                .note("Information: the same rotation with 10 times the events, all logged in the interval: one"
                        + " script, so Redis answers nothing else meanwhile (writers wait that long once per"
                        + " interval). Ratio: the time per 100,000 events against the time per 10,000."); 
    }

    private void reader() {
        Map<String, Jmh.Score> s = jmh.run(ReaderBench.class, false, new String[0], "read");
        double server = ownRedis ? ServerTime.read() : Double.NaN;
        Jmh.Score read = s.get("read");
        RoundTrips.Count warm;
        RoundTrips.Count cold = null;
        try (RoundTrips rt = new RoundTrips(redisIsOurs())) {
            warm = rt.read(false);
            if (rt.mayFlushScripts()) {
                cold = rt.read(true);
            }
        }
        int worst = cold != null ? Math.max(cold.data, warm.data) : warm.data;
        Table.Row r = table.add(new Table.Row("reader, one (group, interval) of 10,000 auto-declared events",
                        "≤ 150 ms after connect, ≤ 2 round trips"))
                .value(read.medianText() + ", " + warm.data + " round trip" + (warm.data == 1 ? "" : "s"))
                .baseline("—")
                .verdict(read.p50 <= 150 && worst <= 2)
                .note("CounterReader.read() on a connected reader, last and cur both holding 10,000 counters."
                        + " Round trips of a new reader's first read: " + warm.data + " for the data (" + warm.detail
                        + "), " + warm.total + " with the connection's set-up."
                        + (Double.isNaN(server) ? "" : " Redis' own execution time per read (INFO commandstats):"
                        + " " + Table.num(server / 1000) + " ms."));
        if (cold != null) {
            r.note("With the script not yet cached (SCRIPT FLUSH first): " + cold.data + " data round trips ("
                    + cold.detail + ").");
        }
    }

    private void cli(ProcessFigures pf) throws Exception {
        String why = ProcessFigures.missing(root, "ecl-reader", "ecl-reader");
        if (why != null) {
            table.add(new Table.Row("bin/ecl-reader cold start, group of 10 events, start to exit", "≤ 1.5× its wall time"))
                    .value(why).verdict(Table.Verdict.SKIPPED);
            return;
        }
        int runs = quick ? 5 : 10;
        String[] ten = {"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"};
        GroupConfig cold = GroupConfig.builder("cold").events(ten).intervals("5m")
                .syncInterval(Duration.ofHours(1)).build();
        GroupConfig big = GroupConfig.builder("big").autoDeclareEvents(true).intervals("5s")
                .syncInterval(Duration.ofHours(1)).build();
        try (RedisClient c = BenchRedis.client()) {
            c.flushDB();
        }
        ReaderBench.fill(EclConfig.builder().redis(BenchRedis.config()).group(cold).build(), cold, ten);
        ReaderBench.fill(EclConfig.builder().redis(BenchRedis.config()).group(big).build(), big,
                FlushBench.eventIds(ReaderBench.EVENTS));
        Path config = pf.config("cli.yml", "  cold:\n    events: [" + String.join(", ", ten) + "]\n    intervals: ['5m']\n"
                + "  big:\n    events: []\n    intervals: ['5s']\n    auto_declare_events: true\n");
        List<String> reader = List.of(root.resolve("bin/ecl-reader").toString(), config.toString(), "-g", "cold", "-i", "5m");
        List<String> hello = List.of(pf.java(), "-cp", pf.helloDir().toString(), "Hello");
        String printed;
        try {
            printed = pf.runOnce(reader);
        } catch (IllegalStateException e) {
            table.add(new Table.Row("bin/ecl-reader cold start, group of 10 events, start to exit", "≤ 1.5× its wall time"))
                    .value("bin/ecl-reader failed: " + e.getMessage()).verdict(Table.Verdict.FAILED);
            return;
        }
        long lines = printed.lines().filter(l -> l.matches("e\\d:\\d+")).count();
        ProcessFigures.Timing[] t = pf.interleaved(runs, List.of(hello, reader));
        double ratio = t[1].median() / t[0].median();
        Table.Row r = table.add(new Table.Row("bin/ecl-reader cold start, group of 10 events, start to exit", "≤ 1.5× its wall time"))
                .value("median " + Table.num(t[1].median()) + " ms")
                .baseline("`java -cp DIR Hello`: median " + Table.num(t[0].median()) + " ms")
                .ratio(ratio).verdict(ratio <= 1.5 && lines == 10)
                .note(String.format(Locale.ROOT, "%d runs of each, interleaved, after 2 unmeasured runs of each; ecl-reader"
                        + " %s–%s ms, Hello %s–%s ms; same JVM (%s) for both, launcher flags as shipped."
                        + " ecl-reader printed %d event lines. Python's ecl_reader: 172 ms, about 1.7× its Hello.",
                        runs, Table.num(t[1].min()), Table.num(t[1].max()), Table.num(t[0].min()), Table.num(t[0].max()),
                        pf.java(), lines));
        if (lines != 10) {
            r.note("ecl-reader's output was not 10 'event:count' lines: " + printed.trim().replace('\n', ' '));
        }
        startUp(pf, config, runs);
        List<String> readerBig = List.of(root.resolve("bin/ecl-reader").toString(), config.toString(), "-g", "big", "-i", "5s");
        int bigRuns = quick ? 3 : 5;
        ProcessFigures.Timing b = pf.interleaved(bigRuns, List.of(readerBig))[0];
        table.add(new Table.Row("bin/ecl-reader, 10,000 auto-declared events, start to exit", "— (Python: 954 ms)"))
                .value("median " + Table.num(b.median()) + " ms").baseline("—")
                .note("Information: " + bigRuns + " runs, " + Table.num(b.min()) + "–" + Table.num(b.max()) + " ms.");
    }

    /**
     * The other short-lived tools from their first run after {@code mvn package}, whose
     * cds-archives step made their class-data-sharing archives (a run with the archive in place:
     * no run changes it), each beside Hello; then the reader's first run after a JDK change, when
     * the launcher runs without an archive and remakes it in the background.
     */
    private void startUp(ProcessFigures pf, Path config, int runs) throws Exception {
        List<String> hello = List.of(pf.java(), "-cp", pf.helloDir().toString(), "Hello");
        String[][] tools = {
            {"bin/ecl-log-event, one event, start to exit", "ecl-log-event", "ecl-reader", "-c", config.toString(), "cold", "e1"},
            {"bin/ecl-master --check, start to exit", "ecl-master", "ecl-master", "--check", config.toString()}};
        for (String[] t : tools) {
            String figure = t[0] + " (first run after mvn package)";
            String why = ProcessFigures.missing(root, t[1], t[2]);
            if (why != null) {
                table.add(new Table.Row(figure, "≤ 1.5× its wall time")).value(why).verdict(Table.Verdict.SKIPPED);
                continue;
            }
            List<String> command = new ArrayList<>();
            command.add(root.resolve("bin").resolve(t[1]).toString());
            command.addAll(List.of(t).subList(3, t.length));
            ProcessFigures.Timing[] timing = pf.interleaved(runs, List.of(hello, command));
            double ratio = timing[1].median() / timing[0].median();
            table.add(new Table.Row(figure, "≤ 1.5× its wall time"))
                    .value("median " + Table.num(timing[1].median()) + " ms")
                    .baseline("`java -cp DIR Hello`: median " + Table.num(timing[0].median()) + " ms")
                    .ratio(ratio).verdict(ratio <= 1.5)
                    .note(String.format(Locale.ROOT, "%d runs of each, interleaved; %s %s–%s ms, Hello %s–%s ms;"
                            + " the archive the build made (%s.jsa beside the jar) in place, as after mvn package.",
                            runs, t[1], Table.num(timing[1].min()), Table.num(timing[1].max()),
                            Table.num(timing[0].min()), Table.num(timing[0].max()), t[1]));
        }
        String figure = "bin/ecl-reader, group of 10 events, first run after a JDK change";
        Path jvm = root.resolve("ecl-reader/target/ecl-reader.jsa.jvm");
        if (!Files.isRegularFile(jvm)) {
            table.add(new Table.Row(figure, "—")).value("no archive: " + root.relativize(jvm) + " not found")
                    .verdict(Table.Verdict.SKIPPED);
            return;
        }
        List<String> reader = List.of(root.resolve("bin/ecl-reader").toString(), config.toString(), "-g", "cold", "-i", "5m");
        int samples = quick ? 3 : 5;
        ProcessFigures.Timing[] t = pf.afterJdkChange(samples, hello, reader, jvm);
        table.add(new Table.Row(figure, "— (information)"))
                .value("median " + Table.num(t[1].median()) + " ms")
                .baseline("`java -cp DIR Hello`: median " + Table.num(t[0].median()) + " ms")
                .ratio(t[1].median() / t[0].median())
                .note(String.format(Locale.ROOT, "%d samples: before each, the archive's record of its JDK is set to"
                        + " another JDK, as after an upgrade; the run goes without an archive and remakes it in the"
                        + " background (the next run has it again: waited for between samples). ecl-reader %s–%s ms.",
                        samples, Table.num(t[1].min()), Table.num(t[1].max())));
    }

    private void master(ProcessFigures pf) throws Exception {
        String figure = "bin/ecl-master resident memory, 100 groups × 3 intervals";
        String target = "≤ 100 MiB RSS, flat over time";
        String why = ProcessFigures.missing(root, "ecl-master", "ecl-master");
        if (why != null) {
            table.add(new Table.Row(figure, target)).value(why).verdict(Table.Verdict.SKIPPED);
            return;
        }
        try (RedisClient c = BenchRedis.client()) {
            c.flushDB();
        }
        StringBuilder groups = new StringBuilder();
        EclConfig.Builder ecl = EclConfig.builder().redis(BenchRedis.config());
        GroupConfig probe = null;
        for (int g = 0; g < 100; g++) {
            String name = String.format(Locale.ROOT, "g%03d", g);
            groups.append("  ").append(name).append(":\n    events: [e0, e1, e2, e3, e4, e5, e6, e7, e8, e9]\n")
                    .append("    intervals: ['1s', '10s', '1m']\n");
            GroupConfig gc = GroupConfig.builder(name).events("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9")
                    .intervals("1s", "10s", "1m").build();
            ecl.group(gc);
            if (probe == null) {
                probe = gc;
            }
        }
        Path config = pf.config("master.yml", groups.toString());
        Duration d = longRun ? Duration.ofHours(1) : quick ? Duration.ofSeconds(30) : Duration.ofMinutes(1);
        progress.printf("ecl-bench:   sampling ecl-master's RSS for %d s%n", d.toSeconds());
        ProcessFigures.RssRun run = pf.masterRss(config, d, ecl.build(), probe);
        if (run.failure != null) {
            table.add(new Table.Row(figure, target)).value(run.failure).verdict(Table.Verdict.FAILED);
            return;
        }
        double early = run.median(0.2, 0.4);
        double late = run.median(0.8, 1.0);
        double peak = run.peak();
        double growth = late - early;
        boolean flat = growth <= 2.0;
        table.add(new Table.Row(figure, target))
                .value(String.format(Locale.ROOT, "peak %s MiB; median %s MiB at 20–40%% of the run, %s MiB in the last 20%%",
                        Table.num(peak), Table.num(early), Table.num(late)))
                .baseline("—")
                .verdict(peak <= 100 && flat && run.rotating)
                .note(String.format(Locale.ROOT, "Sampled VmRSS of the ecl-master JVM every second for %d s (%s) with"
                        + " intervals 1s, 10s and 1m, so 100 rotations a second; 10 declared events per group;"
                        + " launcher flags as shipped. 'Flat' here: the late median exceeds the early one by at most"
                        + " 2 MiB (measured: %+.1f MiB). Rotating at the end: %s (%s).%s",
                        d.toSeconds(), longRun ? "--long" : "the issue asks for an hour: run bin/ecl-bench --long --only master",
                        growth, run.rotating ? "yes" : "NO", run.rotationEvidence,
                        longRun ? "" : " A short sample shows start-up and steady state, not a slow leak."));
    }

    // ---- plumbing ----

    private interface Phase {
        void run() throws Exception;
    }

    private void phase(String name, Phase p) throws InterruptedException {
        if (waitIdle) {
            awaitIdle();
        }
        long t0 = System.nanoTime();
        Machine.CpuSample before = Machine.CpuSample.now();
        progress.printf("ecl-bench: %-9s ...%n", name);
        try {
            p.run();
        } catch (Exception | Error e) {
            table.add(new Table.Row(name + " benchmarks", "")).value("failed: " + e).verdict(Table.Verdict.FAILED);
            e.printStackTrace(System.err);
        }
        double others = Machine.CpuSample.now().othersSince(before);
        maxOthers = Double.isNaN(others) ? maxOthers : Math.max(maxOthers, others);
        phaseLoad.add(name + ": " + percent(others));
        progress.printf("ecl-bench: %-9s done in %.0f s (other processes used %s of the CPUs meanwhile)%n",
                name, (System.nanoTime() - t0) / 1e9, percent(others));
    }

    /** Waits until other processes use under 15% of the CPUs over 3 s, for at most 5 minutes. */
    private void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (true) {
            Machine.CpuSample before = Machine.CpuSample.now();
            Thread.sleep(3000);
            double others = Machine.CpuSample.now().othersSince(before);
            if (!(others >= 0.15)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                progress.printf("ecl-bench: other processes still use %s of the CPUs after 5 minutes; going on%n",
                        percent(others));
                return;
            }
            progress.printf("ecl-bench: waiting: other processes use %s of the CPUs%n", percent(others));
        }
    }

    private String report(String redisVersion, boolean embedded, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append("ecl benchmark suite, ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(quick ? ", --quick" : "").append(longRun ? ", --long" : "")
                .append(String.format(Locale.ROOT, ", %.0f s%n%n", seconds));
        b.append(table.markdown()).append('\n');
        b.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(Machine.cpuModel()).append(", ").append(Machine.memory()).append(" RAM, ")
                .append(Machine.os()).append("; JDK: ").append(Machine.jdk()).append("; Redis ").append(redisVersion)
                .append(embedded ? " (embedded-redis, loopback)" : " at " + redisAddress).append('\n');
        b.append("Load: CPU share used by other processes (/proc/stat minus this suite's processes")
                .append(embedded || !Machine.CpuSample.OWN_PIDS.isEmpty() ? " and Redis" : "; Redis counts as other")
                .append("): ")
                .append(String.join(", ", phaseLoad)).append("; load average at the end ")
                .append(Machine.loadAverage()).append('\n');
        if (jmh != null && !jmh.closeHangs().isEmpty()) {
            b.append("HANG: EventCountLogger.close() did not return within 15 s (look for a deadlock with the"
                    + " flusher thread: jstack the fork) in ")
                    .append(jmh.closeHangs().size()).append(" JMH fork(s): ").append(String.join(", ", jmh.closeHangs()))
                    .append(". The suite abandons such a close() after 15 s.\n");
        }
        if (maxOthers > 0.1) {
            b.append("WARNING: other processes used up to ").append(percent(maxOthers))
                    .append(" of the CPUs during a phase; its figures may be off. Re-run when the machine is idle.\n");
        }
        return b.toString();
    }

    /** SCRIPT FLUSH and the like are fine only on the suite's own embedded Redis. */
    private boolean redisIsOurs() {
        return ownRedis;
    }

    private Path logFile() throws IOException {
        Path target = root.resolve("ecl-bench").resolve("target");
        Path dir = Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("ecl-bench-jmh.log");
    }

    private static Path defaultRoot() {
        try {
            Path jar = Path.of(BenchSuite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // <root>/ecl-bench/target/ecl-bench.jar
            Path candidate = jar.getParent() == null ? null : jar.getParent().getParent();
            if (candidate != null && candidate.getParent() != null && Files.isDirectory(candidate.getParent().resolve("bin"))) {
                return candidate.getParent();
            }
        } catch (Exception e) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String infoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "unknown";
    }

    private static double ns(Jmh.Score throughput) {
        return 1e9 / throughput.score;
    }

    private static String nsText(Jmh.Score throughput) {
        double err = 1e9 * throughput.error / (throughput.score * throughput.score);
        return Table.num(ns(throughput)) + " ±" + Table.num(Double.isNaN(err) ? 0 : err) + " ns/op";
    }

    private static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "B/op not measured";
        }
        return b < 0.01 ? "0 B/op" : Table.num(b) + " B/op";
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "unknown" : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
