package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Munin plugins in munin/ run as Munin runs them (sh, environment from plugin-conf.d),
 * against our reader as a real process and a real Redis.
 */
class MuninPluginTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    private static final Path MUNIN = Path.of(System.getProperty("user.dir")).resolve("../munin").normalize();

    private String plugin(String name, String... args) throws Exception {
        Path reader = dir.resolve("ecl-reader");
        Files.writeString(reader, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' io.ecl.reader.ReaderCommand \"$@\"\n");
        Files.setPosixFilePermissions(reader, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = dir.resolve("ecl.yml");
        Files.writeString(config, redis.yamlRedisSection() + "groups:\n"
                + "  req:\n    events: [b, a]\n    intervals: ['5m']\n"
                + "  http:\n    events: []\n    intervals: ['5s', '5m']\n    auto_declare_events: true\n");
        ProcessBuilder pb = new ProcessBuilder("sh", MUNIN.resolve(name).toString());
        pb.command().addAll(java.util.List.of(args));
        pb.environment().put("config", config.toString());
        pb.environment().put("reader", reader.toString());
        pb.environment().put("MUNIN_PLUGSTATE", dir.toString());
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("group", name.equals("ecl_fixed") ? "req" : "http");
        pb.environment().put("interval", "5m");
        Path out = dir.resolve("out");
        Process p = pb.redirectOutput(out.toFile()).redirectErrorStream(false).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void fixedPluginPrintsOneValuePerDeclaredEvent() throws Exception {
        redis.client().set("req:5m:last:a", "7");
        assertEquals("a.value 7\nb.value 0\n", plugin("ecl_fixed"));
        assertEquals("graph_title ecl: req per 5m\ngraph_category ecl\ngraph_vlabel events per interval\n"
                + "graph_period minute\ngraph_args --base 1000 -l 0\n"
                + "a.label a\na.min 0\nb.label b\nb.min 0\n", plugin("ecl_fixed", "config"));
    }

    @Test
    void fixedAndDynamicPluginsGiveIdsThatCleanAlikeAFieldEach() throws Exception {
        for (String id : new String[] {"a-b", "a.b", "a_b", "\u00fc", "\u00e9"}) {
            redis.client().set("http:5m:last:" + id, "1");
            redis.client().sadd("http:5m:last:@reg", id);
        }
        String expected = "a_b_e756bb13.value 1\na_b_e53f4e9a.value 1\na_b.value 1\n__94173f68.value 1\n"
                + "__137b440e.value 1\n";
        assertEquals(expected, plugin("ecl_dynamic"));
        assertTrue(plugin("ecl_dynamic", "config").endsWith("a_b_e756bb13.label a-b\na_b_e756bb13.min 0\n"
                + "a_b_e53f4e9a.label a.b\na_b_e53f4e9a.min 0\na_b.label a_b\na_b.min 0\n"
                + "__94173f68.label \u00e9\n__94173f68.min 0\n__137b440e.label \u00fc\n__137b440e.min 0\n"));
    }

    @Test
    void dynamicPluginCleansNamesAndRemembersEventsSeen() throws Exception {
        redis.client().set("http:5m:last:200", "5");
        redis.client().set("http:5m:last:GET /a?b", "3");
        redis.client().sadd("http:5m:last:@reg", "200", "GET /a?b");
        assertEquals("_200.value 5\nGET__a_b_71ffe381.value 3\n", plugin("ecl_dynamic"));

        // The next interval has no 200: Munin keeps the data source, with 0.
        redis.client().del("http:5m:last:200");
        redis.client().srem("http:5m:last:@reg", "200");
        assertEquals("_200.value 0\nGET__a_b_71ffe381.value 3\n", plugin("ecl_dynamic"));
        assertEquals("graph_title ecl: http per 5m\ngraph_category ecl\ngraph_vlabel events per interval\n"
                + "graph_period minute\ngraph_args --base 1000 -l 0\n"
                + "_200.label 200\n_200.min 0\nGET__a_b_71ffe381.label GET /a?b\nGET__a_b_71ffe381.min 0\n", plugin("ecl_dynamic", "config"));
    }

    @Test
    void dynamicPluginGainsNoFieldForAnEventLoggedOnlyInTheCurrentInterval() throws Exception {
        redis.client().set("http:5m:last:200", "5");
        redis.client().sadd("http:5m:last:@reg", "200");
        redis.client().set("http:5m:cur:404", "1");
        redis.client().sadd("http:5m:cur:@reg", "404");

        assertEquals("_200.value 5\n", plugin("ecl_dynamic"));
    }
}
