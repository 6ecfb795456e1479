package io.ecl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statsd section: read strictly here, left alone (no warning) by ecl-core's loader; and the mapping it gives. */
class StatsdConfigTest {
    static final String FILE = "redis: {host: 127.0.0.1}\n"
            + "statsd:\n"
            + "  listen: 127.0.0.1:8125\n"
            + "  receive_buffer: 8388608\n"
            + "  receiver_threads: 3\n"
            + "  sync_interval: 0.5\n"
            + "  map:\n"
            + "    - {match: 'myapp.http.*.requests', group: web, name: 'req_$1'}\n"
            + "    - {match: 'legacy.**', group: web}\n"
            + "    - {match: 'exact.name', group: app}\n"
            + "    - {match: 'two.*.*', group: app}\n"
            + "groups:\n"
            + "  web: {events: [get], intervals: [5m]}\n"
            + "  app: {events: [], intervals: [5m], auto_declare_events: true}\n";

    @Test
    void theCoreLoaderLeavesTheSectionAloneWithoutAWarning() {
        EclConfig config = EclConfig.parse(FILE, "ecl.yml");

        assertEquals(List.of(), config.warnings());
    }

    @Test
    void everyKeyIsRead() {
        StatsdConfig c = StatsdConfig.parse(FILE, "ecl.yml");

        assertEquals("127.0.0.1", c.listen().getAddress().getHostAddress());
        assertEquals(8125, c.listen().getPort());
        assertEquals(8_388_608, c.receiveBuffer());
        assertEquals(3, c.receiverThreads());
        assertEquals(Duration.ofMillis(500), c.syncInterval());
        assertEquals(4, c.rules().size());
    }

    @Test
    void withoutTheSectionTheDefaultsApply() {
        StatsdConfig c = StatsdConfig.parse("groups: {}\n", "ecl.yml");

        assertNull(c.listen());
        assertEquals(32 * 1024 * 1024, c.receiveBuffer());
        assertEquals(1, c.receiverThreads());
        assertEquals(Duration.ofSeconds(1), c.syncInterval());
        assertEquals(List.of(), c.rules());
    }

    @Test
    void explicitRulesComeFirstThenTheDefaultMapping() {
        NameMapper m = new NameMapper(EclConfig.parse(FILE, "ecl.yml"), StatsdConfig.parse(FILE, "ecl.yml"));

        assertEquals(new NameMapper.Mapping("web", "req_login", null), m.map("myapp.http.login.requests"));
        assertEquals(new NameMapper.Mapping("web", "a.b.c", null), m.map("legacy.a.b.c"));
        assertEquals(new NameMapper.Mapping("app", "exact.name", null), m.map("exact.name"));
        assertEquals(new NameMapper.Mapping("app", "x.y", null), m.map("two.x.y"));
        assertEquals(new NameMapper.Mapping("web", "get", null), m.map("web.get"));
        assertEquals(new NameMapper.Mapping("app", "api.v1.get", null), m.map("app.api.v1.get"));
        // '*' stays within one segment: this does not match the first rule, and 'myapp' is no group.
        assertNull(m.map("myapp.http.a.b.requests").group());
        assertNull(m.map("two.x").group());
        assertNull(m.map("nogroup.get").group());
        assertNull(m.map("web").group());
        assertNull(m.map("web.").group());
        assertEquals("the default mapping gives group 'app' an invalid event ID '@x': must not start with '@'"
                + " (reserved for meta keys such as @ts)", m.map("app.@x").problem());
    }

    @Test
    void theDefaultMappingCanBeTurnedOff() {
        String file = FILE.replace("  map:\n", "  default_mapping: false\n  map:\n");
        NameMapper m = new NameMapper(EclConfig.parse(file, "ecl.yml"), StatsdConfig.parse(file, "ecl.yml"));

        assertEquals("no statsd.map rule matches it", m.map("web.get").problem());
        assertEquals("web", m.map("legacy.get").group());
    }

    @Test
    void aRuleForAnUnknownGroupNamesItsLine() {
        String file = FILE.replace("group: app}\n    - {match: 'two", "group: nosuch}\n    - {match: 'two");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new NameMapper(EclConfig.parse(file, "ecl.yml"), StatsdConfig.parse(file, "ecl.yml")));

        assertEquals("ecl.yml:10: statsd.map: group 'nosuch' is not defined under groups", e.getMessage());
    }

    @Test
    void mistakesNameFileLineKeyAndValue() {
        assertProblem("statsd:\n  listen: localhost\n", "ecl.yml:2: statsd.listen: expected HOST:PORT (e.g. 127.0.0.1:8125)"
                + " but was 'localhost'");
        assertProblem("statsd:\n  recieve_buffer: 1\n", "ecl.yml:2: unknown key statsd.recieve_buffer (known: listen,"
                + " receive_buffer, receiver_threads, sync_interval, default_mapping, map)");
        assertProblem("statsd:\n  receive_buffer: 10\n", "ecl.yml:2: statsd.receive_buffer: 10 is out of range 4096"
                + " to 2147483647");
        assertProblem("statsd:\n  receiver_threads: two\n", "ecl.yml:2: statsd.receiver_threads: expected a whole"
                + " number but was 'two'");
        assertProblem("statsd:\n  sync_interval: 0\n", "ecl.yml:2: statsd.sync_interval: 0 must be more than 0 and"
                + " at most 3600 seconds");
        assertProblem("statsd:\n  default_mapping: maybe\n", "ecl.yml:2: statsd.default_mapping: expected true or"
                + " false but was 'maybe'");
        assertProblem("statsd:\n  map: {match: a}\n", "ecl.yml:2: statsd.map must be a list of {match: PATTERN,"
                + " group: GROUP, name: NAME}");
        assertProblem("statsd:\n  map:\n    - {match: 'a.*'}\n", "ecl.yml:3: statsd.map[0] needs 'match' and 'group'");
        assertProblem("statsd:\n  map:\n    - {match: 'a.*', group: g, nmae: x}\n", "ecl.yml:3: unknown key"
                + " statsd.map[0].nmae (known: match, group, name)");
        assertProblem("statsd:\n  map:\n    - {match: 'a.*', group: g, name: '$2'}\n", "ecl.yml:3: statsd.map[0]:"
                + " name '$2': '$' must be followed by 0 to 1 (1 wildcard in 'a.*')");
    }

    @Test
    void aConfigWithoutAStatsdSectionMapsByDefault() {
        String file = "groups:\n  web: {events: [get], intervals: [5m]}\n";
        NameMapper m = new NameMapper(EclConfig.parse(file, "ecl.yml"), StatsdConfig.parse(file, "ecl.yml"));

        assertEquals("get", m.map("web.get").name());
        assertFalse(m.map("web.get").group().isEmpty());
    }

    private static void assertProblem(String yaml, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> StatsdConfig.parse(yaml, "ecl.yml"));
        assertEquals(message, e.getMessage());
    }
}
