package io.ecl.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import io.ecl.testing.EmbeddedRedis;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/** The appender as an application configures it: five lines of logback.xml, counts in Redis. */
class EclAppenderTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;
    private Path config;

    @BeforeEach
    void writeConfig() throws IOException {
        redis.client().flushAll();
        config = dir.resolve("ecl.yml");
        Files.writeString(config, redis.yamlRedisSection() + "groups:\n"
                + "  app_log:\n    events: []\n    intervals: ['5m']\n    auto_declare_events: true\n");
    }

    /** A Logback context configured from XML, as an application's logback.xml would. */
    private LoggerContext logback(String appender) {
        LoggerContext context = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        String xml = "<configuration>\n" + appender
                + "  <root level=\"INFO\"><appender-ref ref=\"ECL\"/></root>\n</configuration>\n";
        try {
            joran.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (JoranException e) {
            throw new UncheckedIOException(new IOException(e));
        }
        return context;
    }

    private String appender(String group) {
        return "  <appender name=\"ECL\" class=\"io.ecl.logback.EclAppender\">\n"
                + "    <config>" + config + "</config>\n"
                + "    <group>" + group + "</group>\n"
                + "  </appender>\n";
    }

    @Test
    void warningsAndErrorsAreCountedPerLevelAndExceptionClass() {
        LoggerContext context = logback(appender("app_log"));
        Logger log = context.getLogger("com.example.Shop");
        log.info("not counted");
        log.warn("disk almost full");
        log.warn("slow answer");
        log.error("cannot save", new java.io.IOException("disk full"));
        log.error("bug", new IllegalStateException("oops"));
        context.getLogger("io.ecl.core.EventCountLogger").warn("the library's own line: not counted");
        context.stop(); // stops the appender: it pushes what it counted

        RedisClient r = redis.client();
        assertEquals("2", r.get("app_log:5m:cur:WARN"));
        assertEquals("2", r.get("app_log:5m:cur:ERROR"));
        assertEquals("1", r.get("app_log:5m:cur:java.io.IOException"));
        assertEquals("1", r.get("app_log:5m:cur:java.lang.IllegalStateException"));
        assertNull(r.get("app_log:5m:cur:INFO"));
    }

    @Test
    void aGroupTheConfigDoesNotHaveLeavesTheAppenderStoppedWithAnErrorAndTheAppRunning() {
        LoggerContext context = logback(appender("nope"));
        Logger log = context.getLogger("com.example.Shop");
        log.error("still logged, not counted");
        boolean reported = false;
        for (Status s : context.getStatusManager().getCopyOfStatusList()) {
            reported |= s.getLevel() == Status.ERROR
                    && s.getMessage().equals("ecl appender not started: Group 'nope' not found in configuration");
        }
        assertTrue(reported, context.getStatusManager().getCopyOfStatusList().toString());
        assertFalse(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ECL").isStarted());
        context.stop();
    }
}
