package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.cli.ConfigLocation;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** ecl-reader --format, --all and where the config comes from, against a real Redis: exact outputs. */
class ReaderFormatsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = "groups:\n"
            + "  g:\n    events: [b, a, c]\n    intervals: ['5m']\n"
            + "  multi:\n    events: [x]\n    intervals: ['5s', '1h']\n"
            + "  w:\n    events: ['a\"b', 'c\\d', '1st', 'x-y.z', 'caf\u00e9']\n    intervals: ['1m']\n";

    /** 2023-11-14T22:15:00Z, a 5-minute boundary. */
    private static final long BOUNDARY = 1_700_000_100_000L;

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

    /** g:5m rotated at BOUNDARY, last covering 22:10 to 22:15, with counts and late counts. */
    private void rotatedG() {
        r.set("g:5m:cur:@ts", "1700000100");
        r.set("g:5m:last:@ts", "1699999800");
        r.set("g:5m:last:a", "3");
        r.set("g:5m:last:b", "1");
        r.set("g:5m:cur:c", "9");
        r.set("g:5m:last:@late", "2");
        r.set("g:5m:cur:@late", "1");
    }

    private static ReaderCommand at(long millis) {
        return new ReaderCommand(new SteppedClock(millis));
    }

    // ---- text ----

    @Test
    void formatTextIsTheDefaultOutput() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY), config, "-g", "g", "--format", "text");

        assertEquals("a:3\nb:1\nc:0\n", run.out);
        assertEquals(Run.reader(at(BOUNDARY), config, "-g", "g").out, run.out);
        assertEquals(0, run.code);
    }

    @Test
    void allInTextPrintsAHeaderPerGroupAndInterval() {
        rotatedG();
        r.set("multi:5s:last:x", "5");
        r.set("multi:1h:last:x", "60");

        Run run = Run.reader(at(BOUNDARY), config, "--all");

        assertEquals("[g 5m]\na:3\nb:1\nc:0\n"
                + "[multi 5s]\nx:5\n"
                + "[multi 1h]\nx:60\n"
                + "[w 1m]\n1st:0\na\"b:0\nc\\d:0\ncaf\u00e9:0\nx-y.z:0\n", run.out, run::toString);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void allWithBothKeepsTheSectionHeadersInsideEachBlock() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY), config, "--all", "--both");

        assertTrue(run.out.startsWith("[g 5m]\nLast:\na:3\nb:1\nc:0\nCurrent:\na:0\nb:0\nc:9\n[multi 5s]\nLast:\nx:0\n"),
                run::toString);
    }

    @Test
    void allCannotBeCombinedWithGroupOrInterval() {
        Run run = Run.reader(config, "--all", "-g", "g");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("--all reads every group and interval: it cannot be combined with -g or -i\n"
                + "Usage: ecl-reader "), run::toString);
        assertEquals("", run.out);
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        Run run = Run.reader(config, "-g", "g", "--format", "xml");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Invalid value for option '--format': expected one of [text, json, munin,"
                + " prometheus] (case-sensitive) but was 'xml'\n"), run::toString);
        assertEquals("", run.out);
    }

    // ---- json ----

    @Test
    void jsonPrintsOneObjectWithTimesCountsLateAndFlags() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 60_000), config, "-g", "g", "--format", "json");

        assertEquals("{\"group\":\"g\",\"interval\":\"5m\",\"interval_seconds\":300,\"section\":\"last\","
                + "\"last\":{\"start\":\"2023-11-14T22:10:00Z\",\"end\":\"2023-11-14T22:15:00Z\"},"
                + "\"current\":{\"start\":\"2023-11-14T22:15:00Z\",\"end\":\"2023-11-14T22:20:00Z\"},"
                + "\"counts\":{\"a\":3,\"b\":1,\"c\":0},\"late\":2,\"stale\":false,\"covers_several_intervals\":false}\n",
                run.out);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void jsonCurrentGivesTheCurrentCountsAndLate() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 60_000), config, "-g", "g", "--format", "json", "--current");

        assertTrue(run.out.endsWith(",\"section\":\"current\","
                + "\"last\":{\"start\":\"2023-11-14T22:10:00Z\",\"end\":\"2023-11-14T22:15:00Z\"},"
                + "\"current\":{\"start\":\"2023-11-14T22:15:00Z\",\"end\":\"2023-11-14T22:20:00Z\"},"
                + "\"counts\":{\"a\":0,\"b\":0,\"c\":9},\"late\":1,\"stale\":false,\"covers_several_intervals\":false}\n"),
                run::toString);
    }

    @Test
    void jsonBothNamesTheSectionsCountsAndLate() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 60_000), config, "-g", "g", "--format", "json", "--both");

        assertTrue(run.out.endsWith(",\"section\":\"both\","
                + "\"last\":{\"start\":\"2023-11-14T22:10:00Z\",\"end\":\"2023-11-14T22:15:00Z\"},"
                + "\"current\":{\"start\":\"2023-11-14T22:15:00Z\",\"end\":\"2023-11-14T22:20:00Z\"},"
                + "\"last_counts\":{\"a\":3,\"b\":1,\"c\":0},\"current_counts\":{\"a\":0,\"b\":0,\"c\":9},"
                + "\"last_late\":2,\"current_late\":1,\"stale\":false,\"covers_several_intervals\":false}\n"),
                run::toString);
    }

    @Test
    void jsonOfANeverRotatedIntervalHasNullTimesAndIsStale() {
        Run run = Run.reader(at(BOUNDARY), config, "-g", "multi", "-i", "1h", "--format", "json");

        assertEquals("{\"group\":\"multi\",\"interval\":\"1h\",\"interval_seconds\":3600,\"section\":\"last\","
                + "\"last\":{\"start\":null,\"end\":null},\"current\":{\"start\":null,\"end\":null},"
                + "\"counts\":{\"x\":0},\"late\":0,\"stale\":true,\"covers_several_intervals\":false}\n", run.out);
    }

    @Test
    void prometheusFlagsAStaleInterval() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 3_600_000), config, "-g", "g", "--format", "prometheus");

        assertTrue(run.out.contains("\necl_interval_stale{group=\"g\",interval=\"5m\"} 1\n"), run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void jsonShowsAStaleLastWithAPythonStartAndNoClaimAboutWhereItStarts() {
        r.set("g:5m:cur:@ts", "1700000100.25");
        r.set("g:5m:last:@ts", "1699999200");

        Run run = Run.reader(at(BOUNDARY + 3_600_000), config, "-g", "g", "--format", "json");

        // last:@ts was written by an ecl rotation before the Python master rotated: it is not where last starts.
        assertTrue(run.out.contains("\"last\":{\"start\":null,\"end\":\"2023-11-14T22:15:00.250Z\"}"),
                run::toString);
        assertTrue(run.out.endsWith("\"stale\":true,\"covers_several_intervals\":false}\n"), run::toString);
    }

    @Test
    void jsonEscapesEventIds() {
        Run run = Run.reader(at(BOUNDARY), config, "-g", "w", "--format", "json");

        assertTrue(run.out.contains(
                "\"counts\":{\"1st\":0,\"a\\\"b\":0,\"c\\\\d\":0,\"caf\u00e9\":0,\"x-y.z\":0}"), run::toString);
    }

    @Test
    void jsonStringEscapesQuotesBackslashesAndControlCharacters() {
        StringBuilder b = new StringBuilder();
        Formats.jsonString(b, "a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj\u2028k\u00e9\uD83D\uDE00/");

        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001fj\\u2028k\u00e9\uD83D\uDE00/\"", b.toString());
    }

    @Test
    void jsonAllPrintsAnArray() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 60_000), config, "--all", "--format", "json");

        String[] lines = run.out.split("\n", -1);
        assertEquals(7, lines.length, run::toString);
        assertEquals("[", lines[0]);
        assertTrue(lines[1].startsWith("{\"group\":\"g\",\"interval\":\"5m\",") && lines[1].endsWith("},"), lines[1]);
        assertTrue(lines[2].startsWith("{\"group\":\"multi\",\"interval\":\"5s\",\"interval_seconds\":5,")
                && lines[2].endsWith("},"), lines[2]);
        assertTrue(lines[3].startsWith("{\"group\":\"multi\",\"interval\":\"1h\",") && lines[3].endsWith("},"), lines[3]);
        assertTrue(lines[4].startsWith("{\"group\":\"w\",\"interval\":\"1m\",") && lines[4].endsWith("false}"), lines[4]);
        assertEquals("]", lines[5]);
        assertEquals("", lines[6]);
    }

    // ---- munin ----

    @Test
    void muninPrintsCleanedFieldValues() {
        r.set("w:1m:cur:@ts", "1700000100");
        r.set("w:1m:last:1st", "4");
        r.set("w:1m:last:x-y.z", "2");

        Run run = Run.reader(at(BOUNDARY + 1_000), config, "-g", "w", "--format", "munin");

        assertEquals("_1st.value 4\na_b_ec9898be.value 0\nc_d_eff6f9bb.value 0\ncaf__a858358a.value 0\nx_y_z_97edb7fb.value 2\n", run.out);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void muninCurrentPrintsTheCurrentCounts() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 1_000), config, "-g", "g", "--format", "munin", "--current");

        assertEquals("a.value 0\nb.value 0\nc.value 9\n", run.out);
    }

    @Test
    void muninPrintsUWhenLastIsStale() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 3_600_000), config, "-g", "g", "--format", "munin");

        assertEquals("a.value U\nb.value U\nc.value U\n", run.out);
        assertEquals(0, run.code);
    }

    @Test
    void muninFieldFollowsMuninsRules() {
        assertEquals("a_b", Formats.muninField("a_b"));
        assertEquals("_x9", Formats.muninField("_x9"));
        assertEquals("_404", Formats.muninField("404"));
        assertEquals("_1st", Formats.muninField("1st"));
        // anything else: cleaned, plus the cksum of the ID (as `printf %s ID | cksum` in the plugins)
        assertEquals("a_b_c__dba39c44", Formats.muninField("a.b-c\u00e9"));
        assertEquals("smile__88cacc33", Formats.muninField("smile\uD83D\uDE00"));
        assertEquals("_1_st_f097854d", Formats.muninField("1-st"));
        assertEquals("_ffffffff", Formats.muninField(""));
        assertEquals(0xe756bb13L, Formats.cksum("a-b".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void muninFieldsOfDifferentIdsDiffer() {
        assertEquals("a_b", Formats.muninField("a_b"));
        assertEquals("a_b_e756bb13", Formats.muninField("a-b"));
        assertEquals("a_b_e53f4e9a", Formats.muninField("a.b"));
        assertEquals("__137b440e", Formats.muninField("\u00fc"));
        assertEquals("__94173f68", Formats.muninField("\u00e9"));
        // an ID that already looks like another's field keeps clear of it
        assertEquals("_404", Formats.muninField("404"));
        assertEquals("_404_e1a85b38", Formats.muninField("_404"));
        // groups whose names clean alike get a multigraph each
        assertEquals("mu_x_5m_b792aab1", Formats.muninField("mu-x_5m"));
        assertEquals("mu_x_5m_9aeabd39", Formats.muninField("mu.x_5m"));
    }

    @Test
    void muninAllPrintsAMultigraphPerGroupAndInterval() {
        rotatedG();
        r.set("multi:5s:cur:@ts", "1700000100");
        r.set("multi:1h:cur:@ts", "1699999200");
        r.set("w:1m:cur:@ts", "1700000100");

        Run run = Run.reader(at(BOUNDARY + 1_000), config, "--all", "--format", "munin");

        assertEquals("multigraph ecl_g_5m\na.value 3\nb.value 1\nc.value 0\n"
                + "multigraph ecl_multi_5s\nx.value 0\n"
                + "multigraph ecl_multi_1h\nx.value 0\n"
                + "multigraph ecl_w_1m\n_1st.value 0\na_b_ec9898be.value 0\nc_d_eff6f9bb.value 0\ncaf__a858358a.value 0\nx_y_z_97edb7fb.value 0\n",
                run.out);
    }

    @Test
    void muninWithBothIsAUsageError() {
        Run run = Run.reader(config, "-g", "g", "--format", "munin", "--both");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("--format munin prints one section: --last or --current, not --both\n"),
                run::toString);
    }

    // ---- prometheus ----

    @Test
    void prometheusPrintsTheFiveFamilies() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 1_000), config, "-g", "g", "--format", "prometheus");

        assertEquals("# HELP ecl_events Events counted in the interval (the last complete one unless"
                + " section=\"current\").\n"
                + "# TYPE ecl_events gauge\n"
                + "ecl_events{group=\"g\",interval=\"5m\",event=\"a\"} 3\n"
                + "ecl_events{group=\"g\",interval=\"5m\",event=\"b\"} 1\n"
                + "ecl_events{group=\"g\",interval=\"5m\",event=\"c\"} 0\n"
                + "# HELP ecl_interval_start_seconds Start of the interval the counts cover, in Unix seconds.\n"
                + "# TYPE ecl_interval_start_seconds gauge\n"
                + "ecl_interval_start_seconds{group=\"g\",interval=\"5m\"} 1699999800\n"
                + "# HELP ecl_interval_stale 1 when the last complete interval is stale: no master or writer"
                + " rotated it at its boundary, so its counts are old.\n"
                + "# TYPE ecl_interval_stale gauge\n"
                + "ecl_interval_stale{group=\"g\",interval=\"5m\"} 0\n"
                + "# HELP ecl_interval_error 1 when the interval could not be read because a key of it holds"
                + " data ecl cannot read (ecl-reader names the key).\n"
                + "# TYPE ecl_interval_error gauge\n"
                + "ecl_interval_error{group=\"g\",interval=\"5m\"} 0\n"
                + "# HELP ecl_late_events Counts that reached Redis after their interval was closed, counted in"
                + " this one.\n"
                + "# TYPE ecl_late_events gauge\n"
                + "ecl_late_events{group=\"g\",interval=\"5m\"} 2\n"
                + "# HELP ecl_events_total Events counted since the totals were last reset (ecl-master"
                + " --reset-totals): only grows, across rotations and restarts; use rate() or increase().\n"
                + "# TYPE ecl_events_total counter\n"
                + "ecl_events_total{group=\"g\",event=\"a\"} 3\n"
                + "ecl_events_total{group=\"g\",event=\"b\"} 1\n"
                + "ecl_events_total{group=\"g\",event=\"c\"} 9\n", run.out);
        assertEquals("", run.err);
        assertEquals(0, run.code);
    }

    @Test
    void prometheusBothLabelsTheSection() {
        rotatedG();

        Run run = Run.reader(at(BOUNDARY + 1_000), config, "-g", "g", "--format", "prometheus", "--both");

        String body = run.out.replaceAll("(?m)^#.*\n", "");
        assertEquals("ecl_events{group=\"g\",interval=\"5m\",section=\"last\",event=\"a\"} 3\n"
                + "ecl_events{group=\"g\",interval=\"5m\",section=\"last\",event=\"b\"} 1\n"
                + "ecl_events{group=\"g\",interval=\"5m\",section=\"last\",event=\"c\"} 0\n"
                + "ecl_events{group=\"g\",interval=\"5m\",section=\"current\",event=\"a\"} 0\n"
                + "ecl_events{group=\"g\",interval=\"5m\",section=\"current\",event=\"b\"} 0\n"
                + "ecl_events{group=\"g\",interval=\"5m\",section=\"current\",event=\"c\"} 9\n"
                + "ecl_interval_start_seconds{group=\"g\",interval=\"5m\",section=\"last\"} 1699999800\n"
                + "ecl_interval_start_seconds{group=\"g\",interval=\"5m\",section=\"current\"} 1700000100\n"
                + "ecl_interval_stale{group=\"g\",interval=\"5m\"} 0\n"
                + "ecl_interval_error{group=\"g\",interval=\"5m\"} 0\n"
                + "ecl_late_events{group=\"g\",interval=\"5m\",section=\"last\"} 2\n"
                + "ecl_late_events{group=\"g\",interval=\"5m\",section=\"current\"} 1\n"
                + "ecl_events_total{group=\"g\",event=\"a\"} 3\n"
                + "ecl_events_total{group=\"g\",event=\"b\"} 1\n"
                + "ecl_events_total{group=\"g\",event=\"c\"} 9\n", body);
    }

    @Test
    void prometheusEscapesLabelValuesAndSkipsUnknownStarts() {
        r.set("w:1m:cur:@ts", "1700000100.5");

        Run run = Run.reader(at(BOUNDARY + 1_000), config, "-g", "w", "--format", "prometheus", "--current");

        String body = run.out.replaceAll("(?m)^#.*\n", "");
        assertEquals("ecl_events{group=\"w\",interval=\"1m\",event=\"1st\"} 0\n"
                + "ecl_events{group=\"w\",interval=\"1m\",event=\"a\\\"b\"} 0\n"
                + "ecl_events{group=\"w\",interval=\"1m\",event=\"c\\\\d\"} 0\n"
                + "ecl_events{group=\"w\",interval=\"1m\",event=\"caf\u00e9\"} 0\n"
                + "ecl_events{group=\"w\",interval=\"1m\",event=\"x-y.z\"} 0\n"
                + "ecl_interval_start_seconds{group=\"w\",interval=\"1m\"} 1700000100.5\n"
                + "ecl_interval_stale{group=\"w\",interval=\"1m\"} 0\n"
                + "ecl_interval_error{group=\"w\",interval=\"1m\"} 0\n"
                + "ecl_late_events{group=\"w\",interval=\"1m\"} 0\n"
                + "ecl_events_total{group=\"w\",event=\"1st\"} 0\n"
                + "ecl_events_total{group=\"w\",event=\"a\\\"b\"} 0\n"
                + "ecl_events_total{group=\"w\",event=\"c\\\\d\"} 0\n"
                + "ecl_events_total{group=\"w\",event=\"caf\u00e9\"} 0\n"
                + "ecl_events_total{group=\"w\",event=\"x-y.z\"} 0\n", body);

        Run last = Run.reader(at(BOUNDARY + 1_000), config, "-g", "w", "--format", "prometheus");
        assertTrue(last.out.contains("# TYPE ecl_interval_start_seconds gauge\n# HELP ecl_interval_stale"), last::toString);
    }

    @Test
    void prometheusLabelValueEscapesNewlines() {
        StringBuilder b = new StringBuilder();
        Formats.labelValue(b, "a\\b\"c\nd\te");

        assertEquals("\"a\\\\b\\\"c\\nd\te\"", b.toString());
    }

    @Test
    void prometheusAllGroupsEachFamilyOnce() {
        Run run = Run.reader(at(BOUNDARY), config, "--all", "--format", "prometheus");

        assertEquals(1, run.out.split("# TYPE ecl_events gauge", -1).length - 1);
        assertTrue(run.out.contains("ecl_events{group=\"multi\",interval=\"1h\",event=\"x\"} 0\n"
                + "ecl_events{group=\"w\",interval=\"1m\",event=\"1st\"} 0\n"), run::toString);
        assertTrue(run.out.contains("ecl_late_events{group=\"g\",interval=\"5m\"} 0\n"
                + "ecl_late_events{group=\"multi\",interval=\"5s\"} 0\n"
                + "ecl_late_events{group=\"multi\",interval=\"1h\"} 0\n"
                + "ecl_late_events{group=\"w\",interval=\"1m\"} 0\n"
                + "# HELP ecl_events_total "), run::toString);
        assertEquals(1, run.out.split("# TYPE ecl_events_total counter", -1).length - 1);
        assertTrue(run.out.contains("ecl_events_total{group=\"g\",event=\"c\"} 0\n"
                + "ecl_events_total{group=\"multi\",event=\"x\"} 0\n"
                + "ecl_events_total{group=\"w\",event=\"1st\"} 0\n"), run::toString);
    }

    // ---- where the config comes from ----

    private ReaderCommand with(Map<String, String> env, Path defaultPath) {
        ReaderCommand c = at(BOUNDARY);
        c.configLocation = new ConfigLocation(env, defaultPath);
        return c;
    }

    @Test
    void withoutConfigReadsTheFileEclConfigNames() {
        r.set("g:5m:last:a", "3");

        Run run = Run.reader(with(Map.of("ECL_CONFIG", config), dir.resolve("absent.yml")), "-g", "g");

        assertEquals("a:3\nb:0\nc:0\n", run.out, run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void withoutConfigOrEclConfigReadsTheDefaultPath() {
        r.set("g:5m:last:a", "3");

        Run run = Run.reader(with(Map.of(), Path.of(config)), "-g", "g");

        assertEquals("a:3\nb:0\nc:0\n", run.out, run::toString);
        assertEquals(0, run.code);
    }

    @Test
    void anEmptyEclConfigIsNotSet() {
        Run run = Run.reader(with(Map.of("ECL_CONFIG", ""), Path.of(config)), "-g", "g");

        assertEquals("a:0\nb:0\nc:0\n", run.out, run::toString);
    }

    @Test
    void theSystemDefaultPathIsEtcEclConfigYml() {
        assertEquals(Path.of("/etc/ecl/config.yml"), ConfigLocation.DEFAULT_CONFIG);
        assertEquals("ECL_CONFIG", ConfigLocation.CONFIG_ENV);
    }

    @Test
    void aMissingDefaultConfigIsAnErrorNamingThePath() {
        Path absent = dir.resolve("etc/ecl/config.yml");

        Run run = Run.reader(with(Map.of(), absent), "-g", "g");

        assertEquals("ERROR: " + absent + ": config file not found (the default: no CONFIG given and ECL_CONFIG"
                + " not set)\n", run.err);
        assertEquals("", run.out);
        assertEquals(1, run.code);
    }

    @Test
    void aMissingFileNamedByEclConfigIsAnErrorNamingThePath() {
        String absent = dir.resolve("gone.yml").toString();

        Run run = Run.reader(with(Map.of("ECL_CONFIG", absent), Path.of(config)), "-g", "g");

        assertEquals("ERROR: " + absent + ": config file not found (named by ECL_CONFIG)\n", run.err);
        assertEquals(1, run.code);
    }

    @Test
    void configArgumentAndDashCWinOverEclConfig() throws IOException {
        String other = write("other.yml", "redis: {host: 127.0.0.1, port: 1}\n" + GROUPS);
        r.set("g:5m:last:a", "3");

        assertEquals("a:3\nb:0\nc:0\n", Run.reader(with(Map.of("ECL_CONFIG", other), Path.of(other)),
                config, "-g", "g").out);
        assertEquals("a:3\nb:0\nc:0\n", Run.reader(with(Map.of("ECL_CONFIG", other), Path.of(other)),
                "-c", config, "-g", "g").out);
        assertEquals("a:3\nb:0\nc:0\n", Run.reader(with(Map.of(), Path.of(other)),
                "--config", config, "-g", "g").out);
    }

    @Test
    void configArgumentAndDashCTogetherAreAUsageError() {
        Run run = Run.reader(config, "-c", config, "-g", "g");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("CONFIG and -c/--config cannot both be given\nUsage: ecl-reader "), run::toString);
    }
}
