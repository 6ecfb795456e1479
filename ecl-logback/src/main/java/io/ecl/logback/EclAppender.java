package io.ecl.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.core.GroupConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Counts an application's log events of a level and above (WARN by default) with ecl: per level
 * ({@code WARN}, {@code ERROR}) and per exception class of the events that carry one
 * ({@code java.io.IOException}), in a group of the application's ecl config, so that
 * {@code ecl-reader} and Munin or Prometheus show errors per interval across every process.
 *
 * <pre>{@code
 * <appender name="ECL" class="io.ecl.logback.EclAppender">
 *   <config>/etc/ecl/config.yml</config>
 *   <group>app_log</group>
 * </appender>
 * <root level="INFO"><appender-ref ref="ECL"/></root>
 * }</pre>
 *
 * The group should have {@code auto_declare_events: true} (exception classes are not known in
 * advance); it gets local counters (every second, unless its {@code sync_interval} says
 * otherwise), so that {@code append} is a lock-free add and never waits for Redis. The library's
 * own log events ({@code io.ecl.*}) are not counted, which keeps a Redis outage from feeding on
 * itself. A config that cannot be read leaves the appender stopped with an error in Logback's
 * status (shown with {@code <configuration debug="true">}); the application runs on.
 */
public class EclAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static final Duration DEFAULT_SYNC = Duration.ofSeconds(1);

    private String config;
    private String group;
    private Level threshold = Level.WARN;
    private EventCountLogger logger;
    private EventGroup events;

    /** The ecl config file; default: {@code $ECL_CONFIG}, else {@code /etc/ecl/config.yml}. */
    public void setConfig(String config) {
        this.config = config;
    }

    /** The group that counts the events (mandatory). */
    public void setGroup(String group) {
        this.group = group;
    }

    /** The lowest level counted (default WARN). */
    public void setThreshold(String level) {
        this.threshold = Level.toLevel(level, Level.WARN);
    }

    @Override
    public void start() {
        if (group == null || group.isBlank()) {
            addError("no <group> given: the ecl group that counts the log events");
            return;
        }
        String path = config != null ? config
                : System.getenv("ECL_CONFIG") != null ? System.getenv("ECL_CONFIG") : "/etc/ecl/config.yml";
        try {
            EclConfig loaded = EclConfig.load(Path.of(path));
            GroupConfig g = loaded.requireGroup(group);
            if (!g.usesLocalCounters()) {
                g = g.toBuilder().syncInterval(DEFAULT_SYNC).build();
            }
            EclConfig alone = EclConfig.builder().redis(loaded.redis()).group(g).build();
            logger = EventCountLogger.create(alone);
            events = logger.group(group);
        } catch (ConfigException e) {
            addError("ecl appender not started: " + e.getMessage());
            return;
        }
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        Level level = event.getLevel();
        if (!level.isGreaterOrEqual(threshold) || event.getLoggerName().startsWith("io.ecl.")) {
            return;
        }
        events.log(level.levelStr);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            events.log(thrown.getClassName());
        }
    }

    /** Pushes what was counted (up to the logger's close timeout) and releases the connection. */
    @Override
    public void stop() {
        super.stop();
        EventCountLogger l = logger;
        if (l != null) {
            l.close();
            logger = null;
        }
    }
}
