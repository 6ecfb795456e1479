package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {
    /** A config as the Python EventCountLogger's README writes it. */
    static final String PYTHON_CONFIG = String.join("\n",
            "redis:",
            "  host: redis.example.org",
            "  port: 6380",
            "  db: 2",
            "groups:",
            "  requests:",
            "    events: ['req1', 'req2']",
            "    intervals: ['5s', '5m', '1H']",
            "  logins:",
            "    events: []",
            "    intervals: ['1m']",
            "    auto_declare_events: true",
            "    sync_interval: 2",
            "    sync_limit: 5",
            "  fast:",
            "    events: [a]",
            "    intervals: ['.5s']",
            "    sync_interval: 0.25",
            "");

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("ecl.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private ConfigException refused(String yaml) throws IOException {
        Path file = write(yaml);
        return assertThrows(ConfigException.class, () -> EclConfig.load(file, Map.of()));
    }

    // ---- the Python YAML, unchanged ----

    @Test
    void readsThePythonConfigUnchanged() throws IOException {
        EclConfig cfg = EclConfig.load(write(PYTHON_CONFIG), Map.of());

        assertEquals("redis.example.org", cfg.redis().host());
        assertEquals(6380, cfg.redis().port());
        assertEquals(2, cfg.redis().db());
        assertEquals(List.of("requests", "logins", "fast"),
                cfg.groups().stream().map(GroupConfig::name).collect(java.util.stream.Collectors.toList()));

        GroupConfig requests = cfg.group("requests");
        assertEquals(List.of("req1", "req2"), requests.events());
        assertEquals(List.of("5s", "5m", "1H"),
                requests.intervals().stream().map(Interval::name).collect(java.util.stream.Collectors.toList()));
        assertEquals(3_600_000L, requests.interval("1H").lengthMillis());
        assertFalse(requests.autoDeclareEvents());
        assertFalse(requests.usesLocalCounters());
        assertNull(requests.syncInterval());
        assertEquals(0, requests.syncLimit());

        GroupConfig logins = cfg.group("logins");
        assertEquals(List.of(), logins.events());
        assertTrue(logins.autoDeclareEvents());
        assertEquals(Duration.ofSeconds(2), logins.syncInterval());
        assertEquals(5, logins.syncLimit());
        assertTrue(logins.usesLocalCounters());

        GroupConfig fast = cfg.group("fast");
        assertEquals(Duration.ofMillis(250), fast.syncInterval());
        assertEquals(500, fast.interval(".5s").lengthMillis());

        assertEquals(List.of(), cfg.warnings());
        assertEquals(dir.resolve("ecl.yml").toString(), cfg.source());
    }

    @Test
    void defaultsAreThoseOfThePythonVersion() throws IOException {
        EclConfig cfg = EclConfig.load(write("groups:\n  g:\n    events: [a]\n    intervals: ['5m']\n"), Map.of());

        assertEquals("localhost", cfg.redis().host());
        assertEquals(6379, cfg.redis().port());
        assertEquals(0, cfg.redis().db());
        assertNull(cfg.redis().password());
        assertNull(cfg.redis().username());
        assertFalse(cfg.redis().tls());
        GroupConfig g = cfg.group("g");
        assertFalse(g.autoDeclareEvents());
        assertFalse(g.legacyScan());
        assertFalse(g.usesLocalCounters());
        assertEquals(GroupConfig.DEFAULT_MAX_PENDING, g.maxPending());
    }

    @Test
    void syncLimitAloneSelectsLocalCounters() throws IOException {
        EclConfig cfg = EclConfig.load(write("groups:\n  g:\n    events: [a]\n    intervals: ['5m']\n    sync_limit: 10\n"),
                Map.of());
        assertTrue(cfg.group("g").usesLocalCounters());
        assertNull(cfg.group("g").syncInterval());
        assertEquals(10, cfg.group("g").syncLimit());
    }

    @Test
    void readsOurOwnKeys() throws IOException {
        EclConfig cfg = EclConfig.load(write(String.join("\n",
                "redis:",
                "  password: s3cret",
                "  username: ecl",
                "  tls: true",
                "  timeout_ms: 750",
                "groups:",
                "  g:",
                "    events: []",
                "    intervals: ['5m']",
                "    auto_declare_events: true",
                "    legacy_scan: true",
                "    max_pending: 42",
                "")), Map.of());
        assertEquals("s3cret", cfg.redis().password());
        assertEquals("ecl", cfg.redis().username());
        assertTrue(cfg.redis().tls());
        assertEquals(750, cfg.redis().timeoutMillis());
        assertTrue(cfg.group("g").legacyScan());
        assertEquals(42, cfg.group("g").maxPending());
    }

    // ---- Redis URLs ----

    @Test
    void redisUrlSetsHostPortUserPasswordAndDb() throws IOException {
        EclConfig cfg = EclConfig.load(write("redis:\n  url: redis://alice:p%40ss@cache.example.org:6390/4\n"
                + "groups:\n  g:\n    events: []\n    intervals: ['5m']\n"), Map.of());
        RedisConfig r = cfg.redis();
        assertEquals("cache.example.org", r.host());
        assertEquals(6390, r.port());
        assertEquals(4, r.db());
        assertEquals("alice", r.username());
        assertEquals("p@ss", r.password());
        assertFalse(r.tls());
    }

    @Test
    void redissUrlMeansTls() {
        RedisConfig r = RedisConfig.fromUrl("rediss://cache.example.org");
        assertTrue(r.tls());
        assertEquals(6379, r.port());
        assertEquals(0, r.db());
        assertNull(r.password());
    }

    @Test
    void urlWithOnlyAPasswordHasNoUser() {
        RedisConfig colon = RedisConfig.fromUrl("redis://:secret@h:1/1");
        assertNull(colon.username());
        assertEquals("secret", colon.password());
        RedisConfig bare = RedisConfig.fromUrl("redis://secret@h");
        assertNull(bare.username());
        assertEquals("secret", bare.password());
    }

    @Test
    void urlWithAnIpv6Host() {
        RedisConfig r = RedisConfig.fromUrl("redis://[::1]:6380");
        assertEquals("::1", r.host());
        assertEquals("[::1]:6380", r.address());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h:1", "redis://", "redis://h:1/zero", "h:6379"})
    void malformedUrlsAreRefused(String url) {
        ConfigException e = assertThrows(ConfigException.class, () -> RedisConfig.fromUrl(url));
        assertTrue(e.getMessage().contains("invalid Redis URL"), e.getMessage());
    }

    @Test
    void environmentUrlOverridesTheFile() throws IOException {
        Path file = write("redis:\n  host: file-host\n  port: 6000\n"
                + "groups:\n  g:\n    events: []\n    intervals: ['5m']\n");
        EclConfig cfg = EclConfig.load(file, Map.of("ECL_REDIS_URL", "rediss://bob:pw@env-host:7000/3"));
        assertEquals("env-host", cfg.redis().host());
        assertEquals(7000, cfg.redis().port());
        assertEquals(3, cfg.redis().db());
        assertEquals("bob", cfg.redis().username());
        assertEquals("pw", cfg.redis().password());
        assertTrue(cfg.redis().tls());
        assertEquals("file-host", EclConfig.load(file, Map.of()).redis().host());
    }

    @Test
    void environmentUrlReplacesTheWholeRedisSectionOfTheFile() throws IOException {
        // The file's db and credentials belong to the file's server: a URL naming another server
        // must not inherit them (the password would be sent to a host it was not meant for).
        Path file = write("redis:\n  host: file-host\n  db: 5\n  username: fileuser\n  password: filepass\n"
                + "  timeout_ms: 900\n"
                + "groups:\n  g:\n    events: []\n    intervals: ['5m']\n");
        RedisConfig r = EclConfig.load(file, Map.of("ECL_REDIS_URL", "redis://env-host:7000")).redis();
        assertEquals("env-host", r.host());
        assertEquals(0, r.db());
        assertNull(r.username());
        assertNull(r.password());
        assertEquals(900, r.timeoutMillis(), "a URL cannot say timeout_ms; the file's value stays");
    }

    @Test
    void badEnvironmentUrlNamesTheVariable() throws IOException {
        Path file = write("groups:\n  g:\n    events: []\n    intervals: ['5m']\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> EclConfig.load(file, Map.of("ECL_REDIS_URL", "http://x:pw@h")));
        assertTrue(e.getMessage().startsWith("ECL_REDIS_URL: "), e.getMessage());
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }

    @Test
    void passwordsNeverAppearInToString() {
        RedisConfig r = RedisConfig.fromUrl("redis://alice:topsecret@h:1/2");
        assertEquals("redis://alice:***@h:1/2", r.toString());
        RedisConfig p = RedisConfig.builder().password("topsecret").build();
        assertEquals("redis://:***@localhost:6379/0", p.toString());
        assertFalse(RedisConfig.fromUrl("rediss://:topsecret@h").toString().contains("topsecret"));
        assertEquals("redis://localhost:6379/0", RedisConfig.defaults().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://u:topsecret@", "redis://u:top@secret@", "ftp://u:topsecret@h", "redis://topsecret@h:x"})
    void passwordsNeverAppearInUrlErrors(String url) {
        ConfigException e = assertThrows(ConfigException.class, () -> RedisConfig.fromUrl(url));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    // ---- interval errors name group, value and place ----

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-5m", "5", "fivem", "0.0h"})
    void badIntervalNamesGroupValueAndLine(String interval) throws IOException {
        ConfigException e = refused("groups:\n  ok:\n    events: []\n    intervals: ['5m']\n"
                + "  web:\n    events: [a]\n    intervals: ['5s', '" + interval + "']\n");
        String m = e.getMessage();
        assertTrue(m.startsWith(dir.resolve("ecl.yml") + ":7: "), m);
        assertTrue(m.contains("group 'web'"), m);
        assertTrue(m.contains("'" + interval + "'"), m);
    }

    @Test
    void intervalListedTwiceIsRefused() throws IOException {
        ConfigException e = refused("groups:\n  g:\n    events: []\n    intervals: ['5m', '5m']\n");
        assertTrue(e.getMessage().contains("'5m' is listed twice"), e.getMessage());
    }

    // ---- names that would break the key scheme ----

    @ParameterizedTest
    @ValueSource(strings = {"''", "'a:b'", "'a*'", "'a?'", "'a[b]'", "'a b'"})
    void groupNamesThatBreakKeysOrScanAreRefused(String name) throws IOException {
        ConfigException e = refused("groups:\n  ok:\n    events: []\n    intervals: ['5m']\n"
                + "  " + name + ":\n    events: []\n    intervals: ['5m']\n");
        assertTrue(e.getMessage().startsWith(dir.resolve("ecl.yml") + ":5: invalid group name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"'@ts'", "'@x'", "''"})
    void eventIdsStartingWithAtOrEmptyAreRefused(String event) throws IOException {
        ConfigException e = refused("groups:\n  g:\n    events: [ok, " + event + "]\n    intervals: ['5m']\n");
        String m = e.getMessage();
        assertTrue(m.startsWith(dir.resolve("ecl.yml") + ":3: "), m);
        assertTrue(m.contains("group 'g'") && m.contains("invalid event ID"), m);
    }

    @Test
    void builderRefusesTheSameNames() {
        assertThrows(ConfigException.class, () -> GroupConfig.builder("a*"));
        assertThrows(ConfigException.class, () -> GroupConfig.builder("a:b"));
        assertThrows(ConfigException.class, () -> GroupConfig.builder(""));
        assertThrows(ConfigException.class, () -> GroupConfig.builder("g").events("@reg"));
        assertThrows(ConfigException.class, () -> GroupConfig.builder("g").build());
    }

    // ---- unknown keys: a warning, and the config still loads ----

    @Test
    void misspelledKeyWarnsWithTheClosestKnownKey() throws IOException {
        EclConfig cfg = EclConfig.load(write("groups:\n  g:\n    events: []\n    intervals: ['5m']\n"
                + "    sync-interval: 2\n"), Map.of());
        assertEquals(List.of(dir.resolve("ecl.yml") + ":5: unknown key group 'g': 'sync-interval' ignored;"
                + " did you mean 'sync_interval'?"), cfg.warnings());
        assertFalse(cfg.group("g").usesLocalCounters());
    }

    @Test
    void unknownKeysEverywhereAreWarnedAbout() throws IOException {
        EclConfig cfg = EclConfig.load(write("redis:\n  hots: h\ngroups:\n  g:\n    events: []\n    intervals: ['5m']\n"
                + "    sync_limt: 3\n    colour: blue\nextra: 1\n"), Map.of());
        String f = dir.resolve("ecl.yml").toString();
        assertEquals(java.util.Set.of(
                f + ":2: unknown key redis.'hots' ignored; did you mean 'host'?",
                f + ":7: unknown key group 'g': 'sync_limt' ignored; did you mean 'sync_limit'?",
                f + ":8: unknown key group 'g': 'colour' ignored",
                f + ":9: unknown key 'extra' ignored"), new java.util.HashSet<>(cfg.warnings()));
        assertEquals("localhost", cfg.redis().host());
    }

    // ---- syntax and structure ----

    @Test
    void yamlSyntaxErrorNamesFileAndLine() throws IOException {
        ConfigException e = refused("groups:\n  g:\n    events: [a, b\n    intervals: ['5m']\n");
        assertTrue(e.getMessage().matches("\\Q" + dir.resolve("ecl.yml") + "\\E:\\d+:\\d+: invalid YAML: .*"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void badIndentationNamesTheLine() throws IOException {
        ConfigException e = refused("groups:\n  g:\n    events: []\n   intervals: ['5m']\n");
        assertTrue(e.getMessage().startsWith(dir.resolve("ecl.yml") + ":4:"), e.getMessage());
    }

    @Test
    void missingEventsIsAClearError() throws IOException {
        ConfigException e = refused("groups:\n  web:\n    intervals: ['5m']\n");
        assertEquals(dir.resolve("ecl.yml") + ":2: group 'web': missing 'events' (a list, may be empty: events: [])",
                e.getMessage());
    }

    @Test
    void missingIntervalsIsAClearError() throws IOException {
        ConfigException e = refused("groups:\n  web:\n    events: [a]\n");
        assertEquals(dir.resolve("ecl.yml") + ":2: group 'web': missing 'intervals' (e.g. intervals: ['5m'])",
                e.getMessage());
    }

    @Test
    void missingGroupsAndEmptyFilesAreClearErrors() throws IOException {
        assertTrue(refused("redis:\n  host: h\n").getMessage().contains("no 'groups' section"));
        assertTrue(refused("").getMessage().contains("the config is empty"));
        Path missing = dir.resolve("nope.yml");
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.load(missing, Map.of()));
        assertEquals(missing + ": config file not found", e.getMessage());
    }

    @Test
    void wrongTypesNameKeyValueAndLine() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': sync_limit: 'lots' is not an integer",
                refused("groups:\n  g:\n    events: []\n    sync_limit: lots\n    intervals: ['5m']\n").getMessage());
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': sync_interval: 0 must be greater than zero",
                refused("groups:\n  g:\n    events: []\n    sync_interval: 0\n    intervals: ['5m']\n").getMessage());
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': sync_interval: -1.5 must be greater than zero",
                refused("groups:\n  g:\n    events: []\n    sync_interval: -1.5\n    intervals: ['5m']\n").getMessage());
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': auto_declare_events: 'maybe' is not true or false",
                refused("groups:\n  g:\n    events: []\n    auto_declare_events: maybe\n    intervals: ['5m']\n").getMessage());
        assertEquals(dir.resolve("ecl.yml") + ":3: group 'g': events: expected a list such as ['a', 'b'], got 'a'",
                refused("groups:\n  g:\n    events: a\n    intervals: ['5m']\n").getMessage());
        assertEquals(dir.resolve("ecl.yml") + ":2: redis.port: 70000 is out of range (1..65535)",
                refused("redis:\n  port: 70000\ngroups:\n  g:\n    events: []\n    intervals: ['5m']\n").getMessage());
    }

    @Test
    void groupDefinedTwiceIsRefused() throws IOException {
        ConfigException e = refused("groups:\n  g:\n    events: []\n    intervals: ['5m']\n"
                + "  g:\n    events: []\n    intervals: ['5m']\n");
        assertTrue(e.getMessage().startsWith(dir.resolve("ecl.yml") + ":"), e.getMessage());
    }

    @Test
    void closestKeySuggestsOnlyNearKeys() {
        assertEquals("sync_interval", ConfigLoader.closest("sync-interval", java.util.Set.of("sync_interval", "sync_limit")));
        assertEquals("sync_interval", ConfigLoader.closest("SYNC_INTERVAL", java.util.Set.of("sync_interval", "sync_limit")));
        assertNull(ConfigLoader.closest("colour", java.util.Set.of("sync_interval", "sync_limit", "events")));
    }
}
