package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ecl.cli.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Which command lines main parses without picocli. Everything else must go to picocli, the only
 * source of usage messages; that both ways print the same is asserted by every Run.reader call.
 */
class ReaderFastPathTest {
    private static ReaderCommand parse(String... args) {
        return ReaderCommand.parseCommon(args);
    }

    @Test
    void commonCommandLinesSkipPicocli() {
        ReaderCommand c = parse("ecl.yml", "-g", "web", "-i", "5m");
        assertNotNull(c);
        assertEquals(Path.of("ecl.yml"), c.config);
        assertEquals("web", c.group);
        assertEquals("5m", c.interval);
        assertEquals(ReaderCommand.Format.text, c.format);
        assertNull(c.section);

        c = parse("-c", "/etc/ecl/x.yml", "--group", "web", "--format", "munin", "--current", "-v");
        assertNotNull(c);
        assertEquals(Path.of("/etc/ecl/x.yml"), c.configOption);
        assertEquals(ReaderCommand.Format.munin, c.format);
        assertEquals(true, c.section.current);
        assertEquals(true, c.verbose);

        c = parse("--all", "--format", "prometheus", "--both");
        assertNotNull(c);
        assertEquals(true, c.all);
        assertEquals(true, c.section.both);
        assertNotNull(parse("-g", "web", "-i", ""));
    }

    @Test
    void unambiguousAbbreviationsOfLongOptionsSkipPicocliToo() {
        ReaderCommand c = parse("ecl.yml", "--gr", "web", "--int", "5m", "--cur", "--verb", "--form", "json");
        assertNotNull(c);
        assertEquals("web", c.group);
        assertEquals("5m", c.interval);
        assertEquals(true, c.section.current);
        assertEquals(true, c.verbose);
        assertEquals(ReaderCommand.Format.json, c.format);
        assertEquals(Path.of("x.yml"), parse("--con", "x.yml", "--al").configOption);
        assertEquals(true, parse("--con", "x.yml", "--al").all);
    }

    @Test
    void theFastPathKnowsTheLongOptionsPicocliKnows() {
        java.util.Set<String> picocli = new java.util.TreeSet<>();
        for (picocli.CommandLine.Model.OptionSpec o : Cli.commandLine(new ReaderCommand()).getCommandSpec().options()) {
            picocli.add(o.longestName());
        }
        assertEquals(picocli, new java.util.TreeSet<>(ReaderCommand.LONG_OPTIONS));
    }

    @Test
    void everythingElseGoesToPicocli() {
        String[][] picocli = {
            {"--help"}, {"-h"}, {"--version"}, {"-V"}, {"serve", "--port", "0"}, {"ecl.yml", "serve"},
            {"-gweb"}, {"--group=web"}, {"-vg", "web"}, {"-g"}, {"-g", "-i"}, {"-g", "-5"},
            {"-g", "a", "-g", "b"}, {"-g", "a", "-v", "-v"}, {"-g", "a", "--last", "--current"},
            {"-g", "a", "--last", "--last"}, {"@args.txt"}, {"-g", "@x"}, {"-g", "serve"},
            {"-g", "a", "--format", "MUNIN"}, {"-g", "a", "--format", "munin", "--both"},
            {"--all", "-g", "a"}, {"--all", "-i", "5m"}, {"-i", "5m"}, {}, {"a.yml", "b.yml", "-g", "x"},
            {"a.yml", "-c", "b.yml", "-g", "x"}, {"--", "-g", "x"}, {"-", "-g", "x"}, {"-g", "a", "--unknown"},
            {"-g", "a", "--c"}, {"-g", "a", "--v"}, {"-g", "a", "--he"}, {"-g", "a", "--vers"}, {"--gr=a"},
            {"watch", "-g", "web"}, {"-g", "web", "watch"}, {"-g", "watch"},
        };
        for (String[] args : picocli) {
            assertNull(parse(args), () -> String.join(" ", args));
        }
    }
}
