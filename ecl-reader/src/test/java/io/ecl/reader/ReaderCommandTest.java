package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** ecl-reader against a real standalone Redis: the Python tool's output, messages and exit codes. */
class ReaderCommandTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = "groups:\n"
            + "  g:\n    events: [b, a, c]\n    intervals: ['5m']\n"
            + "  multi:\n    events: [x]\n    intervals: ['5s', '1h']\n"
            + "  dyn:\n    events: [fixed]\n    intervals: ['5m']\n    auto_declare_events: true\n";

    @TempDir
    Path dir;
    private String config;
    private RedisClient r;

    @BeforeEach
    void writeConfig() throws IOException {
        config = write("ecl.yml", redis.yamlRedisSection() + GROUPS);
        r = redis.client();
    }

    private String write(String name, String text) throws IOException {
        return Run.writeFile(dir, name, text);
    }

    // ---- output ----

    @Test
    void printsLastCountsOfTheOnlyIntervalWithoutDashI() {
        r.set("g:5m:last:a", "3");
        r.set("g:5m:last:b", "1");
        r.set("g:5m:last:c", "7");
        r.set("g:5m:cur:a", "100");

        Run run = Run.reader(config, "-g", "g");

        assertEquals("a:3\nb:1\nc:7\n", run.out, run::toString);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void dashISelectsTheInterval() {
        r.set("multi:5s:last:x", "2");
        r.set("multi:1h:last:x", "40");

        assertEquals("x:40\n", Run.reader(config, "-g", "multi", "-i", "1h").out);
        assertEquals("x:2\n", Run.reader(config, "--group", "multi", "--interval", "5s").out);
    }

    @Test
    void dashIMayNameTheOnlyInterval() {
        r.set("g:5m:last:a", "3");

        assertEquals("a:3\nb:0\nc:0\n", Run.reader(config, "-g", "g", "-i", "5m").out);
    }

    @Test
    void lastIsTheDefault() {
        r.set("g:5m:last:a", "3");
        r.set("g:5m:cur:a", "9");

        assertEquals(Run.reader(config, "-g", "g").out, Run.reader(config, "-g", "g", "--last").out);
        assertEquals("a:3\nb:0\nc:0\n", Run.reader(config, "-g", "g", "--last").out);
    }

    @Test
    void currentPrintsTheCountsOfTheIntervalInProgress() {
        r.set("g:5m:last:a", "3");
        r.set("g:5m:cur:a", "9");
        r.set("g:5m:cur:c", "1");

        Run run = Run.reader(config, "-g", "g", "--current");

        assertEquals("a:9\nb:0\nc:1\n", run.out);
        assertEquals(0, run.code);
    }

    @Test
    void bothPrintsLastThenCurrentWithHeaders() {
        r.set("g:5m:last:a", "3");
        r.set("g:5m:last:b", "4");
        r.set("g:5m:cur:a", "9");

        Run run = Run.reader(config, "-g", "g", "--both");

        assertEquals("Last:\na:3\nb:4\nc:0\nCurrent:\na:9\nb:0\nc:0\n", run.out);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void sortsEventIdsAsStringsNotInConfigOrder() throws IOException {
        String cfg = write("sort.yml", redis.yamlRedisSection()
                + "groups:\n  s:\n    events: [b9, b10, a, B, '_x', a:b]\n    intervals: ['1m']\n");

        assertEquals("B:0\n_x:0\na:0\na:b:0\nb10:0\nb9:0\n", Run.reader(cfg, "-g", "s").out);
    }

    @Test
    void sortsByCodePointLikePythonBeyondTheBasicPlane() {
        // U+FFFD sorts before U+1F600 in Python; in UTF-16 order (String.compareTo) it would not.
        r.sadd("dyn:5m:last:@reg", "\uFFFD", "\uD83D\uDE00", "z");
        r.set("dyn:5m:last:\uFFFD", "1");
        r.set("dyn:5m:last:\uD83D\uDE00", "2");
        r.set("dyn:5m:last:z", "3");

        assertEquals("fixed:0\nz:3\n\uFFFD:1\n\uD83D\uDE00:2\n", Run.reader(config, "-g", "dyn").out);
    }

    @Test
    void printsZeroForDeclaredEventsWithoutCounters() {
        Run run = Run.reader(config, "-g", "g", "--both");

        assertEquals("Last:\na:0\nb:0\nc:0\nCurrent:\na:0\nb:0\nc:0\n", run.out);
        assertEquals(0, run.code);
    }

    @Test
    void autoDeclaredEventsAreInTheSectionsWhereTheyHaveACounterLikePython() {
        // Python's reader SCANs the section it prints: an event appears where its counter exists.
        r.sadd("dyn:5m:last:@reg", "x", "y");
        r.set("dyn:5m:last:x", "4");
        r.set("dyn:5m:last:y", "1");
        r.sadd("dyn:5m:cur:@reg", "x", "z");
        r.set("dyn:5m:cur:x", "3");
        r.set("dyn:5m:cur:z", "2");
        r.set("dyn:5m:cur:fixed", "5");

        Run run = Run.reader(config, "-g", "dyn", "--both");

        assertEquals("Last:\nfixed:0\nx:4\ny:1\nCurrent:\nfixed:5\nx:3\nz:2\n", run.out);
    }

    @Test
    void anEventLoggedOnlyInTheCurrentIntervalIsNotPrintedInLast() {
        r.sadd("dyn:5m:cur:@reg", "ev");
        r.set("dyn:5m:cur:ev", "1");

        assertEquals("fixed:0\n", Run.reader(config, "-g", "dyn", "--last").out);
        assertEquals("ev:1\nfixed:0\n", Run.reader(config, "-g", "dyn", "--current").out);
    }

    /**
     * An ecl writer registered "gone" and "ev" in cur:@reg; then the Python master rotated twice at
     * 22:10:00 and 22:15:00, as it does: it renames the counters it SCANs, deletes dynamic ones only
     * in last, sets cur:@ts to the time it ran, and never touches @reg nor last:@ts.
     */
    private void pythonMasterRotatedAfterAnEclRotation() {
        // What the ecl rotation at 22:05 left: last covers 22:00-22:05.
        r.set("dyn:5m:last:@ts", "1699999200");
        r.set("dyn:5m:last:@end", "1699999500");
        r.set("dyn:5m:cur:@ts", "1699999500");
        r.sadd("dyn:5m:cur:@reg", "gone", "ev");
        r.set("dyn:5m:cur:gone", "3");
        r.set("dyn:5m:cur:ev", "1");
        // Python master at 22:10:00: SCAN finds cur:gone and cur:ev.
        r.rename("dyn:5m:cur:gone", "dyn:5m:last:gone");
        r.rename("dyn:5m:cur:ev", "dyn:5m:last:ev");
        r.setnx("dyn:5m:cur:fixed", "0");
        r.rename("dyn:5m:cur:fixed", "dyn:5m:last:fixed");
        r.set("dyn:5m:cur:fixed", "0");
        r.set("dyn:5m:cur:@ts", "1699999800");
        r.incrBy("dyn:5m:cur:ev", 2); // only ev occurs again
        // Python master at 22:15:00: gone is only in last, so it is deleted.
        r.del("dyn:5m:last:gone");
        r.rename("dyn:5m:cur:ev", "dyn:5m:last:ev");
        r.setnx("dyn:5m:cur:fixed", "0");
        r.rename("dyn:5m:cur:fixed", "dyn:5m:last:fixed");
        r.set("dyn:5m:cur:fixed", "0");
        r.set("dyn:5m:cur:@ts", "1700000100");
    }

    @Test
    void underAPythonMasterAnEventThatStoppedOccurringIsNoLongerPrinted() {
        pythonMasterRotatedAfterAnEclRotation();

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 60_000)), config, "-g", "dyn", "--both");

        assertEquals("Last:\nev:2\nfixed:0\nCurrent:\nfixed:0\n", run.out, run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void underAPythonMasterVerboseDoesNotClaimThatLastCoversSeveralIntervals() {
        pythonMasterRotatedAfterAnEclRotation();

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 60_000)), config, "-g", "dyn", "-v");

        assertEquals("group 'dyn', interval 5m\n"
                + "last:    ? to 2023-11-14T22:15:00Z (start not recorded: first rotation, or rotated by the"
                + " Python master)\n"
                + "current: 2023-11-14T22:15:00Z to 2023-11-14T22:20:00Z (in progress)\n", run.err);
        Run json = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 60_000)), config, "-g", "dyn",
                "--format", "json");
        assertTrue(json.out.contains("\"last\":{\"start\":null,\"end\":\"2023-11-14T22:15:00Z\"}"), json::toString);
        assertTrue(json.out.endsWith("\"covers_several_intervals\":false}\n"), json::toString);
    }

    @Test
    void afterAnEclRotationLastStillCoversEverySinceTheRotationBefore() {
        // ecl's own catch-up after an outage: last:@end equals cur:@ts, so last:@ts is right.
        r.set("dyn:5m:last:@ts", "1699999200");
        r.set("dyn:5m:last:@end", "1700000100");
        r.set("dyn:5m:cur:@ts", "1700000100");

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 1_000)), config, "-g", "dyn", "-v");

        assertTrue(run.err.contains("WARNING: 'last' covers 3 intervals of 5m"), run::toString);
    }

    @Test
    void ignoresCountersOfOtherGroupsAndIntervals() {
        r.set("g:1h:last:a", "50");
        r.set("g2:5m:last:a", "60");
        r.set("g:5m:last:zz", "70"); // neither declared nor auto-declared

        assertEquals("a:0\nb:0\nc:0\n", Run.reader(config, "-g", "g").out);
    }

    @Test
    void printsBigCountsInFull() {
        r.set("g:5m:last:a", "9007199254740993");

        assertEquals("a:9007199254740993\nb:0\nc:0\n", Run.reader(config, "-g", "g").out);
    }

    // ---- the Python tool's errors ----

    @Test
    void unknownGroupIsAnErrorLikePython() {
        Run run = Run.reader(config, "-g", "nope");

        assertEquals("ERROR: Group 'nope' not found in configuration\n", run.err);
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    @Test
    void unknownIntervalIsAnErrorLikePython() {
        Run run = Run.reader(config, "-g", "multi", "-i", "300s");

        assertEquals("ERROR: Interval '300s' not configured for this group.\n", run.err);
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    @Test
    void severalIntervalsWithoutDashIIsAnErrorLikePython() {
        Run run = Run.reader(config, "-g", "multi");

        assertEquals("ERROR: Multiple intervals defined for the group, one must be selected using the '-i' parameter.\n",
                run.err);
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    // ---- usage errors: exit 2 with picocli's message and usage ----

    @Test
    void missingGroupOptionIsAUsageError() {
        Run run = Run.reader(config);

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Missing required option: '--group=GROUP'\nUsage: ecl-reader "), run::toString);
        assertEquals("", run.out);
    }

    @Test
    void longOptionsMayBeAbbreviatedAsPythonsArgparseAllows() {
        r.set("multi:1h:last:x", "40");
        r.set("multi:1h:cur:x", "4");

        Run full = Run.reader(config, "--group", "multi", "--interval", "1h", "--current");
        Run abbreviated = Run.reader(config, "--gr", "multi", "--int", "1h", "--cur");

        assertEquals("x:4\n", abbreviated.out, abbreviated::toString);
        assertEquals(full.toString(), abbreviated.toString());
        assertEquals("Last:\nx:40\nCurrent:\nx:4\n", Run.reader(config, "--g", "multi", "--i", "1h", "--bo").out);
    }

    @Test
    void anAmbiguousAbbreviationIsAUsageError() {
        Run run = Run.reader(config, "-g", "g", "--c");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Error: '--c' is not unique: it matches '--config', '--current'"), run::toString);
        assertEquals("", run.out);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run run = Run.reader(config, "-g", "g", "--nope");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Unknown option: '--nope'\nUsage: ecl-reader "), run::toString);
        assertEquals("", run.out);
    }

    @Test
    void lastCurrentAndBothAreMutuallyExclusive() {
        Run run = Run.reader(config, "-g", "g", "--current", "--both");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Error: --current, --both are mutually exclusive (specify only one)\n"),
                run::toString);
        assertEquals("", run.out);
    }

    @Test
    void helpPrintsUsageOnStdoutAndExitsZero() {
        Run run = Run.reader("--help");

        assertEquals(0, run.code);
        assertTrue(run.out.startsWith("Usage: ecl-reader [-hvV] [--all] [-c=FILE] [--format=FORMAT] [-g=GROUP]\n"
                + "                  [--history=N] [-i=INTERVAL] [--last | --current | --both]\n"
                + "                  [CONFIG]\n"),
                run::toString);
        assertEquals("", run.err);
    }

    @Test
    void versionPrintsToolNameAndProjectVersion() throws IOException {
        Run run = Run.reader("--version");

        assertEquals("ecl-reader " + projectVersion() + "\n", run.out);
        assertEquals(0, run.code);
    }

    static String projectVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = ReaderCommandTest.class.getResourceAsStream("/ecl-version.properties")) {
            p.load(in);
        }
        String version = p.getProperty("version");
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), "resource filtering did not run: " + version);
        return version;
    }

    // ---- config and Redis errors: one line, no stack trace unless -v ----

    @Test
    void badYamlIsOneErrorLineNamingFileAndLine() throws IOException {
        String bad = write("bad.yml", "groups:\n  g: {events: [a], intervals: ['5m']\n");

        Run run = Run.reader(bad, "-g", "g");

        run.oneErrLine("ERROR: " + bad + ":3:1: invalid YAML: ");
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    @Test
    void invalidConfigValueIsOneErrorLineNamingFileAndLine() throws IOException {
        String bad = write("bad.yml", "groups:\n  g:\n    events: []\n    intervals: ['5x']\n");

        Run run = Run.reader(bad, "-g", "g");

        run.oneErrLine("ERROR: " + bad + ":4: group 'g': invalid interval '5x'");
        assertEquals(1, run.code);
    }

    @Test
    void missingConfigFileIsOneErrorLine() {
        String missing = dir.resolve("missing.yml").toString();

        Run run = Run.reader(missing, "-g", "g");

        assertEquals("ERROR: " + missing + ": config file not found\n", run.err);
        assertEquals(1, run.code);
    }

    @Test
    void verboseAddsTheStackTraceOfAConfigError() throws IOException {
        String bad = write("bad.yml", "groups:\n  g: {events: [a], intervals: ['5m']\n");

        Run run = Run.reader(bad, "-g", "g", "-v");

        assertTrue(run.err.startsWith("ERROR: " + bad + ":3:1: invalid YAML: "), run::toString);
        assertTrue(run.err.contains("\nio.ecl.core.ConfigException: " + bad + ":3:1: invalid YAML: "), run::toString);
        assertTrue(run.err.contains("\tat io.ecl.core."), run::toString);
        assertEquals(1, run.code);
    }

    @Test
    void unreachableRedisIsOneErrorLineNamingHostAndPort() throws IOException {
        int port = EmbeddedRedis.freePort();
        String cfg = write("dead.yml", "redis: {host: 127.0.0.1, port: " + port + "}\n" + GROUPS);

        Run run = Run.reader(cfg, "-g", "g");

        run.oneErrLine("ERROR: cannot connect to Redis at 127.0.0.1:" + port + ": ");
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    @Test
    void configWarningsGoToStderrWithoutChangingOutputOrExitCode() throws IOException {
        String cfg = write("typo.yml", redis.yamlRedisSection()
                + "groups:\n  g:\n    events: [a]\n    intervals: ['5m']\n    sync-interval: 2\n");
        r.set("g:5m:last:a", "3");

        Run run = Run.reader(cfg, "-g", "g");

        assertEquals("a:3\n", run.out);
        assertEquals("WARNING: " + cfg + ":8: unknown key group 'g': 'sync-interval' ignored;"
                + " did you mean 'sync_interval'?\n", run.err);
        assertEquals(0, run.code);
    }

    // ---- one invalid group: the reader reads the others (cron and Munin keep their graphs) ----

    private String configWithABrokenGroup() throws IOException {
        return write("broken.yml", redis.yamlRedisSection() + GROUPS
                + "  broken:\n    events: [a]\n    intervals: ['5x']\n");
    }

    @Test
    void invalidGroupElsewhereIsNamedOnceAndTheAskedGroupIsRead() throws IOException {
        String cfg = configWithABrokenGroup();
        r.set("g:5m:last:a", "3");

        Run run = Run.reader(cfg, "-g", "g");

        assertEquals("a:3\nb:0\nc:0\n", run.out, run::toString);
        assertEquals("WARNING: " + cfg + ":17: group 'broken': invalid interval '5x': expected a positive number"
                + " followed by s, m, h or d (e.g. 5s, 5m, 1.5h) (group skipped)\n", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void askingForTheInvalidGroupIsOneErrorLineNamingIt() throws IOException {
        String cfg = configWithABrokenGroup();

        Run run = Run.reader(cfg, "-g", "broken");

        run.oneErrLine("ERROR: " + cfg + ":17: group 'broken': invalid interval '5x'");
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    // ---- -v: what the Python tool cannot show ----

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    private static final long BOUNDARY = 1_700_000_100_000L;

    @Test
    void verboseShowsTheTimesTheCountsCoverAndKeepsStdout() {
        r.set("g:5m:cur:@ts", "1700000100");
        r.set("g:5m:last:@ts", "1699999800");
        r.set("g:5m:last:a", "3");
        SteppedClock clock = new SteppedClock(BOUNDARY + 60_000);

        Run run = Run.reader(new ReaderCommand(clock), config, "-g", "g", "-v");

        assertEquals("a:3\nb:0\nc:0\n", run.out);
        assertEquals("group 'g', interval 5m\n"
                + "last:    2023-11-14T22:10:00Z to 2023-11-14T22:15:00Z\n"
                + "current: 2023-11-14T22:15:00Z to 2023-11-14T22:20:00Z (in progress)\n", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void verboseWarnsWhenLastCoversSeveralIntervals() {
        r.set("g:5m:cur:@ts", "1700000100");
        r.set("g:5m:last:@ts", "1699999200");
        SteppedClock clock = new SteppedClock(BOUNDARY + 1_000);

        Run run = Run.reader(new ReaderCommand(clock), config, "-g", "g", "-v");

        assertEquals("group 'g', interval 5m\n"
                + "last:    2023-11-14T22:00:00Z to 2023-11-14T22:15:00Z\n"
                + "current: 2023-11-14T22:15:00Z to 2023-11-14T22:20:00Z (in progress)\n"
                + "WARNING: 'last' covers 3 intervals of 5m (2023-11-14T22:00:00Z to 2023-11-14T22:15:00Z):"
                + " nothing rotated in between, so their counts are merged; was ecl-master down?\n", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void verboseWarnsWhenLastIsStale() {
        r.set("g:5m:cur:@ts", "1700000100");
        r.set("g:5m:last:@ts", "1699999800");
        SteppedClock clock = new SteppedClock(BOUNDARY + 3_600_000);

        Run run = Run.reader(new ReaderCommand(clock), config, "-g", "g", "-v");

        assertTrue(run.err.endsWith("\nWARNING: 'last' is stale: the current interval should have been rotated at"
                + " 2023-11-14T22:20:00Z and was not; is ecl-master running?\n"), run::toString);
        assertEquals("a:0\nb:0\nc:0\n", run.out);
        assertEquals(0, run.code);
    }

    @Test
    void verboseWarnsWhenTheIntervalWasNeverRotated() {
        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY)), config, "-g", "g", "-v");

        assertEquals("group 'g', interval 5m\n"
                + "WARNING: this interval has never been rotated (Redis has no start time for it):"
                + " 'last' holds nothing yet; is ecl-master running?\n", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void verboseSaysWhenTheStartOfLastIsUnknown() {
        // The Python master writes cur:@ts only.
        r.set("g:5m:cur:@ts", "1700000100.25");

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY)), config, "-g", "g", "-v");

        assertEquals("group 'g', interval 5m\n"
                + "last:    ? to 2023-11-14T22:15:00.250Z (start not recorded: first rotation, or rotated by the"
                + " Python master)\n"
                + "current: 2023-11-14T22:15:00.250Z to 2023-11-14T22:20:00.250Z (in progress)\n", run.err);
    }

    @Test
    void verboseReportsLateCounts() {
        r.set("g:5m:cur:@ts", "1700000100");
        r.set("g:5m:last:@ts", "1699999800");
        r.set("g:5m:last:@late", "5");
        r.set("g:5m:cur:@late", "2");

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY)), config, "-g", "g", "-v");

        assertTrue(run.err.endsWith("\nlate counts: 5 in last, 2 in current (they reached Redis after their own"
                + " interval had been closed and are counted in a later one)\n"), run::toString);
        assertEquals("a:0\nb:0\nc:0\n", run.out);
    }

    @Test
    void withoutVerboseNothingButCountsIsPrinted() {
        r.set("g:5m:last:@late", "5");

        Run run = Run.reader(new ReaderCommand(new SteppedClock(BOUNDARY + 86_400_000)), config, "-g", "g");

        assertEquals("", run.err);
    }
}
