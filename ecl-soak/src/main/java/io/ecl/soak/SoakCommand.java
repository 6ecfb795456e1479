package io.ecl.soak;

import io.ecl.cli.CliLogConfigurator;
import io.ecl.core.EclConfig;
import io.ecl.core.IntervalCounts;
import io.ecl.core.ops.CounterReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import redis.embedded.RedisServer;

/**
 * {@code ecl-soak}: runs logger processes, masters rotating every second and a Redis behind a
 * cuttable proxy, injects faults on a schedule (Redis unreachable, master killed with -9 and
 * restarted, two and three masters at once, a logger restarted), then accounts for every event:
 *
 * <pre>logged=N counted=N lost=0 duplicated=0 misattributed=0 dropped=0 uniques=U/D (E %) values=D/D</pre>
 *
 * and exits 0 only when lost, duplicated, misattributed and dropped are all 0 and the unique count
 * (every logger also logs a new distinct value every 16 events) is within 2 % of the distinct
 * values logged (a HyperLogLog's standard error is 0.81 %), and a value statistics fed 0.5 with each
 * of those values counts each exactly once (count and exact sum).
 *
 * <p>How it knows: every group has a 1 s interval and a long one (hundreds of days, chosen so no
 * boundary falls inside the run). The long interval's {@code cur} ends with every count ever
 * delivered: compared with what the loggers say they logged, it gives lost and duplicated; so
 * does the 1 s interval, whose rotations a {@link LastAuditor} follows, where a count must have
 * been shown in a {@code last} (lost also counts a {@code last} overwritten before its time). The
 * 1 s interval's {@code last} is read every 25 ms and compared with the loggers' count of the
 * seconds it covers: it gives misattributed. Intervals around a Redis outage are not judged there
 * (their counts arrive late by design and are reported in the @late counters); the report names
 * them. {@code --scenario} chooses the faults (see {@link Scenario}).
 */
@Command(name = "ecl-soak", mixinStandardHelpOptions = true, version = "ecl-soak 1.0.0",
        description = "Fault-injection soak of ecl against a real Redis; ends with one line "
                + "logged=N counted=N lost=0 duplicated=0 misattributed=0 dropped=0 uniques=U/D (E %) values=D/D.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "40s", description = "How long to log (e.g. 40s, 10m, 2h). Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--redis", paramLabel = "HOST:PORT", description = "Use this Redis instead of an embedded one (its data is left alone: groups get a random name).")
    String redis;

    @Option(names = "--outage", defaultValue = "3s", description = "How long Redis is unreachable (e.g. 3s, 30s). Default: ${DEFAULT-VALUE}.")
    String outage;

    @Option(names = "--loggers", defaultValue = "3", description = "Logger processes. Default: ${DEFAULT-VALUE}.")
    int loggers;

    @Option(names = "--window-ms", defaultValue = "25", description = "Tolerance around a boundary within which an event may fall in either second. Default: ${DEFAULT-VALUE}.")
    int windowMs;

    @Option(names = {"-v", "--verbose"}, description = "Print faults and per-interval checks as they happen.")
    boolean verbose;

    /** What the soak runs against. */
    enum Scenario {
        /** ecl masters; Redis cut, master killed with -9, three masters at once, a logger replaced. */
        faults,
        /**
         * Two ecl masters; repeatedly Redis unreachable for everyone, a master killed with -9 meanwhile,
         * then the loggers reconnect seconds before the masters: the writers catch up on their own.
         */
        writers_first,
        /** A master rotating as the Python version's does (a few ms late, its own @ts); Redis cut; a logger replaced. */
        python_master
    }

    @Option(names = "--scenario", defaultValue = "faults", description = "faults, writers_first or python_master. Default: ${DEFAULT-VALUE}.")
    Scenario scenario;

    private PrintStream out = System.out;
    private final List<Long[]> outages = new ArrayList<>();
    /** When every logger was logging (their JVMs started): attribution is judged from then on. */
    private volatile long loggingFrom = Long.MAX_VALUE;
    /** Per group: every 'last' of the 1 s interval seen, by the cur:@ts it was closed at (its final read). */
    private final Map<String, Map<Long, IntervalCounts>> lasts = new LinkedHashMap<>();

    public static void main(String[] args) {
        // A long run whose log is read afterwards: timestamped lines on stdout, as the daemons write them.
        CliLogConfigurator.daemon();
        System.exit(new CommandLine(new SoakCommand()).execute(args));
    }

    /** The last line printed, for tests. */
    String result;

    @Override
    public Integer call() throws Exception {
        long seconds = parseDuration(duration);
        long outageMillis = parseDuration(outage, 1) * 1000;
        if (outageMillis * 5 > seconds * 1000) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--outage must be at most a fifth of --duration");
        }
        Path dir = Files.createTempDirectory("ecl-soak");
        RedisServer embedded = null;
        InetSocketAddress target;
        if (redis == null) {
            int port = freePort();
            embedded = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            embedded.start();
            target = new InetSocketAddress("127.0.0.1", port);
        } else {
            int colon = redis.lastIndexOf(':');
            target = new InetSocketAddress(redis.substring(0, colon), Integer.parseInt(redis.substring(colon + 1)));
        }
        CuttableProxy proxy = new CuttableProxy(target, freePort());
        proxy.restore();
        // Masters connect through their own proxy, so that writers can be back before them.
        CuttableProxy masterProxy = new CuttableProxy(target, freePort());
        masterProxy.restore();
        String tag = "soak" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        String localGroup = tag + "_local";
        String directGroup = tag + "_direct";
        long runStartSecond = System.currentTimeMillis() / 1000;
        int arraySeconds = (int) seconds + 120;
        String longInterval = longInterval(runStartSecond, arraySeconds);
        String groups = "groups:\n"
                + "  " + localGroup + ":\n    events: []\n    uniques: [" + SoakLogger.UNIQUE + "]\n"
                + "    values: [" + SoakLogger.VALUE + "]\n"
                + "    intervals: ['1s', '" + longInterval + "']\n"
                + "    auto_declare_events: true\n    sync_interval: 0.2\n"
                + "  " + directGroup + ":\n    events: [a, b, c]\n    uniques: [" + SoakLogger.UNIQUE + "]\n"
                + "    values: [" + SoakLogger.VALUE + "]\n"
                + "    intervals: ['1s', '" + longInterval + "']\n";
        Path viaProxy = dir.resolve("soak.yml");
        Files.writeString(viaProxy, "redis:\n  host: 127.0.0.1\n  port: " + proxy.port() + "\necl_redis:\n  timeout_ms: 1000\n" + groups);
        Path viaMasterProxy = dir.resolve("soak-master.yml");
        Files.writeString(viaMasterProxy, "redis:\n  host: 127.0.0.1\n  port: " + masterProxy.port() + "\n  timeout_ms: 1000\n" + groups);
        EclConfig direct = EclConfig.parse("redis:\n  host: " + target.getHostString() + "\n  port: " + target.getPort() + "\n" + groups, "soak");
        say("soak %s (%s): %d s, %d loggers, Redis %s (through cuttable proxies on ports %d and %d for masters),"
                + " groups %s and %s, intervals 1s and %s",
                tag, scenario, seconds, loggers, target, proxy.port(), masterProxy.port(), localGroup, directGroup, longInterval);

        List<Process> masters = new ArrayList<>();
        PythonStyleMaster python = null;
        Thread pythonThread = null;
        if (scenario == Scenario.python_master) {
            python = new PythonStyleMaster("127.0.0.1", masterProxy.port(),
                    List.of(direct.group(localGroup), direct.group(directGroup)), "1s");
            pythonThread = new Thread(python, "python-style-master");
            pythonThread.setDaemon(true);
            pythonThread.start();
            while (python.rotations.get() < 2) { // its first run opens the intervals, as in a migration
                sleepMillis(50);
            }
        } else {
            masters.add(startMaster(viaMasterProxy, dir, 0));
            if (scenario == Scenario.writers_first) {
                masters.add(startMaster(viaMasterProxy, dir, 1));
            }
        }
        int masterId = masters.size();
        Thread watcher = new Thread(() -> watchLoop(direct, localGroup, directGroup), "soak-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Map<String, LastAuditor> auditors = new LinkedHashMap<>();
        List<Thread> auditorThreads = new ArrayList<>();
        auditors.put(localGroup, new LastAuditor(target.getHostString(), target.getPort(), localGroup, longInterval,
                SoakLogger.LOCAL_EVENTS));
        auditors.put(directGroup, new LastAuditor(target.getHostString(), target.getPort(), directGroup, longInterval,
                SoakLogger.DIRECT_EVENTS));
        for (Map.Entry<String, LastAuditor> a : auditors.entrySet()) {
            Thread t = new Thread(a.getValue(), "soak-audit-" + a.getKey());
            t.setDaemon(true);
            t.start();
            auditorThreads.add(t);
        }
        List<Process> loggerProcs = new ArrayList<>();
        List<Path> accounts = new ArrayList<>();
        int loggerId = 0;
        for (; loggerId < loggers; loggerId++) {
            loggerProcs.add(startLogger(viaProxy, dir, loggerId, localGroup, directGroup, runStartSecond, arraySeconds, accounts));
        }

        awaitLogging(dir, loggerId, direct, longInterval, localGroup, directGroup);
        long t0 = System.currentTimeMillis();
        loggingFrom = t0;
        long end = t0 + seconds * 1000;
        if (scenario == Scenario.faults) {
            // Faults at fixed fractions of the run, each lasting a few seconds.
            sleepUntil(t0 + seconds * 150);
            cut(List.of(proxy, masterProxy), outageMillis);

            sleepUntil(t0 + seconds * 350);
            say("fault: kill -9 of the master; restart in 2 s");
            masters.get(0).destroyForcibly().waitFor();
            sleepMillis(2_000);
            masters.set(0, startMaster(viaMasterProxy, dir, masterId++));

            sleepUntil(t0 + seconds * 500);
            say("fault: two more masters (three at once)");
            masters.add(startMaster(viaMasterProxy, dir, masterId++));
            masters.add(startMaster(viaMasterProxy, dir, masterId++));
            sleepUntil(t0 + seconds * 650);
            say("fault: extra masters stopped");
            for (Process p : masters.subList(1, masters.size())) {
                stop(p);
            }
            masters.subList(1, masters.size()).clear();

            sleepUntil(t0 + seconds * 750);
            say("fault: logger 0 stopped (SIGTERM) and replaced");
            stop(loggerProcs.get(0));
            loggerProcs.set(0, startLogger(viaProxy, dir, loggerId++, localGroup, directGroup, runStartSecond, arraySeconds, accounts));
        } else {
            // The same fault again and again, every FAULT_PERIOD_MS, until 10 s before the end.
            boolean replaced = false;
            for (long at = t0 + 8_000; at + FAULT_PERIOD_MS / 2 < end - 10_000; at += FAULT_PERIOD_MS) {
                sleepUntil(at);
                if (scenario == Scenario.writers_first) {
                    long cut = System.currentTimeMillis();
                    say("fault: Redis unreachable for everyone; master 0 killed with -9 and restarted meanwhile");
                    proxy.cut();
                    masterProxy.cut();
                    masters.get(0).destroyForcibly().waitFor();
                    masters.set(0, startMaster(viaMasterProxy, dir, masterId++));
                    sleepUntil(cut + outageMillis);
                    proxy.restore();
                    say("fault: Redis reachable again for the loggers; the masters follow in %d ms", MASTERS_BEHIND_MS);
                    sleepMillis(MASTERS_BEHIND_MS);
                    masterProxy.restore();
                    outages.add(new Long[] {cut, System.currentTimeMillis()});
                    say("fault: Redis reachable again for the masters");
                } else {
                    cut(List.of(proxy, masterProxy), outageMillis);
                }
                if (!replaced && at > t0 + seconds * 500) {
                    replaced = true;
                    sleepMillis(3_000);
                    say("fault: logger 0 stopped (SIGTERM) and replaced");
                    stop(loggerProcs.get(0));
                    loggerProcs.set(0, startLogger(viaProxy, dir, loggerId++, localGroup, directGroup, runStartSecond, arraySeconds, accounts));
                }
            }
        }

        sleepUntil(end);
        say("stopping loggers");
        for (Process p : loggerProcs) {
            p.destroy();
        }
        for (Process p : loggerProcs) {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                say("a logger did not exit cleanly (exit %s)", p.isAlive() ? "none" : p.exitValue());
            }
        }
        // Let the next boundaries pass so the last second is rotated and seen.
        sleepMillis(2_200);
        watcher.interrupt();
        watcher.join(5_000);
        for (LastAuditor a : auditors.values()) {
            a.stop();
        }
        for (Thread t : auditorThreads) {
            t.join(5_000);
        }
        for (Process p : masters) {
            stop(p);
        }
        if (python != null) {
            python.stop();
            pythonThread.join(5_000);
            say("python-style master: %d rotations, %d boundaries skipped (Redis unreachable)",
                    python.rotations.get(), python.failures.get());
        }

        Map<String, SoakLogger.Account> truth = new LinkedHashMap<>();
        for (Path a : accounts) {
            if (Files.exists(a)) {
                SoakLogger.readInto(a, truth);
            } else {
                say("missing account %s (a logger died)", a);
            }
        }
        long logged = 0;
        long counted = 0;
        long dropped = 0;
        long misattributed = 0;
        long lost = 0;
        long duplicated = 0;
        long distinct = 0;
        long estimated = 0;
        long recorded = 0;
        java.math.BigDecimal recordedSum = java.math.BigDecimal.ZERO;
        try (CounterReader reader = CounterReader.connect(direct)) {
            for (String g : List.of(localGroup, directGroup)) {
                SoakLogger.Account acc = truth.getOrDefault(g, new SoakLogger.Account());
                logged += acc.logged;
                dropped += acc.dropped;
                IntervalCounts whole = reader.read(g, longInterval);
                long c = whole.current().values().stream().mapToLong(Long::longValue).sum();
                distinct += acc.distinct;
                estimated += whole.currentUniques().getOrDefault(SoakLogger.UNIQUE, 0L);
                io.ecl.core.ValueStats stats = whole.currentValues().getOrDefault(SoakLogger.VALUE, io.ecl.core.ValueStats.EMPTY);
                recorded += stats.count();
                recordedSum = recordedSum.add(stats.sum());
                counted += c;
                long expected = acc.logged - acc.dropped;
                // Every count must be in the long interval once, and shown in exactly one 'last' of
                // the 1 s interval (or in its final 'cur').
                LastAuditor audit = auditors.get(g);
                long seen = audit.shownWithFinal();
                long groupLost = Math.max(Math.max(0, expected - c), Math.max(audit.lost, expected - seen));
                long groupDuplicated = Math.max(Math.max(0, c - expected), Math.max(0, seen - expected));
                say("%s: %d rotations of the 1 s interval audited; 'last's never read but overwritten only at the"
                        + " boundary after their end (a catch-up shortly before a boundary), counted as shown: %s;"
                        + " overwritten before that, lost: %s", g, audit.transitions,
                        audit.unreadShortLived.isEmpty() ? "none" : String.join(", ", audit.unreadShortLived),
                        audit.lostLasts.isEmpty() ? "none" : String.join(", ", audit.lostLasts));
                if (!audit.gaps.isEmpty()) {
                    say("%s: the auditor lost its connection at %s; 'last's overwritten unread meanwhile (not judged;"
                            + " the long interval still accounts for every count): %s", g, String.join(", ", audit.gaps),
                            audit.unreadInGaps.isEmpty() ? "none" : String.join(", ", audit.unreadInGaps));
                }
                lost += groupLost;
                duplicated += groupDuplicated;
                misattributed += judge(g, acc, runStartSecond);
                say("%s: logged %d, dropped %d; in the long interval %d; shown in a 'last' of the 1 s interval or in its final 'cur' %d",
                        g, acc.logged, acc.dropped, c, seen);
            }
        }
        proxy.close();
        masterProxy.close();
        if (embedded != null) {
            embedded.stop();
        }
        // A HyperLogLog's standard error is 0.81 %: 2 % is 2.5 of them. A sketch lost in a fault
        // would take thousands of values with it (a logger pushes up to 0.2 s of them at once).
        double uniquesError = distinct == 0 ? 1 : Math.abs(estimated - distinct) / (double) distinct;
        boolean uniquesOk = uniquesError <= 0.02;
        // Every unique value came with one value 0.5: the statistics must count each exactly once.
        boolean valuesOk = recorded == distinct
                && recordedSum.compareTo(java.math.BigDecimal.valueOf(distinct).multiply(new java.math.BigDecimal("0.5"))) == 0;
        result = String.format(Locale.ROOT, "logged=%d counted=%d lost=%d duplicated=%d misattributed=%d dropped=%d"
                + " uniques=%d/%d (%.2f %%%s) values=%d/%d%s", logged, counted, lost, duplicated, misattributed, dropped,
                estimated, distinct, 100 * uniquesError, uniquesOk ? "" : ", beyond 2 %", recorded, distinct,
                valuesOk ? "" : " (sum " + recordedSum.toPlainString() + ")");
        out.println(result);
        return lost == 0 && duplicated == 0 && misattributed == 0 && dropped == 0 && logged > 0 && uniquesOk && valuesOk ? 0 : 1;
    }

    /**
     * Waits until every logger says it logs and both groups have counts in Redis (at most a
     * minute): on a loaded machine the logger JVMs take seconds to start, and a fault injected
     * before they log tests nothing.
     */
    private void awaitLogging(Path dir, int loggerCount, EclConfig config, String longInterval, String... groups)
            throws IOException {
        long deadline = System.currentTimeMillis() + 60_000;
        for (int n = 0; n < loggerCount; n++) {
            Path log = dir.resolve("logger-" + n + ".log");
            while (System.currentTimeMillis() < deadline
                    && !(Files.exists(log) && Files.readAllLines(log).contains(SoakLogger.LOGGING))) {
                sleepMillis(100);
            }
        }
        try (CounterReader reader = CounterReader.connect(config)) {
            for (String g : groups) {
                while (reader.read(g, longInterval).current().values().stream().mapToLong(Long::longValue).sum() == 0
                        && System.currentTimeMillis() < deadline) {
                    sleepMillis(100);
                }
            }
        }
        sleepMillis(2_000); // and their first compilations are done
        say("loggers are logging");
    }

    /** Seconds between two faults of the repeated scenarios. */
    private static final long FAULT_PERIOD_MS = 20_000;
    /** How long after the loggers the masters reach Redis again, in the writers_first scenario. */
    private static final long MASTERS_BEHIND_MS = 3_000;

    private void cut(List<CuttableProxy> proxies, long outageMillis) throws IOException {
        long cut = System.currentTimeMillis();
        say("fault: Redis unreachable (proxy cut) for %d s", outageMillis / 1000);
        for (CuttableProxy p : proxies) {
            p.cut();
        }
        sleepUntil(cut + outageMillis);
        for (CuttableProxy p : proxies) {
            p.restore();
        }
        outages.add(new Long[] {cut, System.currentTimeMillis()});
        say("fault: Redis reachable again");
    }

    /** Start of the interval a 'last' covers: last:@ts, or (a Python master never writes it) the interval before cur:@ts. */
    private static Long lastFrom(IntervalCounts s, IntervalCounts before) {
        Long to = alignedStart(s);
        if (to == null) {
            return null;
        }
        Long from = s.lastStartMillis();
        boolean python = !to.equals(s.currentStartMillis());
        if (from == null || python) {
            // A Python master: 'last' starts where the cur:@ts read before this one did (it may
            // have skipped a boundary when late); failing that, one interval before cur:@ts.
            Long previous = before == null ? null : alignedStart(before);
            return previous != null && previous < to ? previous : Long.valueOf(to - 1000);
        }
        return from;
    }

    private static Long alignedStart(IntervalCounts s) {
        Long cur = s.currentStartMillis();
        return cur == null ? null : cur - Math.floorMod(cur, 1000L);
    }

    /** Compares every 'last' of the 1 s interval seen with the loggers' count of the seconds it covers. */
    private long judge(String group, SoakLogger.Account acc, long startSecond) {
        long mis = 0;
        int judged = 0;
        List<String> excluded = new ArrayList<>();
        List<String> catchUps = new ArrayList<>();
        List<String> startUp = new ArrayList<>();
        IntervalCounts before = null;
        IntervalCounts twoBefore = null;
        for (IntervalCounts s : lasts.getOrDefault(group, Map.of()).values()) {
            Long from = lastFrom(s, before);
            // The Python master never rotates cur:@late: the late counts in this 'last' are what
            // cur:@late grew by while it was 'cur' (from the final read before to the one before that).
            boolean python = s.lastStartMillis() == null || !alignedStart(s).equals(s.currentStartMillis());
            long late = !python ? s.lateInLast()
                    : before == null || twoBefore == null ? 0 : Math.max(0, before.lateInCurrent() - twoBefore.lateInCurrent());
            twoBefore = before;
            before = s;
            Long to = alignedStart(s);
            if (from == null || to == null || from / 1000 < startSecond) {
                continue;
            }
            if (to - from > 1000) {
                catchUps.add(String.format(Locale.ROOT, "%tT-%tT (%d counts)", from, to,
                        s.last().values().stream().mapToLong(Long::longValue).sum()));
            }
            if (nearOutage(from, to)) {
                excluded.add(String.format(Locale.ROOT, "%tT-%tT", from, to));
                continue;
            }
            if (from < loggingFrom) {
                startUp.add(String.format(Locale.ROOT, "%tT-%tT", from, to));
                continue;
            }
            int a = (int) (from / 1000 - startSecond);
            int b = (int) (to / 1000 - startSecond);
            long certain = 0;
            long ambiguous = 0;
            for (int i = a; i < b; i++) {
                certain += acc.certain.getOrDefault(i, 0L);
            }
            for (int i = a; i <= b; i++) {
                ambiguous += acc.ambiguous.getOrDefault(i, 0L);
            }
            long observed = s.last().values().stream().mapToLong(Long::longValue).sum() - late;
            long off = observed < certain ? certain - observed : Math.max(0, observed - certain - ambiguous);
            judged++;
            mis += off;
            if (verbose && off != 0) {
                say("%s: interval %s-%s has %d, logged there %d (+%d near its boundaries)",
                        group, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), observed, certain, ambiguous);
            }
        }
        say("%s: %d 'last's of the 1 s interval judged for attribution; %d left out, as they cover the second before,"
                + " during or up to 2 s after a Redis outage, whose counts may reach Redis after their interval closed"
                + " and are then credited to the open one and its @late counter by design: %s",
                group, judged, excluded.size(), excluded.isEmpty() ? "none" : String.join(" ", excluded));
        if (!startUp.isEmpty()) {
            say("%s: also left out, as the logger JVMs were still starting (class loading and compiling starve"
                    + " the thread that switches epochs at a boundary, see docs/design.md, Guarantees): %s",
                    group, String.join(" ", startUp));
        }
        if (!catchUps.isEmpty()) {
            say("%s: 'last's covering several seconds (a catch-up after boundaries nobody rotated): %s",
                    group, String.join(", ", catchUps));
        }
        return mis;
    }

    private boolean nearOutage(long from, long to) {
        for (Long[] o : outages) {
            if (to > o[0] - 1_000 && from < o[1] + 2_000) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the 1 s interval of both groups every 25 ms straight from Redis (not through the
     * proxies) and keeps, per 'last' (identified by the cur:@ts it was closed at), the latest read:
     * syncs that crossed the boundary land in 'last' within a few hundred ms, and a 'last' stays
     * until the next boundary's rotation, so the read kept is its final state.
     */
    private void watchLoop(EclConfig config, String... groups) {
        try (CounterReader reader = CounterReader.connect(config)) {
            while (!Thread.currentThread().isInterrupted()) {
                for (String g : groups) {
                    try {
                        IntervalCounts c = reader.read(g, "1s");
                        if (c.currentStartMillis() != null) {
                            synchronized (lasts) {
                                lasts.computeIfAbsent(g, k -> new java.util.TreeMap<>()).put(c.currentStartMillis(), c);
                            }
                        }
                    } catch (RuntimeException e) {
                        // Redis itself is never cut (only the proxies are); a failure shows as a 'last' not seen
                    }
                }
                sleepMillis(25);
            }
        } catch (RuntimeException e) {
            if (!(e.getCause() instanceof InterruptedException)) {
                throw e;
            }
        }
    }

    private Process startMaster(Path config, Path dir, int n) throws IOException {
        return java(dir.resolve("master-" + n + ".log"), "io.ecl.master.MasterCommand", config.toString(), "-v");
    }

    private Process startLogger(Path config, Path dir, int n, String localGroup, String directGroup,
            long startSecond, int seconds, List<Path> accounts) throws IOException {
        Path account = dir.resolve("logger-" + n + ".account");
        accounts.add(account);
        // The first logger has one direct-mode thread, which waits for its replies spinning (a lone
        // caller on a machine with a spare CPU); the others have several, carried together.
        int directThreads = n == 0 ? 1 : SoakLogger.DIRECT_THREADS;
        return java(dir.resolve("logger-" + n + ".log"), SoakLogger.class.getName(), config.toString(),
                account.toString(), localGroup, directGroup, Long.toString(startSecond), Integer.toString(seconds),
                Integer.toString(windowMs), Integer.toString(directThreads));
    }

    private Process java(Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    /** An interval of whole days with no boundary during the run, so its cur holds every count. */
    static String longInterval(long startSecond, long seconds) {
        for (int days = 300; days <= 366; days++) {
            long len = days * 86_400L;
            long boundary = (startSecond / len + 1) * len;
            if (boundary > startSecond + seconds + 600 && startSecond % len > 600) {
                return days + "d";
            }
        }
        throw new IllegalStateException("no long interval without a boundary near " + startSecond);
    }

    static long parseDuration(String text) {
        return parseDuration(text, 10);
    }

    static long parseDuration(String text, long minimum) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 's' || last == 'm' || last == 'h') {
            unit = last == 's' ? 1 : last == 'm' ? 60 : 3600;
            t = t.substring(0, t.length() - 1);
        }
        long n = Long.parseLong(t) * unit;
        if (n < minimum) {
            throw new CommandLine.ParameterException(new CommandLine(new SoakCommand()),
                    "'" + text + "' is too short (at least " + minimum + "s)");
        }
        return n;
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, "%tT ", System.currentTimeMillis()) + String.format(Locale.ROOT, format, args));
    }

    private static void sleepUntil(long epochMillis) {
        sleepMillis(epochMillis - System.currentTimeMillis());
    }

    private static void sleepMillis(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    void setOut(PrintStream out) {
        this.out = out;
    }

}
