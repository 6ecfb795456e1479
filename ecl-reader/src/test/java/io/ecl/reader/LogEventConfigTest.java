package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.cli.ConfigLocation;
import io.ecl.testing.EmbeddedRedis;
import java.io.ByteArrayInputStream;
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

/** ecl-log-event's forms of arguments: Python's CONFIG GROUP EVENT [COUNT], -c FILE, and GROUP EVENT alone. */
class LogEventConfigTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final String GROUPS = "groups:\n"
            + "  g:\n    events: [a, b]\n    intervals: ['5m']\n"
            + "  dyn:\n    events: []\n    intervals: ['5m']\n    auto_declare_events: true\n";

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

    private Run withStdin(Map<String, String> env, Path defaultPath, String stdin, String... args) {
        LogEventCommand c = new LogEventCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        c.configLocation = new ConfigLocation(env, defaultPath);
        return Run.logEvent(c, args);
    }

    private Run run(Map<String, String> env, Path defaultPath, String... args) {
        return withStdin(env, defaultPath, "", args);
    }

    @Test
    void pythonsOrderStillWorksWhateverEclConfigSays() throws IOException {
        String other = write("other.yml", "redis: {host: 127.0.0.1, port: 1}\n" + GROUPS);

        Run one = run(Map.of("ECL_CONFIG", other), Path.of(other), config, "g", "a");
        Run three = run(Map.of("ECL_CONFIG", other), Path.of(other), config, "g", "a", "3");

        assertEquals(0, one.code, one::toString);
        assertEquals(0, three.code, three::toString);
        assertEquals("4", r.get("g:5m:cur:a"));
    }

    @Test
    void groupAndEventAloneReadTheFileEclConfigNames() {
        Run run = run(Map.of("ECL_CONFIG", config), dir.resolve("absent.yml"), "g", "a");

        assertEquals(0, run.code, run::toString);
        assertEquals("", run.err);
        assertEquals("1", r.get("g:5m:cur:a"));
    }

    @Test
    void groupAndEventAloneReadTheDefaultPathWithoutEclConfig() {
        Run run = run(Map.of(), Path.of(config), "g", "b", "-n", "5");

        assertEquals(0, run.code, run::toString);
        assertEquals("5", r.get("g:5m:cur:b"));
    }

    @Test
    void groupAndEventAloneWithAMissingDefaultNameThePath() {
        Path absent = dir.resolve("etc/ecl/config.yml");

        Run run = run(Map.of(), absent, "g", "a");

        assertEquals("ERROR: " + absent + ": config file not found (the default: no CONFIG given and ECL_CONFIG"
                + " not set)\n", run.err);
        assertEquals(1, run.code);
        assertEquals(0, r.dbSize());
    }

    @Test
    void groupAndEventAloneWithAMissingEclConfigFileNameThePath() {
        String absent = dir.resolve("gone.yml").toString();

        Run run = run(Map.of("ECL_CONFIG", absent), Path.of(config), "g", "a");

        assertEquals("ERROR: " + absent + ": config file not found (named by ECL_CONFIG)\n", run.err);
        assertEquals(1, run.code);
    }

    @Test
    void dashCTakesTheConfigAndTheArgumentsAreGroupEventCount() throws IOException {
        String other = write("other.yml", "redis: {host: 127.0.0.1, port: 1}\n" + GROUPS);

        Run run = run(Map.of("ECL_CONFIG", other), Path.of(other), "-c", config, "g", "a", "7");
        Run longForm = run(Map.of(), Path.of(other), "--config", config, "g", "a");

        assertEquals(0, run.code, run::toString);
        assertEquals(0, longForm.code, longForm::toString);
        assertEquals("8", r.get("g:5m:cur:a"));
    }

    @Test
    void streamModeWorksWithEveryForm() {
        assertEquals(0, withStdin(Map.of(), Path.of(config), "x\ny 2\n", "dyn", "-").code);
        assertEquals(0, withStdin(Map.of(), dir.resolve("absent.yml"), "x\n", "-c", config, "dyn", "-").code);
        assertEquals(0, withStdin(Map.of(), dir.resolve("absent.yml"), "x\n", config, "dyn", "-").code);

        assertEquals("3", r.get("dyn:5m:cur:x"));
        assertEquals("2", r.get("dyn:5m:cur:y"));
    }

    @Test
    void twoArgumentsWhoseFirstIsAYamlFileAreAConfigMissingItsEvent() {
        Run run = run(Map.of(), Path.of(config), config, "g");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("Missing required parameter: 'EVENT'\nUsage: ecl-log-event "), run::toString);
    }

    @Test
    void oneOrNoArgumentIsAUsageErrorNamingWhatIsMissing() {
        Run none = run(Map.of(), Path.of(config));
        Run group = run(Map.of(), Path.of(config), "g");
        Run yaml = run(Map.of(), Path.of(config), "x.yaml");
        Run dashC = run(Map.of(), Path.of(config), "-c", config);

        assertTrue(none.err.startsWith("Missing required parameters: 'GROUP', 'EVENT'\n"), none::toString);
        assertTrue(group.err.startsWith("Missing required parameter: 'EVENT'\n"), group::toString);
        assertTrue(yaml.err.startsWith("Missing required parameters: 'GROUP', 'EVENT'\n"), yaml::toString);
        assertTrue(dashC.err.startsWith("Missing required parameters: 'GROUP', 'EVENT'\n"), dashC::toString);
        assertEquals(2, none.code);
        assertEquals(2, group.code);
        assertEquals(2, yaml.code);
        assertEquals(2, dashC.code);
    }

    @Test
    void tooManyArgumentsAreAUsageError() {
        Run python = run(Map.of(), Path.of(config), config, "g", "a", "1", "extra");
        Run dashC = run(Map.of(), Path.of(config), "-c", config, "g", "a", "1", "extra");

        assertTrue(python.err.startsWith("Unmatched argument at index 4: 'extra'\nUsage: ecl-log-event "),
                python::toString);
        assertTrue(dashC.err.startsWith("Unmatched argument at index 3: 'extra'\nUsage: ecl-log-event "),
                dashC::toString);
        assertEquals(2, python.code);
        assertEquals(2, dashC.code);
    }

    @Test
    void countThatIsNotAnIntegerNamesItsIndexInEachForm() {
        Run dashC = run(Map.of(), Path.of(config), "-c", config, "g", "a", "x");

        assertTrue(dashC.err.startsWith("Invalid value for positional parameter at index 2 (COUNT): 'x' is not a long\n"),
                dashC::toString);
        assertEquals(2, dashC.code);
    }

    @Test
    void countGivenTwiceIsAUsageError() {
        Run run = run(Map.of(), Path.of(config), config, "g", "a", "2", "-n", "3");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("COUNT given twice: as an argument and with -n\n"), run::toString);
        assertEquals(0, r.dbSize());
    }

    @Test
    void dashNWithStreamModeIsAUsageError() {
        Run run = withStdin(Map.of(), Path.of(config), "a\n", "dyn", "-", "-n", "3");

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("COUNT cannot be given with EVENT '-'"), run::toString);
    }

    @Test
    void helpShowsEveryForm() {
        Run help = Run.logEvent("--help");

        assertTrue(help.out.startsWith("Usage: ecl-log-event [-hvV] CONFIG GROUP EVENT [COUNT]\n"
                + "       ecl-log-event [-hvV] -c FILE GROUP EVENT [COUNT]\n"
                + "       ecl-log-event [-hvV] [-n COUNT] GROUP EVENT\n"
                + "Without CONFIG or -c the config is $ECL_CONFIG, else /etc/ecl/config.yml.\n"
                + "EVENT '-' reads lines 'EVENT [COUNT]' from stdin.\n"), help::toString);
        assertEquals(0, help.code);
    }
    @Test
    void invalidOtherGroupIsNamedOnceAndTheEventIsLogged() throws IOException {
        String cfg = write("broken.yml", redis.yamlRedisSection() + GROUPS
                + "  broken:\n    events: [yes]\n    intervals: ['5m']\n");

        Run run = run(Map.of(), Path.of(cfg), cfg, "g", "a");

        assertEquals(0, run.code, run::toString);
        assertEquals("WARNING: " + cfg + ":13: group 'broken': event ID yes is read by Python (PyYAML, YAML 1.1) as"
                + " the boolean True, so Python would use another Redis key; quote it: 'yes' (group skipped)\n", run.err);
        assertEquals("1", r.get("g:5m:cur:a"));
    }

    @Test
    void invalidOwnGroupIsOneErrorLine() throws IOException {
        String cfg = write("broken.yml", redis.yamlRedisSection() + GROUPS
                + "  broken:\n    events: [yes]\n    intervals: ['5m']\n");

        Run run = run(Map.of(), Path.of(cfg), cfg, "broken", "yes");

        assertEquals(1, run.code, run::toString);
        run.oneErrLine("ERROR: " + cfg + ":13: group 'broken': event ID yes is read by Python");
    }
}
