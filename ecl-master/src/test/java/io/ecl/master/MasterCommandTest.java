package io.ecl.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.RedisClient;

/** The ecl-master command: exit statuses, messages, signals, output format. */
class MasterCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new MasterCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(dir.resolve("cfg.yml"), yaml);
    }

    private Path configFor(int port) throws IOException {
        return config("redis:\n  host: 127.0.0.1\n  port: " + port + "\n"
                + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s', '1m']\n");
    }

    private static List<String> lines(StringWriter w) {
        return w.toString().lines().toList();
    }

    @Test
    void helpExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().startsWith("Usage: ecl-master "), out::toString);
        assertFalse(out.toString().contains("--embedded-redis"), out::toString);
    }

    @Test
    void versionExitsZeroAndNamesTheVersion() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().trim().matches("ecl-master \\d+\\.\\d+\\.\\d+.*"), out::toString);
    }

    private int run(Map<String, String> env, String... args) {
        MasterCommand command = new MasterCommand();
        command.env = env;
        return new CommandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void withoutConfigArgumentTheFileIsEclConfig() throws IOException {
        Path cfg = configFor(redis.port());

        assertEquals(0, run(Map.of("ECL_CONFIG", cfg.toString()), "--check"));

        assertEquals("ecl-master: configuration file " + cfg + " test is successful", lines(out).get(1));
    }

    @Test
    void withoutConfigArgumentNorEclConfigTheFileIsEtcEclConfigYml() {
        MasterCommand command = new MasterCommand();
        command.env = Map.of();

        assertEquals(Path.of("/etc/ecl/config.yml"), command.configPath());
    }

    @Test
    void withoutConfigArgumentNorEclConfigAMissingDefaultIsNamedInTheError() {
        // Where the Debian package is installed, /etc/ecl/config.yml exists and --check would read it.
        boolean installed = Files.exists(Path.of("/etc/ecl/config.yml"));
        if (installed) {
            System.err.println("SKIPPED: /etc/ecl/config.yml exists on this machine (ecl is installed), so the"
                    + " error for a missing default config is not checked");
        }
        Assumptions.assumeFalse(installed, "/etc/ecl/config.yml exists");

        assertEquals(1, run(Map.of(), "--check"));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: /etc/ecl/config.yml"), lines.get(0));
        assertEquals("ERROR: /etc/ecl/config.yml: config file not found (the default: no CONFIG given and ECL_CONFIG"
                + " not set)", lines.get(0));
    }

    @Test
    void configArgumentWinsOverEclConfig() throws IOException {
        Path cfg = configFor(redis.port());

        assertEquals(0, run(Map.of("ECL_CONFIG", dir.resolve("other.yml").toString()), "--check", cfg.toString()));

        assertEquals("ecl-master: configuration file " + cfg + " test is successful", lines(out).get(1));
    }

    @Test
    void checkPrintsASummaryAndSuccessWithoutConnectingToRedis() throws IOException {
        int closedPort = EmbeddedRedis.freePort();
        Path cfg = configFor(closedPort);

        assertEquals(0, run("--check", cfg.toString()));

        assertEquals(List.of(
                "ecl-master: 1 group, 2 intervals: grp (5s, 1m); Redis redis://127.0.0.1:" + closedPort + "/0",
                "ecl-master: configuration file " + cfg + " test is successful"), lines(out));
        assertEquals("", err.toString());
    }

    @Test
    void checkFailsOnAnyWarningPrintingEachAndNeverThePassword() throws IOException {
        Path cfg = config("redis:\n  host: 127.0.0.1\n  port: 6379\n  password: s3cr3t-pw\n"
                + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n    auto_declare_event: true\n"
                + "  two:\n    events: []\n    intervals: ['1m', '1h']\n");

        assertEquals(1, run("--check", cfg.toString()));

        List<String> lines = lines(err);
        assertEquals(2, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("WARNING: " + cfg + ":9: "), lines.get(0));
        assertTrue(lines.get(0).contains("auto_declare_events"), "did you mean: " + lines.get(0));
        assertEquals("ERROR: configuration file " + cfg + " test failed: 1 warning (--check fails on any warning)",
                lines.get(1));
        assertEquals("", out.toString());
        assertFalse((out.toString() + err).contains("s3cr3t-pw"), out::toString);
    }

    @Test
    void checkFailsOnAMisspelledKeySoThatItCanGateAReload() throws IOException {
        Path cfg = config("redis:\n  host: 127.0.0.1\n  prot: 6391\n"
                + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n");

        assertEquals(1, run("--check", cfg.toString()));

        assertEquals(List.of("WARNING: " + cfg + ":3: unknown key redis.'prot' ignored; did you mean 'port'?",
                "ERROR: configuration file " + cfg + " test failed: 1 warning (--check fails on any warning)"),
                lines(err));
    }

    @Test
    void checkStaysStrictAboutAnInvalidGroupThatReadersSkip() throws IOException {
        Path cfg = config("groups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n"
                + "  bad:\n    events: [a]\n    intervals: ['5x']\n");

        assertEquals(1, run("--check", cfg.toString()));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: " + cfg + ":7: group 'bad': "), lines.get(0));
    }

    @Test
    void checkCommandLinesSkipPicocliAndEverythingElseDoesNot() {
        MasterCommand c = MasterCommand.parseCheck(new String[] {"-v", "cfg.yml", "--check"});
        assertTrue(c != null && c.check && c.verbose, "cfg.yml --check -v");
        assertEquals(Path.of("cfg.yml"), c.config);
        assertEquals(null, MasterCommand.parseCheck(new String[] {"--check"}).config);
        for (String[] other : new String[][] {{}, {"cfg.yml"}, {"--check", "a.yml", "b.yml"}, {"--check", "--check"},
                {"--check", "--help"}, {"--check", "--version"}, {"--che", "cfg.yml"}, {"--check", "@args"},
                {"--check", "--embedded-redis"}, {"--check", "-v", "--verbose"}, {"--check", ""}}) {
            assertEquals(null, MasterCommand.parseCheck(other), String.join(" ", other));
        }
    }

    @Test
    void checkWithoutPicocliPrintsWhatPicocliDoes() throws IOException {
        String[] configs = {"groups:\n  grp:\n    events: [a]\n    intervals: ['5s', '1m']\n",
            "redis:\n  host: 127.0.0.1\n  prot: 6391\ngroups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n",
            "groups:\n  grp:\n    events: []\n    intervals: ['5x']\n"};
        for (String yaml : configs) {
            Path cfg = config(yaml);
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            int viaPicocli = run("--check", cfg.toString());
            String picocliOut = out.toString();
            String picocliErr = err.toString();
            StringWriter fastOut = new StringWriter();
            StringWriter fastErr = new StringWriter();

            int fast = MasterCommand.parseCheck(new String[] {"--check", cfg.toString()})
                    .check(new PrintWriter(fastOut, true), new PrintWriter(fastErr, true));

            assertEquals(viaPicocli, fast, yaml);
            assertEquals(picocliOut, fastOut.toString(), yaml);
            assertEquals(picocliErr, fastErr.toString(), yaml);
        }
    }

    @Test
    void checkOfABadConfigExitsOneWithOneErrorLine() throws IOException {
        Path cfg = config("groups:\n  grp:\n    events: []\n    intervals: ['5x']\n");

        assertEquals(1, run("--check", cfg.toString()));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: " + cfg + ":4: "), lines.get(0));
        assertEquals("", out.toString());
    }

    @Test
    void sighupReloadsTheConfigAndABrokenOneKeepsTheRunningConfig() throws Exception {
        Path cfg = configFor(redis.port());
        RedisClient r = redis.client();
        try (ChildProcess master = ChildProcess.start(dir, MasterCommand.class, Map.of(), cfg.toString())) {
            master.await(() -> r.exists("grp:5s:cur:@ts") && r.exists("grp:1m:cur:@ts"), 15_000,
                    "the master did not rotate at start");
            Files.writeString(cfg, "redis:\n  host: 127.0.0.1\n  port: " + redis.port() + "\n"
                    + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n"
                    + "  added:\n    events: [x]\n    intervals: ['1h']\n");

            master.signal("HUP");

            String reloaded = master.awaitLine(l -> l.contains("config reloaded"), 10_000);
            assertTrue(reloaded.endsWith("INFO  config reloaded from " + cfg + ": groups added: added (1h); "
                    + "intervals changed: grp (5s, 1m -> 5s); 2 groups now"), reloaded);
            master.await(() -> r.exists("added:1h:cur:@ts"), 10_000, "the added group was not opened");
            assertEquals("0", r.get("added:1h:cur:x"));

            Files.writeString(cfg, "groups:\n  grp:\n    events: []\n    intervals: ['5x']\n");
            master.signal("HUP");

            String failed = master.awaitLine(l -> l.contains("reload failed"), 10_000);
            assertTrue(failed.contains("ERROR reload failed, keeping the running config: " + cfg + ":4: "), failed);
            Thread.sleep(300);
            assertTrue(master.isAlive(), "a broken config does not stop the master");
            assertEquals(1, master.lines().stream().filter(l -> l.contains("ERROR")).count(), master.lines()::toString);
            String ts = r.get("grp:5s:cur:@ts");
            master.await(() -> !ts.equals(r.get("grp:5s:cur:@ts")), 10_000, "the master stopped rotating");

            // Other Redis settings are not applied by a reload: the master says so and stays on its Redis.
            Files.writeString(cfg, "redis:\n  host: 127.0.0.1\n  port: 1\n"
                    + "groups:\n  grp:\n    events: [a]\n    intervals: ['5s']\n");
            master.signal("HUP");

            String warn = master.awaitLine(l -> l.contains("Redis settings changed"), 10_000);
            assertTrue(warn.endsWith("WARN  reload: the Redis settings changed to redis://127.0.0.1:1/0; ecl-master "
                    + "keeps using redis://127.0.0.1:" + redis.port() + "/0 until it is restarted"), warn);
            master.awaitLine(l -> l.endsWith("groups removed: added; 1 group now"), 10_000);
            String ts2 = r.get("grp:5s:cur:@ts");
            master.await(() -> !ts2.equals(r.get("grp:5s:cur:@ts")), 10_000, "the master left its Redis");

            assertEquals(0, master.terminate());
        }
    }

    @Test
    void unknownOptionIsAUsageError() throws IOException {
        assertEquals(2, run(configFor(redis.port()).toString(), "--frobnicate"));
    }

    @Test
    void badConfigExitsOneWithOneLineNamingFileAndLine() throws IOException {
        Path cfg = config("groups:\n  grp:\n    events: []\n    intervals: ['5x']\n");

        assertEquals(1, run(cfg.toString()));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: " + cfg + ":4: "), lines.get(0));
        assertTrue(lines.get(0).contains("'5x'"), lines.get(0));
        assertEquals("", out.toString());
    }

    @Test
    void missingConfigFileExitsOneWithOneLine() {
        Path missing = dir.resolve("nope.yml");

        assertEquals(1, run(missing.toString()));

        List<String> lines = lines(err);
        assertEquals(1, lines.size(), err::toString);
        assertTrue(lines.get(0).startsWith("ERROR: ") && lines.get(0).contains("nope.yml"), lines.get(0));
    }

    @Test
    void verboseAddsTheStackTraceToAConfigError() throws IOException {
        Path cfg = config("groups:\n  grp:\n    events: []\n    intervals: ['5x']\n");

        assertEquals(1, run(cfg.toString(), "-v"));

        List<String> lines = lines(err);
        assertTrue(lines.get(0).startsWith("ERROR: "), lines.get(0));
        assertTrue(lines.size() > 2 && lines.get(2).trim().startsWith("at "), err::toString);
    }

    @Test
    void sigtermStopsTheMasterWithExitStatusZero() throws Exception {
        Path cfg = configFor(redis.port());
        RedisClient r = redis.client();
        try (ChildProcess master = ChildProcess.start(dir, MasterCommand.class, Map.of(), cfg.toString(), "-v")) {
            master.await(() -> r.exists("grp:5s:cur:@ts") && r.exists("grp:1m:cur:@ts"), 15_000,
                    "the master did not rotate at start");

            assertEquals(0, master.terminate());

            List<String> out = master.lines();
            assertTrue(out.stream().anyMatch(l -> l.matches(
                    "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  ecl-master \\S+: config .*cfg\\.yml, "
                            + "groups grp \\(5s, 1m\\), Redis redis://127\\.0\\.0\\.1:" + redis.port() + "/0")), out::toString);
            assertTrue(out.stream().anyMatch(l -> l.contains("INFO  rotated grp 5s at ")), out::toString);
            assertTrue(out.get(out.size() - 1).endsWith("INFO  ecl-master stopped"), out::toString);
        }
    }

    @Test
    void unreachableRedisIsNotFatalAndJournaldGetsPriorities() throws Exception {
        int closedPort = EmbeddedRedis.freePort();
        Path cfg = configFor(closedPort);
        try (ChildProcess master = ChildProcess.start(dir, MasterCommand.class, Map.of("JOURNAL_STREAM", "8:4242"),
                cfg.toString())) {
            String warning = master.awaitLine(l -> l.startsWith("<4>"), 15_000);

            assertTrue(warning.contains("127.0.0.1:" + closedPort), warning);
            assertEquals(0, master.terminate());
            List<String> out = master.lines();
            assertTrue(out.get(0).startsWith("<6>ecl-master "), out::toString);
            assertEquals(1, out.stream().filter(l -> l.startsWith("<4>")).count(), out::toString);
            assertTrue(out.stream().allMatch(l -> l.matches("<[3-7]>.*")), out::toString);
        }
    }

    @Test
    void embeddedRedisOptionIsGoneAndPointsToTheDemo() throws IOException {
        Path cfg = configFor(redis.port());

        assertEquals(2, run(cfg.toString(), "--embedded-redis"));

        assertEquals(List.of("ERROR: --embedded-redis was removed from ecl-master: to try ecl without installing "
                + "Redis, run bin/ecl-demo in a build of the source tree (mvn -q -DskipTests package && bin/ecl-demo); "
                + "else install redis-server"), lines(err));
        assertEquals("", out.toString());
    }
}
