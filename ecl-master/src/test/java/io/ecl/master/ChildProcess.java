package io.ecl.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A CLI of this module run as a real JVM process on the test class path. Its output goes to a
 * file rather than a pipe: {@link Process#destroy()} closes the parent's end of a pipe, and what
 * the child writes while it stops would be lost.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ChildProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code mainClass} with {@code args}. The main logback.xml is chosen explicitly: on the
     * test class path the test configuration would win. JOURNAL_STREAM is set only if in {@code env}.
     */
    static ChildProcess start(Path dir, Class<?> mainClass, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dlogback.configurationFile=io/ecl/cli/logback-daemon.xml");
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile(dir, "child", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().remove("JOURNAL_STREAM");
            pb.environment().putAll(env);
            return new ChildProcess(pb.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Complete output lines so far (stdout and stderr). */
    List<String> lines() {
        try {
            String text = Files.readString(output, StandardCharsets.UTF_8);
            int end = process.isAlive() ? text.lastIndexOf('\n') + 1 : text.length();
            return text.substring(0, end).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to {@code timeoutMillis} for an output line matching {@code p}; returns it or fails. */
    String awaitLine(Predicate<String> p, long timeoutMillis) throws InterruptedException {
        String[] found = new String[1];
        await(() -> {
            found[0] = lines().stream().filter(p).findFirst().orElse(null);
            return found[0] != null;
        }, timeoutMillis, "no such line in the output");
        return found[0];
    }

    /** Polls {@code condition} (e.g. a key in Redis) for up to {@code timeoutMillis}. */
    void await(BooleanSupplier condition, long timeoutMillis, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                throw new AssertionError(what + "; output: " + lines());
            }
            Thread.sleep(50);
        }
    }

    /** The child's process id, e.g. for {@code kill -HUP}. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends {@code signal} (e.g. "HUP") with kill(1), waiting for kill to finish. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid() + " failed");
        }
    }

    /** Sends SIGTERM (what systemd sends) and returns the exit status, failing if it takes over 2 s. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) {
            throw new AssertionError("still running 2 s after SIGTERM; output: " + lines());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
