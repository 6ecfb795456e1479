package io.ecl.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs JMH benchmarks through the Runner API with the suite's budget, its Redis and its log file. */
final class Jmh {
    /** One benchmark's result. */
    static final class Score {
        final double score;
        final double error;
        final String unit;
        /** gc.alloc.rate.norm in B/op, NaN when not profiled. */
        final double bytesPerOp;
        /** Median and 90th percentile of the single operations (sample mode), else of the iterations. */
        final double p50;
        final double p90;
        /** 99th percentile of the single operations (sample mode), else of the iterations. */
        final double p99;

        Score(double score, double error, String unit, double bytesPerOp, double p50, double p90, double p99) {
            this.score = score;
            this.error = error;
            this.unit = unit;
            this.bytesPerOp = bytesPerOp;
            this.p50 = p50;
            this.p90 = p90;
            this.p99 = p99;
        }

        /** "median unit (p90 x, mean y ±error)": for the sample-mode figures. */
        String medianText() {
            String u = unit.replace("/op", "");
            return Table.num(p50) + " " + u + " (median; p90 " + Table.num(p90) + ", mean " + Table.num(score)
                    + " ±" + Table.num(Double.isNaN(error) ? 0 : error) + ")";
        }

        /** "value ±error unit" with about three significant digits. */
        String text() {
            return Table.num(score) + " ±" + Table.num(Double.isNaN(error) ? 0 : error) + " " + unit;
        }
    }

    private final int warmups;
    private final int iterations;
    private final String[] jvmArgs;
    private final PrintStream log;
    private final Path logFile;
    private long scanned;
    private final List<String> closeHangs = new ArrayList<>();

    Jmh(int warmups, int iterations, PrintStream log, Path logFile, String... jvmArgs) {
        this.warmups = warmups;
        this.iterations = iterations;
        this.log = log;
        this.logFile = logFile;
        this.jvmArgs = jvmArgs;
    }

    /** Benchmarks whose fork reported that EventCountLogger.close() hung (see {@link Loggers}). */
    List<String> closeHangs() {
        return closeHangs;
    }

    /** Seconds one benchmark takes, roughly (fork start-up included), for the progress lines. */
    int secondsPerBenchmark() {
        return warmups + iterations + 2;
    }

    /**
     * Runs {@code methods} of {@code bench}, one fork each; {@code params} is name=value or
     * name=v1,v2. Results are keyed by method name, with ":name=value" appended for each parameter
     * given here.
     */
    Map<String, Score> run(Class<?> bench, boolean gcProfiler, String[] params, String... methods) {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Pattern.quote(bench.getName()) + "\\.(" + String.join("|", methods) + ")$")
                .forks(1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend(jvmArgs)
                .shouldFailOnError(true);
        if (gcProfiler) {
            o.addProfiler(GCProfiler.class);
        }
        for (String p : params) {
            int eq = p.indexOf('=');
            o.param(p.substring(0, eq), p.substring(eq + 1).split(","));
        }
        Collection<RunResult> results;
        try {
            results = new Runner(o.build(), OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL)).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed on " + bench.getSimpleName() + ": " + e.getMessage(), e);
        }
        log.flush();
        try {
            byte[] all = Files.readAllBytes(logFile);
            String fresh = new String(all, (int) Math.min(scanned, all.length), (int) Math.max(0, all.length - scanned),
                    StandardCharsets.UTF_8);
            scanned = all.length;
            int at = fresh.indexOf(Loggers.HANG_MARKER);
            while (at >= 0) {
                closeHangs.add(bench.getSimpleName());
                at = fresh.indexOf(Loggers.HANG_MARKER, at + 1);
            }
        } catch (IOException e) {
            // the log is for people; the figures do not depend on it
        }
        Map<String, Score> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            StringBuilder key = new StringBuilder(name.substring(name.lastIndexOf('.') + 1));
            for (String p : params) {
                String pn = p.substring(0, p.indexOf('='));
                key.append(':').append(pn).append('=').append(r.getParams().getParam(pn));
            }
            Result<?> primary = r.getPrimaryResult();
            double[] norm = {Double.NaN};
            r.getSecondaryResults().forEach((label, result) -> {
                if (label.endsWith("gc.alloc.rate.norm")) {
                    norm[0] = result.getScore();
                }
            });
            scores.put(key.toString(), new Score(primary.getScore(), primary.getScoreError(), primary.getScoreUnit(), norm[0],
                    primary.getStatistics().getPercentile(50), primary.getStatistics().getPercentile(90),
                    primary.getStatistics().getPercentile(99)));
        }
        for (String m : methods) {
            if (scores.keySet().stream().noneMatch(k -> k.equals(m) || k.startsWith(m + ":"))) {
                throw new IllegalStateException("JMH produced no result for " + bench.getSimpleName() + "." + m
                        + " (see the JMH log)");
            }
        }
        return scores;
    }
}
