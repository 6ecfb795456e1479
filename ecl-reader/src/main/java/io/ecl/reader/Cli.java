package io.ecl.reader;

import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the two tools share: how they are started from {@code main}, and how they print errors and
 * warnings. Messages follow the Python tools: {@code ERROR: ...} / {@code WARNING: ...}, one line
 * each on stderr; stack traces only with {@code -v}.
 */
final class Cli {
    /**
     * Set by the tools' {@code -v}: {@link CliLogLayout} then prints the stack traces of logged
     * exceptions. Here rather than in CliLogLayout so that setting it does not load Logback.
     */
    static volatile boolean stackTraces;

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
    static int run(Object command, String[] args) {
        return runParsed((out, err) -> commandLine(command).setOut(out).setErr(err).execute(args));
    }

    /**
     * The picocli command line of a tool. Long options may be abbreviated as long as the prefix
     * names one option only ({@code --cur} for {@code --current}, {@code --gr} for
     * {@code --group}), as Python's argparse allows: cron lines and Munin plugins written for the
     * Python tools use such abbreviations.
     */
    static CommandLine commandLine(Object command) {
        return new CommandLine(command).setAbbreviatedOptionsAllowed(true);
    }

    /** A command whose arguments are already parsed, run with the streams {@link #run} gives picocli. */
    interface Parsed {
        int run(PrintWriter out, PrintWriter err);
    }

    /** Runs {@code command} with the same UTF-8 stdout and stderr as {@link #run}; returns its exit code. */
    static int runParsed(Parsed command) {
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
    static void line(PrintWriter w, String text) {
        w.print(text);
        w.print('\n');
        w.flush();
    }

    static void warnings(PrintWriter err, EclConfig config) {
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
    static String invalidGroup(EclConfig config, String group) {
        return group == null ? null : config.invalidGroups().get(group);
    }

    /** Prints {@code ERROR: message} and returns exit code 1. */
    static int error(PrintWriter err, String message) {
        line(err, "ERROR: " + message);
        return 1;
    }

    /**
     * Reports an error a user can cause (bad config, Redis unreachable): its message is already one
     * line naming the file:line or host:port, so it is printed as is; the stack trace only with -v.
     */
    static int fail(PrintWriter err, RuntimeException e, boolean verbose) {
        error(err, e.getMessage());
        if (verbose) {
            e.printStackTrace(err);
            err.flush();
        }
        return 1;
    }

    /** Reports an exception nobody anticipated: still one line by default, as it is most likely a bug. */
    static int unexpected(PrintWriter err, RuntimeException e, boolean verbose) {
        error(err, "unexpected error: " + e + (verbose ? "" : " (run with -v for the stack trace)"));
        if (verbose) {
            e.printStackTrace(err);
            err.flush();
        }
        return 1;
    }

    /**
     * Where the config is read from when the command line names none: {@value #CONFIG_ENV}, else
     * {@link #DEFAULT_CONFIG}. The environment and the default path are fields so that tests can
     * set them (a JVM cannot change its own environment).
     */
    static final class ConfigLocation {
        static final String CONFIG_ENV = "ECL_CONFIG";
        static final Path DEFAULT_CONFIG = Path.of("/etc", "ecl", "config.yml");
        static final ConfigLocation SYSTEM = new ConfigLocation(System.getenv(), DEFAULT_CONFIG);

        final Map<String, String> env;
        final Path defaultPath;

        ConfigLocation(Map<String, String> env, Path defaultPath) {
            this.env = env;
            this.defaultPath = defaultPath;
        }

        /**
         * Loads {@code given}, or the file {@value #CONFIG_ENV} names (when set and not empty), or
         * the default path. A missing file is a ConfigException naming the path and, when it was
         * not given, where it came from. ECL_REDIS_URL is applied from the same environment.
         */
        EclConfig load(Path given) {
            return EclConfig.load(resolve(given), env);
        }

        /**
         * Like {@link #load}, for a tool that reads the groups it is asked for: an invalid group is
         * left out and named in {@link EclConfig#invalidGroups()} rather than failing the file.
         */
        EclConfig loadSkippingInvalidGroups(Path given) {
            return EclConfig.loadSkippingInvalidGroups(resolve(given), env);
        }

        private Path resolve(Path given) {
            Path file = given;
            String origin = null;
            if (file == null) {
                String fromEnv = env.get(CONFIG_ENV);
                if (fromEnv != null && !fromEnv.isEmpty()) {
                    file = Path.of(fromEnv);
                    origin = "named by " + CONFIG_ENV;
                } else {
                    file = defaultPath;
                    origin = "the default: no CONFIG given and " + CONFIG_ENV + " not set";
                }
                if (!Files.exists(file)) {
                    throw new ConfigException(file + ": config file not found (" + origin + ")");
                }
            }
            return file;
        }
    }

    /** {@code --version}: the tool's name and the Maven version filtered into ecl-reader-version.properties. */
    static final class Version implements IVersionProvider {
        @Spec
        CommandSpec spec;

        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Cli.class.getResourceAsStream("/ecl-reader-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {spec.name() + " " + p.getProperty("version", "unknown")};
        }
    }
}
