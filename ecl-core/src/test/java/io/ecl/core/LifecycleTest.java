package io.ecl.core;

import static io.ecl.core.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import io.ecl.core.internal.RedisEventGroup;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** What happens around close(): refused counts, the shutdown hook, loggers dropped without close(). */
class LifecycleTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = String.join("\n",
            "  direct:",
            "    events: [a]",
            "    intervals: ['5s', '1m']",
            "  local:",
            "    events: [a]",
            "    intervals: ['5s']",
            "    sync_interval: 1",
            "");

    private final SteppedClock clock = new SteppedClock(T0 + 1_000);
    private EclConfig config;

    @BeforeEach
    void start() {
        config = Fixtures.config(redis, GROUPS);
    }

    private static RedisClient r() {
        return redis.client();
    }

    @Test
    void aLogAfterCloseIsRefusedWithOneWarningAndCounted() {
        EventCountLogger ecl = Fixtures.logger(config, clock);
        EventGroup local = ecl.group("local");
        EventGroup direct = ecl.group("direct");
        local.log("a");
        direct.log("a");
        ecl.close();
        try (LogCapture log = new LogCapture()) {
            local.log("a", 2);
            local.log("a", 3);
            direct.log("a", 4);
            assertEquals(List.of("log() after close(): 2 count(s) of event 'a' in group 'local' refused; every count"
                    + " logged after close() is refused and counted by refusedCount()"), log.messages(Level.WARN));
        }
        assertEquals(9, ecl.refusedCount());
        assertEquals("1", r().get("local:5s:cur:a"));
        assertEquals("1", r().get("direct:5s:cur:a"));
        assertEquals(0, ecl.pendingCount());
    }

    @Test
    void countsAddedWhileCloseDeliversAreReportedNotLostSilently() {
        EventCountLogger ecl = Fixtures.logger(config, clock);
        EventGroup local = ecl.group("local");
        local.log("a", 5);
        RedisEventGroup g = (RedisEventGroup) local;
        // A thread that passed log()'s check just before close() adds after close's last drain.
        Fixtures.hooks(ecl).afterExec = () -> {
            Fixtures.hooks(ecl).afterExec = null;
            g.counterOf("a").slots[g.currentSlot()].add(4);
        };
        try (LogCapture log = new LogCapture()) {
            ecl.close();
            assertEquals(List.of("closing: 4 counts logged while the logger was closing were not delivered"),
                    log.messages(Level.WARN));
        }
        assertEquals("5", r().get("local:5s:cur:a"));
        assertEquals(4, ecl.refusedCount());
    }

    @Test
    void theShutdownHookReportsCountsRefusedAfterClose() {
        EventCountLogger ecl = EventCountLogger.builder(config).clock(clock).build();
        Thread hook = ecl.shutdownHookThread();
        Runtime.getRuntime().removeShutdownHook(hook); // run here, not at the end of the test JVM
        EventGroup local = ecl.group("local");
        local.log("a");
        ecl.close();
        local.log("a", 7);
        try (LogCapture log = new LogCapture()) {
            hook.run();
            assertEquals(List.of("JVM exit: 7 counts logged after the logger for test.yml was closed were refused and"
                    + " not counted (threads still logging after this line lose their counts with the process)"),
                    log.messages(Level.WARN));
        }
        assertEquals("1", r().get("local:5s:cur:a"));
    }

    @Test
    void theShutdownHookClosesALoggerStillOpenAndDeliversItsCounts() {
        EventCountLogger ecl = EventCountLogger.builder(config).clock(clock).build();
        Thread hook = ecl.shutdownHookThread();
        Runtime.getRuntime().removeShutdownHook(hook);
        ecl.group("local").log("a", 3);
        hook.run();
        assertEquals("3", r().get("local:5s:cur:a"));
        ecl.group("local").log("a");
        assertEquals(1, ecl.refusedCount());
    }

    /**
     * An application server redeploying a web application 20 times, each copy with its own copy of
     * the library (and of Jedis and commons-pool) in its class loader, creating a logger with the
     * default shutdown hook, logging, and dropping it without close(): every class loader can be
     * collected.
     */
    @Test
    void loggersDroppedWithoutCloseLetTheirClassLoadersBeCollected() throws Exception {
        List<WeakReference<ClassLoader>> deployed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            deployed.add(deployLogAndDrop());
        }
        long logged = Long.parseLong(r().get("webapp:1d:cur:a"))
                + Long.parseLong(java.util.Objects.requireNonNullElse(r().get("webapp:1d:last:a"), "0"));
        assertEquals(20, logged, "each copy logged in direct mode");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            System.gc();
            long alive = deployed.stream().filter(w -> w.get() != null).count();
            if (alive == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                fail(alive + " of 20 class loaders still reachable after 30 s of System.gc()");
            }
            Thread.sleep(100);
        }
    }

    private WeakReference<ClassLoader> deployLogAndDrop() throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        WebAppLoader webapp = new WebAppLoader(libraryJars(), getClass().getClassLoader());
        Thread.currentThread().setContextClassLoader(webapp); // as an application server does
        try {
            Class<?> configClass = webapp.loadClass(EclConfig.class.getName());
            Object cfg = configClass.getMethod("parse", String.class, String.class)
                    .invoke(null, redis.yamlRedisSection() + "groups:\n  webapp:\n    events: [a]\n    intervals: ['1d']\n",
                            "webapp.yml");
            Class<?> loggerClass = webapp.loadClass(EventCountLogger.class.getName());
            if (loggerClass == EventCountLogger.class) {
                throw new AssertionError("the library was not loaded by the web application's loader");
            }
            Object logger = loggerClass.getMethod("create", configClass).invoke(null, cfg);
            Object group = loggerClass.getMethod("group", String.class).invoke(logger, "webapp");
            webapp.loadClass(EventGroup.class.getName()).getMethod("log", String.class).invoke(group, "a");
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        return new WeakReference<>(webapp);
    }

    /** Where the library and the libraries it brings along come from (classes directory or jar). */
    private static URL[] libraryJars() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String c : new String[] {"io.ecl.core.EventCountLogger", "redis.clients.jedis.UnifiedJedis",
                "org.apache.commons.pool2.impl.GenericObjectPool", "org.yaml.snakeyaml.Yaml",
                "com.google.gson.Gson", "org.json.JSONObject"}) {
            URL u = Class.forName(c).getProtectionDomain().getCodeSource().getLocation();
            if (!urls.contains(u)) {
                urls.add(u);
            }
        }
        return urls.toArray(new URL[0]);
    }

    /** Child-first, as a servlet container's web application loader; SLF4J and its backend come from the server. */
    private static final class WebAppLoader extends URLClassLoader {
        WebAppLoader(URL[] urls, ClassLoader server) {
            super("webapp", urls, server);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.")
                    || name.startsWith("org.slf4j.") || name.startsWith("ch.qos.logback.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        return super.loadClass(name, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
