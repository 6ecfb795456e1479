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

    // ---- history ----

    @Test
    void historyIsOffUnlessSetAndAGroupsOwnValueBeatsTheTopLevelDefault() throws IOException {
        EclConfig none = EclConfig.load(write("groups:\n  g:\n    events: []\n    intervals: ['5m']\n"), Map.of());
        assertEquals(0, none.group("g").history(), "an upgrade grows no one's Redis unasked");

        EclConfig cfg = EclConfig.load(write(String.join("\n",
                "groups:",
                "  g:",
                "    events: []",
                "    intervals: ['5m']",
                "  own:",
                "    events: []",
                "    intervals: ['5m']",
                "    history: 0",
                "history: 120",
                "")), Map.of());
        assertEquals(120, cfg.group("g").history(), "the default applies wherever the key is in the file");
        assertEquals(0, cfg.group("own").history());
        assertEquals(120, cfg.group("g").toBuilder().build().history());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10001", "1.5", "lots", "0x10"})
    void aHistoryOutsideZeroToTenThousandIsOneLineNamingFileAndLine(String value) throws IOException {
        ConfigException group = refused("groups:\n  g:\n    events: []\n    intervals: ['5m']\n    history: " + value + "\n");
        assertTrue(group.getMessage().startsWith(dir.resolve("ecl.yml") + ":5: group 'g': history: "), group.getMessage());
        assertFalse(group.getMessage().contains("\n"));

        ConfigException top = refused("history: " + value + "\ngroups:\n  g:\n    events: []\n    intervals: ['5m']\n");
        assertTrue(top.getMessage().startsWith(dir.resolve("ecl.yml") + ":1: history: "), top.getMessage());
    }

    @Test
    void historyRangeInTheBuilder() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GroupConfig.builder("g").intervals("5m").history(10_001));
        assertEquals("group 'g': history 10001 is out of range (0..10000)", e.getMessage());
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
                + "    sync_limt: 3\n    colour: blue\nreddis: 1\n"), Map.of());
        String f = dir.resolve("ecl.yml").toString();
        assertEquals(java.util.Set.of(
                f + ":2: unknown key redis.'hots' ignored; did you mean 'host'?",
                f + ":7: unknown key group 'g': 'sync_limt' ignored; did you mean 'sync_limit'?",
                f + ":8: unknown key group 'g': 'colour' ignored",
                f + ":9: unknown key 'reddis' ignored; did you mean 'redis'?"), new java.util.HashSet<>(cfg.warnings()));
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

    // ---- big inputs ----

    @Test
    void configLargerThanTheLimitIsOneLineNamingFileAndLimit() throws IOException {
        // 800,000 events, 10 MB: more than a CLI's heap should hold as a node tree.
        StringBuilder yaml = new StringBuilder("groups:\n  g:\n    intervals: ['5m']\n    events:\n");
        for (int i = 0; i < 800_000; i++) {
            yaml.append("    - e").append(i).append('\n');
        }
        Path file = write(yaml.toString());

        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.load(file, Map.of()));

        assertEquals(file + ": config file is larger than 4 MiB, the limit for a config file; is it the right file?",
                e.getMessage());
    }

    @Test
    void endlessFileIsRefusedAtTheLimitInsteadOfExhaustingTheHeap() {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "no /dev/zero here");

        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.load(zero, Map.of()));

        assertEquals("/dev/zero: config file is larger than 4 MiB, the limit for a config file; is it the right file?",
                e.getMessage());
    }

    @Test
    void oneHundredThousandEventsLoadInConfigOrderOnceEach() throws IOException {
        StringBuilder yaml = new StringBuilder("groups:\n  g:\n    intervals: ['5m']\n    events:\n");
        for (int i = 0; i < 100_000; i++) {
            yaml.append("    - e").append(i).append('\n');
        }
        yaml.append("    - e0\n");
        GroupConfig g = EclConfig.load(write(yaml.toString()), Map.of()).group("g");

        assertEquals(100_000, g.events().size());
        assertEquals("e99999", g.events().get(99_999));
        assertTrue(g.isDeclared("e12345"));
    }

    // ---- duplicate keys: YAML keeps one silently ----

    @Test
    void keyWrittenTwiceIsRefusedWithBothLines() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":4: redis.port is written twice (first at line 3);"
                + " YAML would keep only one of them",
                refused("redis:\n  host: h\n  port: 6391\n  port: 6379\ngroups:\n  g:\n    events: []\n"
                        + "    intervals: ['5m']\n").getMessage());
    }

    @Test
    void secondGroupsSectionIsRefusedRatherThanDroppingTheFirst() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":4: groups is written twice (first at line 1);"
                + " YAML would keep only one of them",
                refused("groups:\n  a:\n    events: []\n    intervals: ['5m']\n"
                        + "groups:\n  b:\n    events: []\n    intervals: ['5m']\n").getMessage().replace(":5:", ":4:"));
    }

    @Test
    void keyWrittenTwiceInAGroupIsRefused() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":5: group 'g': events is written twice (first at line 3);"
                + " YAML would keep only one of them",
                refused("groups:\n  g:\n    events: [a]\n    intervals: ['5m']\n    events: [b]\n").getMessage());
    }

    // ---- what PyYAML (YAML 1.1) reads differently ----

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "yes|the boolean True", "on|the boolean True", "Off|the boolean False", "0x1F|the integer 31",
        "00012|the integer 10", "1_000|the integer 1000", "1:30|the integer 90", "1.10|the number 1.1",
        "+5|the integer 5", "2001-12-14t21:59:43|a date and time"})
    void eventIdThatPythonReadsAsAnotherValueIsRefusedWithTheQuotedFix(String event, String python)
            throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': event ID " + event + " is read by Python (PyYAML,"
                + " YAML 1.1) as " + python + ", so Python would use another Redis key; quote it: '" + event + "'",
                refused("groups:\n  g:\n    events:\n      - " + event + "\n    intervals: ['5m']\n").getMessage());
    }

    @Test
    void groupNameThatPythonReadsAsABooleanIsRefused() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":2: group name on is read by Python (PyYAML, YAML 1.1) as the boolean"
                + " True, so Python would use another Redis key; quote it: 'on'",
                refused("groups:\n  on:\n    events: []\n    intervals: ['5m']\n").getMessage());
    }

    @Test
    void namesPythonReadsAsTheSameTextAreAccepted() throws IOException {
        EclConfig cfg = EclConfig.load(write("groups:\n  '0x1F':\n    events: [404, 0, 1.5, 2001-12-14, 'yes', \"on\","
                + " e1, 08]\n    intervals: ['5m']\n"), Map.of());
        assertEquals(List.of("404", "0", "1.5", "2001-12-14", "yes", "on", "e1", "08"), cfg.group("0x1F").events());
    }

    @Test
    void numberPythonReadsAsOctalIsRefused() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":2: redis.db: 010 is 8 to Python (PyYAML, YAML 1.1: a leading 0 is"
                + " octal, 0x hex); write the number in plain decimal",
                refused("redis:\n  db: 010\ngroups:\n  g:\n    events: []\n    intervals: ['5m']\n").getMessage());
    }

    @Test
    void mergeKeysApplyAndOwnKeysWin() throws IOException {
        EclConfig cfg = EclConfig.load(write(String.join("\n",
                "base: &base",
                "  intervals: ['5m', '1h']",
                "  sync_interval: 2",
                "more: &more",
                "  sync_limit: 7",
                "  sync_interval: 9",
                "groups:",
                "  a:",
                "    <<: *base",
                "    events: [x]",
                "  b:",
                "    <<: [*base, *more]",
                "    events: []",
                "    intervals: ['1m']",
                "")), Map.of());
        assertEquals(List.of("5m", "1h"), cfg.group("a").intervals().stream().map(Interval::name).toList());
        assertEquals(Duration.ofSeconds(2), cfg.group("a").syncInterval());
        assertEquals(List.of("1m"), cfg.group("b").intervals().stream().map(Interval::name).toList());
        assertEquals(Duration.ofSeconds(2), cfg.group("b").syncInterval(), "the first merged mapping wins");
        assertEquals(7, cfg.group("b").syncLimit());
        assertEquals(List.of(), cfg.warnings());
    }

    // ---- a config shared with Python ----

    @Test
    void keysOfPythonsRedisClientAndOtherToolsAreAcceptedQuietly() throws IOException {
        EclConfig cfg = EclConfig.load(write(String.join("\n",
                "redis:",
                "  host: h",
                "  socket_timeout: 1.5",
                "  socket_connect_timeout: 0.5",
                "  client_name: billing",
                "  decode_responses: true",
                "graphite:",
                "  host: g.example",
                "groups:",
                "  g:",
                "    description: logins per interval",
                "    events: []",
                "    intervals: ['5m']",
                "")), Map.of());
        assertEquals(List.of(), cfg.warnings());
        assertEquals(1500, cfg.redis().timeoutMillis(), "ecl's one timeout: the longer of the two");
        assertEquals("h", cfg.redis().host());
    }

    @Test
    void eclRedisSectionHoldsTheKeysPythonsClientRefuses() throws IOException {
        EclConfig cfg = EclConfig.load(write(String.join("\n",
                "ecl_redis:",
                "  url: redis://u:pw@cache.example:6390/3",
                "  timeout_ms: 700",
                "redis:",
                "  socket_timeout: 5",
                "groups:",
                "  g:",
                "    events: []",
                "    intervals: ['5m']",
                "")), Map.of());
        assertEquals(List.of(), cfg.warnings());
        assertEquals("cache.example", cfg.redis().host());
        assertEquals(6390, cfg.redis().port());
        assertEquals(3, cfg.redis().db());
        assertEquals(700, cfg.redis().timeoutMillis(), "ecl_redis wins over the redis section");
    }

    @Test
    void eclKeysInTheRedisSectionStillWorkWithAWarningSayingWhereTheyBelong() throws IOException {
        EclConfig cfg = EclConfig.load(write("redis:\n  host: h\n  timeout_ms: 700\n"
                + "groups:\n  g:\n    events: []\n    intervals: ['5m']\n"), Map.of());
        assertEquals(700, cfg.redis().timeoutMillis());
        assertEquals(List.of(dir.resolve("ecl.yml") + ":3: redis.timeout_ms is ecl's own key, and Python's redis client"
                + " fails on it (TypeError: unexpected keyword argument); move it to the 'ecl_redis' section"),
                cfg.warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"'false'", "\"false\"", "'no'"})
    void quotedBooleanIsRefusedBecausePythonReadsItAsTrue(String quoted) throws IOException {
        String text = quoted.substring(1, quoted.length() - 1);
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': auto_declare_events: '" + text + "' is quoted, which"
                + " Python reads as true whatever it says; write " + text + " without quotes",
                refused("groups:\n  g:\n    events: []\n    auto_declare_events: " + quoted + "\n"
                        + "    intervals: ['5m']\n").getMessage());
    }

    @Test
    void booleanSpellingsPythonReadsAsTextAreRefused() throws IOException {
        assertEquals(dir.resolve("ecl.yml") + ":4: group 'g': auto_declare_events: 'fAlse' is not true or false",
                refused("groups:\n  g:\n    events: []\n    auto_declare_events: fAlse\n    intervals: ['5m']\n")
                        .getMessage());
    }

    // ---- readers skip an invalid group; whatever gates stays strict ----

    @Test
    void skippingInvalidGroupsKeepsTheOthersAndSaysWhy() throws IOException {
        Path file = write("groups:\n  ok:\n    events: [a]\n    intervals: ['5m']\n"
                + "  bad:\n    events: [a]\n    intervals: ['5x']\n"
                + "  twice:\n    events: []\n    intervals: ['5m']\n"
                + "  twice:\n    events: []\n    intervals: ['1m']\n");

        EclConfig cfg = EclConfig.loadSkippingInvalidGroups(file, Map.of());

        assertEquals(List.of("ok"), cfg.groups().stream().map(GroupConfig::name).toList());
        assertEquals(List.of("bad", "twice"), List.copyOf(cfg.invalidGroups().keySet()));
        assertTrue(cfg.invalidGroups().get("bad").startsWith(file + ":7: group 'bad': "), cfg.invalidGroups().get("bad"));
        assertEquals(file + ":11: groups.twice is written twice (first at line 8); YAML would keep only one of them",
                cfg.invalidGroups().get("twice"));
        assertThrows(ConfigException.class, () -> EclConfig.load(file, Map.of()));
    }

    // ---- messages ----

    @Test
    void configThatIsNotUtf8NamesTheLineAndTheByte() throws IOException {
        Path file = dir.resolve("latin1.yml");
        Files.write(file, "groups:\n  caf\u00e9:\n    events: []\n    intervals: ['5m']\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.load(file, Map.of()));

        assertEquals(file + ":2: the config is not UTF-8 text (byte 0xE9); save it as UTF-8, e.g. iconv -f latin1"
                + " -t utf-8", e.getMessage());
    }

    @Test
    void unreadableConfigSaysPermissionDenied() throws IOException {
        Path file = write("groups: {}\n");
        assertEquals(file + ": cannot read config file: permission denied (for user " + System.getProperty("user.name")
                + ")", ConfigLoader.readFailure(file, new java.nio.file.AccessDeniedException(file.toString()))
                        .getMessage());
        org.junit.jupiter.api.Assumptions.assumeTrue(file.toFile().setReadable(false, false) && !Files.isReadable(file),
                "this user reads files whatever their mode (root)");
        ConfigException e = assertThrows(ConfigException.class, () -> EclConfig.load(file, Map.of()));
        assertTrue(e.getMessage().endsWith("permission denied (for user " + System.getProperty("user.name") + ")"),
                e.getMessage());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "redis://localhost:63a9/0|the port '63a9' is not a number",
        "redis://u:pw@localhost:637o|the port '637o' is not a number",
        "redis://redis_host:6379|'redis_host' is not a valid host name (letters, digits, '-' and '.'; [...] around an"
                + " IPv6 address)"})
    void urlWithATypoSaysWhatIsWrong(String url, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> RedisConfig.fromUrl(url));
        assertEquals("invalid Redis URL '" + RedisConfig.mask(url) + "': " + problem, e.getMessage());
    }

    @Test
    void controlCharactersInNamesAreEscapedInMessages() throws IOException {
        ConfigException e = refused("groups:\n  \"a\\e[31mb:c\":\n    events: []\n    intervals: ['5m']\n");
        assertEquals(dir.resolve("ecl.yml") + ":2: invalid group name 'a\\u001b[31mb:c': must not contain"
                + " spaces or control characters", e.getMessage());
        ConfigException event = refused("groups:\n  g:\n    events: [\"x\\ny\"]\n    intervals: ['5m']\n");
        assertEquals(dir.resolve("ecl.yml") + ":3: group 'g': invalid event ID 'x\\ny': must not contain control"
                + " characters such as newlines", event.getMessage());
        EclConfig cfg = EclConfig.load(write("groups:\n  g:\n    events: []\n    intervals: ['5m']\n    \"k\\r\": 1\n"),
                Map.of());
        assertEquals(List.of(dir.resolve("ecl.yml") + ":5: unknown key group 'g': 'k\\r' ignored"), cfg.warnings());
    }

    @Test
    void closestKeySuggestsOnlyNearKeys() {
        assertEquals("sync_interval", ConfigLoader.closest("sync-interval", java.util.Set.of("sync_interval", "sync_limit")));
        assertEquals("sync_interval", ConfigLoader.closest("SYNC_INTERVAL", java.util.Set.of("sync_interval", "sync_limit")));
        assertNull(ConfigLoader.closest("colour", java.util.Set.of("sync_interval", "sync_limit", "events")));
    }
}
