package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tools' common command lines do not load, run as {@code main} runs them: the machinery
 * whose set-up took most of a one-shot tool's start (picocli's model, SLF4J's and Logback's scans
 * of every jar, Logback's general initialisation, the JCA provider framework). A benchmark
 * measures the time; this pins down the work that is no longer done.
 */
class StartPathTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    /** The classes a run of {@code main} loads (as the JVM logs them), after asserting its exit code 0. */
    private Set<String> classesLoaded(Class<?> main, String... args) throws Exception {
        Path log = dir.resolve("classes.log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log + ":none",
                "-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("ECL_REDIS_URL");
        pb.environment().remove("ECL_CONFIG");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process did not exit");
        assertEquals(0, p.exitValue(), () -> main.getSimpleName() + ": " + read(out));
        Set<String> classes = new TreeSet<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int end = line.indexOf(' ');
            classes.add(end < 0 ? line : line.substring(0, end));
        }
        assertTrue(classes.contains(main.getName()), () -> classes.size() + " classes, not " + main.getName());
        return classes;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static void assertNoneLoaded(Set<String> classes, String... names) {
        for (String name : names) {
            assertTrue(!classes.contains(name), name + " was loaded");
        }
    }

    private static void assertNoLambdaOfOurs(Set<String> classes) {
        List<String> ours = new ArrayList<>();
        for (String c : classes) {
            if (c.startsWith("io.ecl.") && c.contains("$$Lambda")) {
                ours.add(c);
            }
        }
        assertEquals(List.of(), ours, "lambdas linked on the common path");
    }

    private String config() throws Exception {
        return Run.writeFile(dir, "ecl.yml", redis.yamlRedisSection()
                + "groups:\n  g:\n    events: [a, b]\n    intervals: ['5m']\n");
    }

    @Test
    void logEventOfOneEventSetsUpNeitherPicocliNorTheJarScansNorJca() throws Exception {
        Set<String> classes = classesLoaded(LogEventCommand.class, "-c", config(), "g", "a");

        assertEquals("1", redis.client().get("g:5m:cur:a"));
        assertNoneLoaded(classes,
                "picocli.CommandLine",                                  // the command line parsed by hand
                "java.util.ServiceLoader$LazyClassPathLookupIterator",  // SLF4J's and Logback's jar scans
                "ch.qos.logback.classic.util.ContextInitializer",       // Logback's general initialisation
                "sun.security.jca.ProviderList",                        // SHA-1 and UUID's SecureRandom
                "java.security.MessageDigest",
                "org.yaml.snakeyaml.resolver.Resolver");                // its regular expressions
        // One count over one plain connection (OneShotLog): no logger with its pool, flusher thread
        // and Jedis client, and nothing logged, so Logback's context is not even made.
        assertTrue(classes.contains("io.ecl.core.ops.OneShotLog"), "written with OneShotLog");
        assertNoLambdaOfOurs(classes);
        assertNoneLoaded(classes, "io.ecl.core.EventCountLogger",
                "org.apache.commons.pool2.impl.GenericObjectPool", "redis.clients.jedis.UnifiedJedis",
                "redis.clients.jedis.Connection", "ch.qos.logback.classic.LoggerContext");
    }

    @Test
    void readerOfOneGroupLoadsNeitherPicocliNorLogback() throws Exception {
        Set<String> classes = classesLoaded(ReaderCommand.class, config(), "-g", "g", "-i", "5m");

        assertNoneLoaded(classes, "picocli.CommandLine", "ch.qos.logback.classic.LoggerContext",
                "java.util.ServiceLoader$LazyClassPathLookupIterator", "sun.security.jca.ProviderList",
                // The config read without regular expressions but the scanner's one: SnakeYAML's
                // resolver compiled ten, the PyYAML checks and Interval's format eleven more.
                "org.yaml.snakeyaml.resolver.Resolver");
        // A standalone Redis without TLS is read over one plain socket: Jedis' client and its forty
        // command interfaces, its connection's set-up and its version read from its jar are not
        // linked at all.
        assertNoneLoaded(classes, "redis.clients.jedis.UnifiedJedis", "redis.clients.jedis.Connection",
                "redis.clients.jedis.JedisMetaInfo", "redis.clients.jedis.CommandArguments");
        // Linking a lambda costs a new JVM 0.1-0.2 ms each: the common path uses classes instead.
        assertNoLambdaOfOurs(classes);
        // Map.Entry.comparingByKey's serializable lambda: spun at run time, no archive can hold it.
        assertTrue(classes.stream().noneMatch(c -> c.startsWith("java.util.Map$Entry$$Lambda")), "comparingByKey");
        // A terminal library (for a full-screen view) has no business on the path of cron and Munin.
        assertTrue(classes.stream().noneMatch(c -> c.startsWith("org.jline.") || c.startsWith("com.googlecode.lanterna.")),
                "a terminal library");
    }
}
