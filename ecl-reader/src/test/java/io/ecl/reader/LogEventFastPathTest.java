package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ecl.cli.Cli;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Which ecl-log-event command lines main parses without picocli, and that those mean to it what
 * they mean to picocli. Everything else must go to picocli, the only source of usage messages.
 */
class LogEventFastPathTest {
    private static LogEventCommand parse(String... args) {
        return LogEventCommand.parseCommon(new LogEventCommand(), args);
    }

    /** What picocli makes of {@code args}: the command as its call() would see it. */
    private static LogEventCommand viaPicocli(String... args) {
        LogEventCommand c = new LogEventCommand();
        Cli.commandLine(c).parseArgs(args);
        assertNull(c.assignArguments(), () -> "picocli: " + String.join(" ", args));
        return c;
    }

    private static String meaning(LogEventCommand c) {
        return "config=" + c.config + " group=" + c.group + " event=" + c.event + " count=" + c.count
                + " verbose=" + c.verbose;
    }

    @Test
    void commonCommandLinesSkipPicocli() {
        LogEventCommand c = parse("/etc/ecl/ecl.yml", "web", "login");
        assertNotNull(c);
        assertEquals("config=/etc/ecl/ecl.yml group=web event=login count=null verbose=false", meaning(c));
        assertEquals("config=ecl.yml group=web event=login count=3 verbose=true",
                meaning(parse("-c", "ecl.yml", "web", "login", "3", "-v")));
        assertEquals("config=null group=web event=login count=12 verbose=false", meaning(parse("web", "login", "-n", "12")));
        assertEquals("config=ecl.yml group=web event=- count=null verbose=true",
                meaning(parse("--conf", "ecl.yml", "--verb", "web", "-")));
        assertEquals("config=null group=web event=login count=0 verbose=false",
                meaning(parse("--cou", "0", "web", "login")));
    }

    @Test
    void picocliReadsEveryCommonCommandLineAlike() {
        String[][] common = {
            {"ecl.yml", "web", "login"}, {"ecl.yml", "web", "login", "7"}, {"ecl.yml", "web", "login", "-v"},
            {"-v", "ecl.yml", "web", "login", "7"}, {"-c", "ecl.yml", "web", "login"}, {"web", "-c", "e.yml", "x", "2"},
            {"--config", "ecl.yml", "web", "login", "--verbose"}, {"web", "login"}, {"web", "login", "-n", "5"},
            {"-n", "5", "web", "login"}, {"--count", "9", "-v", "web", "login"}, {"ecl.yml", "web", "-"},
            {"-c", "ecl.yml", "web", "-", "-v"}, {"--conf", "ecl.yml", "--cou", "2", "web", "x"}, {"a.yml", "g", ""},
            {"c.yml", "g", "e", "+4"},
            {"x", "y", "z"}, {"web", "-"}, {"c.YAML", "g", "e"}, {"-n", "123456789012345678", "g", "e"},
        };
        for (String[] args : common) {
            LogEventCommand fast = parse(args);
            assertNotNull(fast, () -> String.join(" ", args));
            assertEquals(meaning(viaPicocli(args)), meaning(fast), () -> String.join(" ", args));
        }
    }

    @Test
    void theFastPathKnowsTheLongOptionsPicocliKnows() {
        Set<String> picocli = new TreeSet<>();
        for (picocli.CommandLine.Model.OptionSpec o : Cli.commandLine(new LogEventCommand()).getCommandSpec().options()) {
            picocli.add(o.longestName());
        }
        assertEquals(picocli, new TreeSet<>(LogEventCommand.LONG_OPTIONS));
    }

    @Test
    void everythingElseGoesToPicocli() {
        String[][] picocli = {
            {}, {"--help"}, {"-h"}, {"--version"}, {"-V"}, {"ecl.yml", "web", "login", "--help"},
            {"web"}, {"ecl.yml", "web"}, {"ecl.yml", "web", "login", "1", "extra"}, {"-c", "e.yml", "web"},
            {"-c", "e.yml", "g", "e", "1", "2"}, {"ecl.yml", "web", "login", "x"}, {"ecl.yml", "web", "-", "3"},
            {"-n", "3", "ecl.yml", "web", "-"}, {"-n", "2", "ecl.yml", "web", "login", "3"},
            {"ecl.yml", "web", "login", "-2"}, {"-n", "-2", "g", "e"}, {"-n", "010", "g", "e"}, {"-n", "0x10", "g", "e"},
            {"-n", "+1", "g", "e"}, {"-n", "1234567890123456789", "g", "e"}, {"-n", "1.5", "g", "e"},
            {"-n", "1", "-n", "1", "g", "e"}, {"-c", "a.yml", "-c", "b.yml", "g", "e"}, {"-v", "-v", "g", "e"},
            {"-cecl.yml", "g", "e"}, {"--config=ecl.yml", "g", "e"}, {"-vn", "3", "g", "e"}, {"-c"}, {"g", "e", "-n"},
            {"-c", "-", "g", "e"}, {"--", "g", "e"}, {"@args.txt"}, {"g", "@e"}, {"-c", "@x", "g", "e"},
            {"--co", "x.yml", "g", "e"}, {"--unknown", "g", "e"}, {"-x", "g", "e"}, {"--vers", "g", "e"},
            {"-c", "a\u0000.yml", "g", "e"},
        };
        for (String[] args : picocli) {
            assertNull(parse(args), () -> Arrays.toString(args));
        }
        assertEquals(Path.of("e.yml"), parse("-c", "e.yml", "g", "e").configOption);
    }
}
