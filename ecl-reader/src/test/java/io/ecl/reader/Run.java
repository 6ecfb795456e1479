package io.ecl.reader;

import io.ecl.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One in-process run of a tool, as picocli executes it from main: exit code, stdout and stderr. */
final class Run {
    final int code;
    final String out;
    final String err;

    private Run(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    /**
     * ecl-reader through picocli; when main would skip picocli for these arguments
     * ({@link ReaderCommand#parseCommon}), also that way, asserting the same exit code and output.
     */
    static Run reader(ReaderCommand command, String... args) {
        ReaderCommand fast = ReaderCommand.parseCommon(command.sameEnvironment(), args);
        Run withoutPicocli = null;
        if (fast != null) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = fast.run(new PrintWriter(out), new PrintWriter(err));
            withoutPicocli = new Run(code, out.toString(), err.toString());
        }
        Run run = execute(command, args);
        if (withoutPicocli != null) {
            // Stack traces (-v) differ in their frames below the command, through picocli or not.
            org.junit.jupiter.api.Assertions.assertEquals(withoutFrames(run.toString()), withoutFrames(withoutPicocli.toString()),
                    "ecl-reader " + String.join(" ", args) + ": main's path without picocli differs");
        }
        return run;
    }

    private static String withoutFrames(String output) {
        return output.replaceAll("(?m)^\\t(at |\\.\\.\\. ).*\n", "");
    }

    static Run reader(String... args) {
        return reader(new ReaderCommand(), args);
    }

    /**
     * ecl-log-event as main runs it: without picocli when {@link LogEventCommand#parseCommon}
     * takes the arguments, else through picocli (once: a run logs, so it cannot be repeated the
     * other way; LogEventFastPathTest checks that both ways read the same arguments alike).
     */
    static Run logEvent(LogEventCommand command, String... args) {
        LogEventCommand fast = LogEventCommand.parseCommon(command.sameEnvironment(), args);
        if (fast == null) {
            return execute(command, args);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = fast.run(new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Run logEvent(String... args) {
        return logEventWithStdin(new ByteArrayInputStream(new byte[0]), args);
    }

    static Run logEventWithStdin(String stdin, String... args) {
        return logEventWithStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    static Run logEventWithStdin(InputStream stdin, String... args) {
        return logEvent(new LogEventCommand(stdin), args);
    }

    private static Run execute(Object command, String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.commandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Asserts that stderr is exactly one line starting with {@code prefix}, and returns it. */
    String oneErrLine(String prefix) {
        org.junit.jupiter.api.Assertions.assertTrue(err.startsWith(prefix) && err.indexOf('\n') == err.length() - 1,
                () -> "expected one stderr line starting with <" + prefix + ">, got:\n" + this);
        return err;
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /** Writes a UTF-8 file (a config, usually) into a test's temporary directory; returns its path. */
    static String writeFile(java.nio.file.Path dir, String name, String text) throws java.io.IOException {
        java.nio.file.Path file = dir.resolve(name);
        java.nio.file.Files.writeString(file, text, java.nio.charset.StandardCharsets.UTF_8);
        return file.toString();
    }
}
