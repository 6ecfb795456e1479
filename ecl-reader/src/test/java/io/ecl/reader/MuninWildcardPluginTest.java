package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wildcard plugin munin/ecl_, linked as ecl_&lt;group&gt;_&lt;interval&gt; and run as Munin runs it
 * (sh, environment from plugin-conf.d), against our reader as a real process and a real Redis;
 * and, when munin-node is installed, by the real munin-run and munin-node-configure.
 */
class MuninWildcardPluginTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    private static final Path MUNIN = Path.of(System.getProperty("user.dir")).resolve("../munin").normalize();

    private static final String CONFIG_HEADER = "graph_title ecl: http_status per 5m\ngraph_category ecl\n"
            + "graph_vlabel events per 5m\ngraph_period minute\ngraph_args --base 1000 -l 0\n"
            + "graph_info Events of the ecl group http_status counted in each complete 5m interval"
            + " (read from Redis by ecl-reader). U: the interval is stale, ecl-master is not rotating it.\n";

    private Path reader;
    private Path config;
    private Path lib;
    private Path plugins;
    private Path state;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void setUp() throws Exception {
        reader = dir.resolve("ecl-reader");
        Files.writeString(reader, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' io.ecl.reader.ReaderCommand \"$@\"\n");
        Files.setPosixFilePermissions(reader, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = dir.resolve("ecl.yml");
        writeConfig(config, redis.yamlRedisSection());
        // A copy, so that every link stays inside the temporary directory JUnit deletes.
        lib = Files.createDirectories(dir.resolve("lib"));
        Files.copy(MUNIN.resolve("ecl_"), lib.resolve("ecl_"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        plugins = Files.createDirectories(dir.resolve("plugins"));
        state = Files.createDirectories(dir.resolve("state"));
        for (String name : List.of("ecl_http_status_5m", "ecl_req_5m", "ecl_web_5m")) {
            Files.createSymbolicLink(plugins.resolve(name), lib.resolve("ecl_"));
        }
    }

    private static void writeConfig(Path file, String redisSection) throws Exception {
        Files.writeString(file, redisSection + "groups:\n"
                + "  req:\n    events: [b, a]\n    intervals: ['5m']\n"
                + "  http_status:\n    events: []\n    intervals: ['5s', '5m']\n    auto_declare_events: true\n");
    }

    /** Runs {@code sh <plugin> args} with the environment plugin-conf.d would give it. */
    private Result run(Path plugin, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", plugin.toString());
        pb.command().addAll(List.of(args));
        pb.environment().put("config", config.toString());
        pb.environment().put("reader", reader.toString());
        pb.environment().put("MUNIN_PLUGSTATE", state.toString());
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("ECL_CONFIG");
        pb.environment().putAll(env);
        return exec(pb);
    }

    private Result exec(ProcessBuilder pb) throws Exception {
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the plugin did not finish");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private String plugin(String name, String... args) throws Exception {
        Result r = run(plugins.resolve(name), Map.of(), args);
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    /** The master rotated on time: cur:@ts is the start of the running interval. */
    private static void rotatedNow(String group, String interval, long seconds) {
        long now = System.currentTimeMillis() / 1000;
        redis.client().set(group + ":" + interval + ":cur:@ts", Long.toString(now - now % seconds));
    }

    private static void lastHas(String group, String event, long count) {
        redis.client().set(group + ":5m:last:" + event, Long.toString(count));
        redis.client().sadd(group + ":5m:last:@reg", event);
    }

    @Test
    void fetchSplitsTheNameAtTheLastUnderscoreAndCleansFieldNames() throws Exception {
        rotatedNow("http_status", "5m", 300);
        lastHas("http_status", "200", 5);
        lastHas("http_status", "GET /a?b", 3);
        lastHas("http_status", "h\u00e9llo", 1);
        redis.client().set("http_status:5s:last:404", "99"); // another interval of the group: not read
        redis.client().sadd("http_status:5s:last:@reg", "404");
        assertEquals("_200.value 5\nGET__a_b_71ffe381.value 3\nh_llo_b2d199f1.value 1\n", plugin("ecl_http_status_5m"));
        assertEquals("_200.value 5\nGET__a_b_71ffe381.value 3\nh_llo_b2d199f1.value 1\n", plugin("ecl_http_status_5m", "fetch"));
    }

    /** web:5m's last interval with req 4 and the values 10, 20, 30, 40 (recorded by the library), in a config of its own. */
    private Path webWithValues() throws Exception {
        Path config = dir.resolve("web.yml");
        Files.writeString(config, redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [req]\n    values: [latency_ms]\n    intervals: ['5m']\n    sync_interval: 1\n");
        long now = System.currentTimeMillis();
        long open = now - now % 300_000;
        redis.client().set("web:5m:cur:@ts", Long.toString(open / 1000 - 300));
        try (io.ecl.core.EventCountLogger ecl = io.ecl.core.EventCountLogger.builder(io.ecl.core.EclConfig.load(config))
                .clock(java.time.Clock.fixed(java.time.Instant.ofEpochMilli(open - 1_000), java.time.ZoneOffset.UTC))
                .withoutShutdownHook().withoutHeartbeat().build()) {
            io.ecl.core.EventGroup web = ecl.group("web");
            web.log("req", 4);
            for (int ms : new int[] {10, 20, 30, 40}) {
                web.logValue("latency_ms", ms);
            }
        }
        try (io.ecl.core.ops.Rotator master = io.ecl.core.ops.Rotator.connect(io.ecl.core.EclConfig.load(config).redis())) {
            io.ecl.core.GroupConfig g = io.ecl.core.EclConfig.load(config).group("web");
            master.rotate(g, g.interval("5m"), open);
        }
        return config;
    }

    @Test
    void eachValueStatisticsGetsAGraphOfItsOwnBesideTheEvents() throws Exception {
        Map<String, String> env = Map.of("config", webWithValues().toString());
        Result fetched = run(plugins.resolve("ecl_web_5m"), env);
        assertEquals(0, fetched.exit(), fetched.err());
        String fetch = fetched.out();
        assertTrue(fetch.startsWith("multigraph ecl_web_5m\nreq.value 4\nmultigraph ecl_web_5m_latency_ms\nmean.value 25\n"),
                fetch);
        // Lower rank: p50 is the 2nd of 4 values (20), p99 the 3rd (30), each within 1 %.
        assertTrue(fetch.matches("(?s).*\\np50\\.value (19\\.\\d+|20(\\.\\d+)?)\\np99\\.value (29\\.\\d+|30(\\.\\d+)?)\\n"), fetch);
        String config = run(plugins.resolve("ecl_web_5m"), env, "config").out();
        assertTrue(config.contains("multigraph ecl_web_5m_latency_ms\ngraph_title ecl: web latency_ms per 5m\n"), config);
        assertTrue(config.contains("mean.label mean\np50.label p50\np99.label p99\n"), config);
        assertTrue(!config.contains("latency_ms.count"), "the statistics are not events of the group's graph: " + config);
    }

    @Test
    void fetchOfAGroupWithDeclaredEventsPrintsEveryDeclaredEvent() throws Exception {
        rotatedNow("req", "5m", 300);
        redis.client().set("req:5m:last:a", "7");
        assertEquals("a.value 7\nb.value 0\n", plugin("ecl_req_5m"));
    }

    @Test
    void configPrintsTheGraphAndOneLabelPerEventWithTheOriginalId() throws Exception {
        rotatedNow("http_status", "5m", 300);
        lastHas("http_status", "200", 5);
        lastHas("http_status", "GET /a?b", 3);
        assertEquals(CONFIG_HEADER + "_200.label 200\n_200.min 0\nGET__a_b_71ffe381.label GET /a?b\nGET__a_b_71ffe381.min 0\n",
                plugin("ecl_http_status_5m", "config"));
    }

    @Test
    void knownEventsAreRememberedSoDataSourcesOnlyGrow() throws Exception {
        rotatedNow("http_status", "5m", 300);
        lastHas("http_status", "200", 5);
        lastHas("http_status", "GET /a?b", 3);
        assertEquals("_200.value 5\nGET__a_b_71ffe381.value 3\n", plugin("ecl_http_status_5m"));
        assertEquals("200\nGET /a?b\n", Files.readString(state.resolve("ecl_http_status_5m.events")));

        // The next interval has no 200 but a 500: the 200 stays, with 0.
        redis.client().del("http_status:5m:last:200", "http_status:5m:last:@reg");
        lastHas("http_status", "GET /a?b", 4);
        lastHas("http_status", "500", 1);
        assertEquals("_200.value 0\n_500.value 1\nGET__a_b_71ffe381.value 4\n", plugin("ecl_http_status_5m"));
        assertEquals(CONFIG_HEADER + "_200.label 200\n_200.min 0\n_500.label 500\n_500.min 0\n"
                + "GET__a_b_71ffe381.label GET /a?b\nGET__a_b_71ffe381.min 0\n", plugin("ecl_http_status_5m", "config"));
        assertEquals("200\n500\nGET /a?b\n", Files.readString(state.resolve("ecl_http_status_5m.events")));
    }

    @Test
    void idsWhoseCleanedNamesCollideGetAFieldEach() throws Exception {
        rotatedNow("http_status", "5m", 300);
        lastHas("http_status", "a/b", 2);
        lastHas("http_status", "a.b", 3);
        lastHas("http_status", "a_b", 4);
        lastHas("http_status", "\u00fc", 5);
        lastHas("http_status", "\u00e9", 6);
        lastHas("http_status", "_404", 7);
        lastHas("http_status", "404", 8);
        String fetch = plugin("ecl_http_status_5m");

        // in the byte order of the IDs (LC_ALL=C sort): 404 _404 a.b a/b a_b \u00e9 \u00fc
        assertEquals("_404.value 8\n_404_e1a85b38.value 7\na_b_e53f4e9a.value 3\na_b_e4e7e21d.value 2\na_b.value 4\n"
                + "__94173f68.value 6\n__137b440e.value 5\n", fetch);
        assertEquals(CONFIG_HEADER + "_404.label 404\n_404.min 0\n_404_e1a85b38.label _404\n_404_e1a85b38.min 0\n"
                + "a_b_e53f4e9a.label a.b\na_b_e53f4e9a.min 0\na_b_e4e7e21d.label a/b\na_b_e4e7e21d.min 0\n"
                + "a_b.label a_b\na_b.min 0\n__94173f68.label \u00e9\n__94173f68.min 0\n"
                + "__137b440e.label \u00fc\n__137b440e.min 0\n", plugin("ecl_http_status_5m", "config"));
        // the same names as ecl-reader --format munin
        for (String id : new String[] {"404", "_404", "a.b", "a/b", "a_b", "\u00fc", "\u00e9"}) {
            assertTrue(fetch.contains(Formats.muninField(id) + ".value "), id);
        }
    }

    @Test
    void staleLastIntervalPrintsUForEveryField() throws Exception {
        rotatedNow("http_status", "5m", 300);
        lastHas("http_status", "200", 5);
        assertEquals("_200.value 5\n", plugin("ecl_http_status_5m"));

        // The master is down: the current interval started long ago and was never rotated.
        redis.client().set("http_status:5m:cur:@ts", "1000000200");
        redis.client().del("http_status:5m:last:200", "http_status:5m:last:@reg");
        lastHas("http_status", "GET /a?b", 3);
        assertEquals("_200.value U\nGET__a_b_71ffe381.value U\n", plugin("ecl_http_status_5m"));
        // config does not depend on staleness.
        assertEquals(CONFIG_HEADER + "_200.label 200\n_200.min 0\nGET__a_b_71ffe381.label GET /a?b\nGET__a_b_71ffe381.min 0\n",
                plugin("ecl_http_status_5m", "config"));
    }

    @Test
    void neverRotatedIntervalPrintsU() throws Exception {
        redis.client().set("req:5m:last:a", "7");
        assertEquals("a.value U\nb.value U\n", plugin("ecl_req_5m"));
    }

    @Test
    void unreachableRedisPrintsUForKnownEventsAndFails() throws Exception {
        Files.writeString(state.resolve("ecl_http_status_5m.events"), "200\nGET /a?b\n");
        Path down = dir.resolve("down.yml");
        writeConfig(down, "redis:\n  host: 127.0.0.1\n  port: 1\n");
        Result r = run(plugins.resolve("ecl_http_status_5m"), Map.of("config", down.toString()));
        assertEquals(1, r.exit());
        assertEquals("_200.value U\nGET__a_b_71ffe381.value U\n", r.out());
        assertTrue(r.err().startsWith("ecl_http_status_5m: ERROR: cannot connect to Redis"), r.err());
        // config still describes the known fields, so the graph keeps them.
        r = run(plugins.resolve("ecl_http_status_5m"), Map.of("config", down.toString()), "config");
        assertEquals(0, r.exit());
        assertEquals(CONFIG_HEADER + "_200.label 200\n_200.min 0\nGET__a_b_71ffe381.label GET /a?b\nGET__a_b_71ffe381.min 0\n", r.out());
        assertEquals("200\nGET /a?b\n", Files.readString(state.resolve("ecl_http_status_5m.events")));
    }

    @Test
    void suggestPrintsEveryGroupAndInterval() throws Exception {
        assertEquals("req_5m\nhttp_status_5s\nhttp_status_5m\n", plugin("ecl_http_status_5m", "suggest"));
        assertEquals("req_5m\nhttp_status_5s\nhttp_status_5m\n", run(lib.resolve("ecl_"), Map.of(), "suggest").out());
    }

    @Test
    void configFallsBackToEclConfigVariable() throws Exception {
        Result r = run(lib.resolve("ecl_"), Map.of("config", "", "ECL_CONFIG", config.toString()), "suggest");
        assertEquals("req_5m\nhttp_status_5s\nhttp_status_5m\n", r.out());
    }

    @Test
    void aBrokenKeyInOneGroupFailsOnlyThatGroupsPlugin() throws Exception {
        redis.client().lpush("http_status:5s:cur:@reg", "junk");

        assertEquals(new Result(0, "yes\n", ""), run(lib.resolve("ecl_"), Map.of(), "autoconf"));
        assertEquals("req_5m\nhttp_status_5s\nhttp_status_5m\n", plugin("ecl_req_5m", "suggest"));
        rotatedNow("req", "5m", 300);
        lastHas("req", "a", 2);
        assertEquals("a.value 2\nb.value 0\n", plugin("ecl_req_5m"));
    }

    @Test
    void autoconfSaysYesOrNoWithTheReasonAndExitsZero() throws Exception {
        Path plugin = lib.resolve("ecl_");
        assertEquals(new Result(0, "yes\n", ""), run(plugin, Map.of(), "autoconf"));
        Path missing = dir.resolve("missing.yml");
        assertEquals(new Result(0, "no (config " + missing + " not readable)\n", ""),
                run(plugin, Map.of("config", missing.toString()), "autoconf"));
        assertEquals(new Result(0, "no (/nonexistent/ecl-reader not found)\n", ""),
                run(plugin, Map.of("reader", "/nonexistent/ecl-reader"), "autoconf"));
        Path down = dir.resolve("down.yml");
        writeConfig(down, "redis:\n  host: 127.0.0.1\n  port: 1\n");
        Result r = run(plugin, Map.of("config", down.toString()), "autoconf");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("no (" + reader + " failed: ERROR: cannot connect to Redis"), r.out());
        Path empty = dir.resolve("empty.yml");
        Files.writeString(empty, redis.yamlRedisSection() + "groups: {}\n");
        assertEquals(new Result(0, "no (no event groups in " + empty + ")\n", ""),
                run(plugin, Map.of("config", empty.toString()), "autoconf"));
        r = run(plugin, Map.of("TMPDIR", dir.resolve("missing-dir").toString()), "autoconf");
        assertEquals(0, r.exit());
        assertEquals("no (cannot create a temporary directory)\n", r.out());
    }

    @Test
    void runWithoutGroupAndIntervalInTheNameIsAnError() throws Exception {
        Result r = run(lib.resolve("ecl_"), Map.of());
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("link this plugin as ecl_<group>_<interval>"), r.err());
    }

    @Test
    void hasTheMagicMarkersAndNoBashisms() throws Exception {
        String text = Files.readString(MUNIN.resolve("ecl_"));
        assertTrue(text.startsWith("#!/bin/sh\n"));
        assertTrue(text.contains("\n  #%# family=auto\n"));
        assertTrue(text.contains("\n  #%# capabilities=autoconf suggest multigraph\n"));
        assertTrue(Files.isExecutable(MUNIN.resolve("ecl_")), "munin/ecl_ must be executable");
        if (new File("/usr/bin/dash").canExecute() || new File("/bin/dash").canExecute()) {
            ProcessBuilder pb = new ProcessBuilder("dash", "-n", MUNIN.resolve("ecl_").toString());
            assertEquals(new Result(0, "", ""), exec(pb));
        }
    }

    // ---- the real Munin ----

    private static boolean installed(String command) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
            if (new File(d, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static void assumeInstalled(String command) {
        if (!installed(command)) {
            String message = "SKIPPED: " + command + " is not installed (apt-get install munin-node to run this test)";
            System.out.println(message);
            Assumptions.assumeTrue(false, message);
        }
    }

    private Path pluginConf() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("plugin-conf.d"));
        Files.writeString(conf.resolve("ecl"), "[ecl_*]\nuser " + System.getProperty("user.name") + "\n"
                + "env.config " + config + "\nenv.reader " + reader + "\nenv.MUNIN_PLUGSTATE " + state + "\n");
        return conf;
    }

    private ProcessBuilder munin(String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("LC_ALL", "C");
        return pb;
    }

    @Test
    void realMuninRunWithPluginConfD() throws Exception {
        assumeInstalled("munin-run");
        Path conf = pluginConf();
        rotatedNow("http_status", "5m", 300);
        lastHas("http_status", "200", 5);
        lastHas("http_status", "GET /a?b", 3);
        Result r = exec(munin("munin-run", "--servicedir", plugins.toString(), "--sconfdir", conf.toString(),
                "ecl_http_status_5m", "config"));
        assertEquals(CONFIG_HEADER + "_200.label 200\n_200.min 0\nGET__a_b_71ffe381.label GET /a?b\nGET__a_b_71ffe381.min 0\n",
                r.out(), r.err());
        r = exec(munin("munin-run", "--servicedir", plugins.toString(), "--sconfdir", conf.toString(),
                "ecl_http_status_5m"));
        assertEquals("_200.value 5\nGET__a_b_71ffe381.value 3\n", r.out(), r.err());
        assertEquals("200\nGET /a?b\n", Files.readString(state.resolve("ecl_http_status_5m.events")));

        redis.client().set("http_status:5m:cur:@ts", "1000000200");
        r = exec(munin("munin-run", "--servicedir", plugins.toString(), "--sconfdir", conf.toString(),
                "ecl_http_status_5m"));
        assertEquals("_200.value U\nGET__a_b_71ffe381.value U\n", r.out(), r.err());
    }

    @Test
    void realMuninNodeConfigureSuggestsOneLinkPerGroupAndInterval() throws Exception {
        assumeInstalled("munin-node-configure");
        Path conf = pluginConf();
        Path empty = Files.createDirectories(dir.resolve("empty-plugins"));
        Result r = exec(munin("munin-node-configure", "--libdir", lib.toString(), "--servicedir", empty.toString(),
                "--sconfdir", conf.toString(), "--suggest", "--shell"));
        assertEquals("ln -s '" + lib.resolve("ecl_") + "' '" + empty.resolve("ecl_http_status_5m") + "'\n"
                + "ln -s '" + lib.resolve("ecl_") + "' '" + empty.resolve("ecl_http_status_5s") + "'\n"
                + "ln -s '" + lib.resolve("ecl_") + "' '" + empty.resolve("ecl_req_5m") + "'\n", r.out(), r.err());
    }
}
