package io.ecl.cli;

import io.ecl.core.EclConfig;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * What the command-line tools share: how they are started from {@code main}, and how they print
 * errors and warnings. Messages follow the Python tools: {@code ERROR: ...} / {@code WARNING: ...}, one line
 * each on stderr; stack traces only with {@code -v}.
 */
public final class Cli {
    /**
     * Set by the tools' {@code -v}: {@link CliLogLayout} then prints the stack traces of logged
     * exceptions. Here rather than in CliLogLayout so that setting it does not load Logback.
     */
    public static volatile boolean stackTraces;

    private Cli() {
    }

    /**
     * Runs {@code command} with UTF-8 stdout and stderr and returns its exit code.
     *
     * <p>Python 3 writes UTF-8 even under the C locale; Java 17 would write the platform charset
     * and turn non-ASCII event IDs into '?'. stdout is buffered (picocli's default flushes every
     * line, which costs a write per event for large groups); stderr flushes every message so its
     * lines interleave correctly with Logback's, which writes to System.err too.
     */
    public static int run(Object command, String[] args) {
        return runParsed((out, err) -> commandLine(command).setOut(out).setErr(err).execute(args));
    }

    /**
     * The picocli command line of a tool. Long options may be abbreviated as long as the prefix
     * names one option only ({@code --cur} for {@code --current}, {@code --gr} for
     * {@code --group}), as Python's argparse allows: cron lines and Munin plugins written for the
     * Python tools use such abbreviations.
     */
    public static CommandLine commandLine(Object command) {
        return new CommandLine(command).setAbbreviatedOptionsAllowed(true);
    }

    /** A command whose arguments are already parsed, run with the streams {@link #run} gives picocli. */
    public interface Parsed {
        int run(PrintWriter out, PrintWriter err);
    }

    /** Runs {@code command} with the same UTF-8 stdout and stderr as {@link #run}; returns its exit code. */
    public static int runParsed(Parsed command) {
        PrintWriter out = new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = command.run(out, err);
        } catch (OutOfMemoryError e) {
            // What filled the heap is garbage once unwound to here: room for one line, not a trace.
            out.flush();
            code = error(err, "out of memory (" + e.getMessage() + "): the data does not fit in the heap of "
                    + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB; raise it, e.g. JAVA_OPTS=-Xmx512m");
        }
        out.flush();
        err.flush();
        return code;
    }

    /** Prints one line; '\n' rather than println's platform separator, as the Python tools do on any OS. */
    public static void line(PrintWriter w, String text) {
        w.print(text);
        w.print('\n');
        w.flush();
    }

    public static void warnings(PrintWriter err, EclConfig config) {
        for (String w : config.warnings()) {
            line(err, "WARNING: " + w);
        }
        for (Map.Entry<String, String> invalid : config.invalidGroups().entrySet()) {
            line(err, "WARNING: " + invalid.getValue() + " (group skipped)");
        }
    }

    /**
     * For a tool asked for {@code group}: its error when the config left that group out as
     * invalid (then that is the only line worth printing), else null.
     */
    public static String invalidGroup(EclConfig config, String group) {
        return group == null ? null : config.invalidGroups().get(group);
    }

    /** Prints {@code ERROR: message} and returns exit code 1. */
    public static int error(PrintWriter err, String message) {
        line(err, "ERROR: " + message);
        return 1;
    }

    /**
     * Reports an error a user can cause (bad config, Redis unreachable): its message is already one
     * line naming the file:line or host:port, so it is printed as is; the stack trace only with -v.
     */
    public static int fail(PrintWriter err, RuntimeException e, boolean verbose) {
        error(err, e.getMessage());
        if (verbose) {
            e.printStackTrace(err);
            err.flush();
        }
        return 1;
    }

    /** Reports an exception nobody anticipated: still one line by default, as it is most likely a bug. */
    public static int unexpected(PrintWriter err, RuntimeException e, boolean verbose) {
        error(err, "unexpected error: " + e + (verbose ? "" : " (run with -v for the stack trace)"));
        if (verbose) {
            e.printStackTrace(err);
            err.flush();
        }
        return 1;
    }
}
