package io.ecl.bench;

import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;
import io.ecl.core.IntervalCounts;
import io.ecl.core.ops.CounterReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** Figures of whole processes: the CLIs started by their launchers in bin/, as a user runs them. */
final class ProcessFigures {
    /** Wall times of repeated runs of one command, in ms. */
    static final class Timing {
        final double[] millis;

        Timing(double[] millis) {
            this.millis = millis.clone();
            Arrays.sort(this.millis);
        }

        double median() {
            int n = millis.length;
            return n % 2 == 1 ? millis[n / 2] : (millis[n / 2 - 1] + millis[n / 2]) / 2;
        }

        double min() {
            return millis[0];
        }

        double max() {
            return millis[millis.length - 1];
        }
    }

    /** Why a CLI cannot be measured, or null when its launcher and jar are there. */
    static String missing(Path root, String tool, String module) {
        Path launcher = root.resolve("bin").resolve(tool);
        if (!Files.isExecutable(launcher)) {
            return "not built: " + launcher + " not found";
        }
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        Path lib = root.resolve("lib").resolve(module + ".jar");
        Path found = Files.isRegularFile(lib) ? lib : jar;
        if (!Files.isRegularFile(found)) {
            return "not built: " + root.relativize(jar) + " not found (mvn -q -DskipTests package at the repo root)";
        }
        // A module without its CLI code yet still packages a jar: look for the class it should run.
        try (JarFile j = new JarFile(found.toFile())) {
            Manifest m = j.getManifest();
            String main = m == null ? null : m.getMainAttributes().getValue("Main-Class");
            if (main == null || j.getEntry(main.replace('.', '/') + ".class") == null) {
                return "not built: " + root.relativize(found) + " has no main class " + (main == null ? "" : main)
                        + " (the CLI is not on this branch yet?)";
            }
        } catch (IOException e) {
            return "not built: cannot read " + found + ": " + e.getMessage();
        }
        return null;
    }

    private final Path root;
    private final Path work;
    private final String java;

    ProcessFigures(Path root, Path work) {
        this.root = root;
        this.work = work;
        this.java = ProcessHandle.current().info().command().orElse("java");
    }

    String java() {
        return java;
    }

    /** The directory holding Hello.class, copied out of this jar. */
    Path helloDir() throws IOException {
        Path dir = work.resolve("hello");
        Files.createDirectories(dir);
        try (InputStream in = ProcessFigures.class.getResourceAsStream("/Hello.class")) {
            if (in == null) {
                throw new IllegalStateException("Hello.class is missing from the benchmarks jar");
            }
            Files.write(dir.resolve("Hello.class"), in.readAllBytes());
        }
        return dir;
    }

    /** Writes a config file of the benchmark Redis with these groups (YAML text, indented by two). */
    Path config(String name, String groupsYaml) throws IOException {
        String yaml = "redis:\n  host: " + BenchRedis.host() + "\n  port: " + BenchRedis.port()
                + "\n  db: " + BenchRedis.db() + "\ngroups:\n" + groupsYaml;
        Path file = work.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    /** Runs the command once and returns its stdout; throws with its stderr when it fails. */
    String runOnce(List<String> command) throws IOException, InterruptedException {
        Path out = work.resolve("run.out");
        Path err = work.resolve("run.err");
        Process p = start(command, out, err);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + ": no exit within 60 s");
        }
        if (p.exitValue() != 0) {
            String e = Files.readString(err).trim();
            throw new IllegalStateException("exit " + p.exitValue() + (e.isEmpty() ? "" : ": " + firstLine(e)));
        }
        return Files.readString(out);
    }

    /**
     * Wall time from process start to exit of each command, {@code runs} times, interleaved so
     * that both see the same machine; two unmeasured runs of each first (file cache, CDS archive).
     */
    Timing[] interleaved(int runs, List<List<String>> commands) throws IOException, InterruptedException {
        double[][] ms = new double[commands.size()][runs];
        for (int w = 0; w < 2; w++) {
            for (List<String> c : commands) {
                runOnce(c);
            }
        }
        Path devnull = Path.of("/dev/null");
        for (int r = 0; r < runs; r++) {
            for (int c = 0; c < commands.size(); c++) {
                long t0 = System.nanoTime();
                Process p = start(commands.get(c), devnull, devnull);
                int exit = p.waitFor();
                ms[c][r] = (System.nanoTime() - t0) / 1e6;
                if (exit != 0) {
                    throw new IllegalStateException(String.join(" ", commands.get(c)) + ": exit " + exit);
                }
            }
        }
        Timing[] t = new Timing[commands.size()];
        for (int c = 0; c < t.length; c++) {
            t[c] = new Timing(ms[c]);
        }
        return t;
    }

    /**
     * Hello and {@code command} run {@code samples} times, interleaved, each run of the command
     * the first after a JDK change: before it, {@code jvmFile} (the JDK an archive was made with)
     * names another JDK; after it, waits until the launcher has remade the archive in the
     * background, so that the samples do not overlap with that work.
     */
    Timing[] afterJdkChange(int samples, List<String> hello, List<String> command, Path jvmFile)
            throws IOException, InterruptedException {
        String made = Files.readString(jvmFile);
        double[][] ms = new double[2][samples];
        Path devnull = Path.of("/dev/null");
        for (int r = 0; r < samples; r++) {
            long t0 = System.nanoTime();
            start(hello, devnull, devnull).waitFor();
            ms[0][r] = (System.nanoTime() - t0) / 1e6;
            Files.writeString(jvmFile, "/nonexistent/other-jdk\n");
            t0 = System.nanoTime();
            int exit = start(command, devnull, devnull).waitFor();
            ms[1][r] = (System.nanoTime() - t0) / 1e6;
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + ": exit " + exit);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(jvmFile).equals(made)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the launcher did not remake " + jvmFile + " within 60 s");
                }
                Thread.sleep(50);
            }
            Thread.sleep(200); // the background dump's own JVM exits after writing the file
        }
        return new Timing[] {new Timing(ms[0]), new Timing(ms[1])};
    }

    /** Resident memory samples of a running ecl-master. */
    static final class RssRun {
        final List<double[]> samples = new ArrayList<>(); // {seconds since start, MiB}
        String failure;
        boolean rotating;
        String rotationEvidence = "";

        double peak() {
            return samples.stream().mapToDouble(s -> s[1]).max().orElse(Double.NaN);
        }

        /** Median RSS between the fractions {@code from} and {@code to} of the run. */
        double median(double from, double to) {
            double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1)[0];
            double[] v = samples.stream().filter(s -> s[0] >= from * end && s[0] <= to * end)
                    .mapToDouble(s -> s[1]).sorted().toArray();
            if (v.length == 0) {
                return Double.NaN;
            }
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    /**
     * Starts bin/ecl-master on {@code config} and samples VmRSS of its JVM every second for
     * {@code duration}; then checks that it rotated (the current interval of {@code probe} is the
     * one of the clock) and stops it with SIGTERM.
     */
    RssRun masterRss(Path config, Duration duration, EclConfig eclConfig, GroupConfig probe)
            throws IOException, InterruptedException {
        RssRun run = new RssRun();
        Path log = work.resolve("ecl-master.log");
        List<String> command = List.of(root.resolve("bin/ecl-master").toString(), config.toString());
        Process p = start(command, log, log);
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        try {
            while (System.nanoTime() < end) {
                if (!p.isAlive()) {
                    run.failure = "ecl-master exited with " + p.exitValue() + ": " + tail(log);
                    return run;
                }
                double rss = rssMiB(p.pid());
                if (!Double.isNaN(rss)) {
                    run.samples.add(new double[] {(System.nanoTime() - t0) / 1e9, rss});
                }
                Thread.sleep(1000);
            }
            try (CounterReader reader = CounterReader.connect(eclConfig)) {
                IntervalCounts c = reader.read(probe, probe.intervals().get(0));
                long now = System.currentTimeMillis();
                Long start = c.currentStartMillis();
                long len = probe.intervals().get(0).lengthMillis();
                run.rotating = start != null && now - start <= 2 * len + 1000;
                run.rotationEvidence = start == null ? "no cur:@ts for " + probe.name()
                        : probe.name() + " " + probe.intervals().get(0) + " interval open since " + (now - start) + " ms";
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        return run;
    }

    private Process start(List<String> command, Path out, Path err) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("JAVA", java); // bin/ecl-* and Hello run on the same JVM as the suite
        env.remove("JAVA_OPTS"); // the launchers' own flags, as shipped
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove(EclConfig.REDIS_URL_ENV);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (out.equals(err)) {
            pb.redirectErrorStream(true);
            pb.redirectOutput(out.toFile());
        } else {
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
        }
        return pb.start();
    }

    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited
        }
        return Double.NaN;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
