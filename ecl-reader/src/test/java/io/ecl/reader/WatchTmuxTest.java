package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ecl-reader watch} on a real terminal: tmux gives it an 80x24 pane, keys are typed with
 * {@code send-keys} and the screen read with {@code capture-pane}. The reader runs as its own JVM
 * against a real Redis, started from a shell in the pane that records the terminal's settings
 * ({@code stty -g}) before and after, so the test sees what a user would: the view, then the
 * shell's screen and a sane terminal again.
 */
class WatchTmuxTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTmux() {
        assumeTrue(onPath("tmux"), "tmux is not installed");
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d.isEmpty() ? "." : d, program))) {
                return true;
            }
        }
        return false;
    }

    @BeforeEach
    void countSomething() throws Exception {
        redis.client().flushAll();
        StringBuilder many = new StringBuilder();
        for (int k = 0; k < 30; k++) {
            many.append(k == 0 ? "" : ", ").append(String.format("e%02d", k));
        }
        Path config = dir.resolve("ecl.yml");
        Files.writeString(config, redis.yamlRedisSection() + "groups:\n"
                + "  web:\n    events: [login, logout, error]\n    intervals: ['5m']\n"
                + "  many:\n    events: [" + many + "]\n    intervals: ['5m']\n");
        try (EventCountLogger ecl = EventCountLogger.builder(EclConfig.load(config)).withoutShutdownHook()
                .withoutHeartbeat().build()) {
            EventGroup web = ecl.group("web");
            web.log("login", 3);
            web.log("logout", 2);
            web.log("error");
            assertTrue(ecl.flush());
        }
        // The reader in a JVM of its own, between two snapshots of the terminal's settings.
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=io/ecl/cli/logback-tool.xml", ReaderCommand.class.getName(),
                "watch", config.toString()));
        // Ctrl-C reaches the whole foreground group, this shell too: trapped, so that it goes on
        // once the reader has exited (a trap, unlike an ignored signal, is not inherited by java).
        StringBuilder script = new StringBuilder("trap : INT\nstty -g > before.stty\n");
        for (String word : java) {
            script.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        script.append("\"$@\"\necho \"EXIT-MARK $?\"\nstty -g > after.stty\n"
                + "if cmp -s before.stty after.stty; then echo TTY-RESTORED; else echo TTY-CHANGED; fi\n");
        Files.writeString(dir.resolve("watch.sh"), script);
        tmux("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "-s", "t", "-c", dir.toString(),
                "env", "LANG=C.UTF-8", "PS1=$ ", "sh");
    }

    /** Runs the reader in the pane, after a line the view must not leave behind or erase. */
    private void start(String... args) throws Exception {
        screenWhen(contains("^\\$ ?$"), "showed the shell's prompt"); // capture-pane drops trailing spaces
        keys(("echo BEFORE-MARK; sh watch.sh " + String.join(" ", args)).strip(), "Enter");
    }

    @AfterEach
    void stopTmux() throws Exception {
        tmux("kill-server");
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        // A tmux server per test, its socket in the test's directory: one just told to exit may still
        // be there when the next test starts, and none is left behind in /tmp/tmux-UID.
        List<String> cmd = new ArrayList<>(List.of("tmux", "-S", dir.resolve("tmux.socket").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    private void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
        args.addAll(List.of(keys));
        tmux(args.toArray(new String[0]));
    }

    /** The pane once {@code ready} holds for it; fails after 30 s (a JVM's start on a busy machine included). */
    private String screenWhen(Predicate<String> ready, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String screen;
        while (!ready.test(screen = tmux("capture-pane", "-p", "-t", "t"))) {
            assertTrue(System.nanoTime() < deadline, () -> "never " + what + "; the screen:\n" + lastScreen());
            Thread.sleep(50);
        }
        return screen;
    }

    private String lastScreen() {
        try {
            return tmux("capture-pane", "-p", "-t", "t");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static Predicate<String> contains(String regex) {
        Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
        return s -> p.matcher(s).find();
    }

    private static List<String> lines(String screen) {
        return List.of(screen.split("\n", -1));
    }

    @Test
    void theViewShowsTheCountsFiltersScrollsAndQRestoresTheShell() throws Exception {
        start();
        String screen = screenWhen(contains("^  login +0 +3 *$"), "showed login's counts");
        assertTrue(lines(screen).get(0).startsWith("ecl watch ecl.yml "), screen);
        assertTrue(contains("^━ many 5m ━ never rotated \\(is ecl-master running\\?\\) ━+$").test(screen), screen);
        assertTrue(contains("^  logout +0 +2 *$").test(screen), screen);
        assertTrue(contains("^  error +0 +1 *$").test(screen), screen);
        assertTrue(contains("^1-21/37  q quit").test(screen), screen);
        assertFalse(screen.contains("BEFORE-MARK"), "the view is on the alternate screen");
        for (String line : lines(screen)) {
            assertTrue(line.length() <= 80, line);
        }

        keys("Down");
        screen = screenWhen(contains("^2-22/37 "), "scrolled a line down");
        assertTrue(lines(screen).get(2).startsWith("  error "), screen);
        keys("PageDown");
        screen = screenWhen(contains("^17-37/37 "), "scrolled to the last page");
        assertTrue(contains("^  e29 +0 +0 *$").test(screen), screen);
        keys("Up");
        screenWhen(contains("^16-36/37 "), "scrolled a line up");

        keys("/", "logout");
        screenWhen(contains("^filter: logout_ "), "echoed the filter being typed");
        keys("Enter");
        screen = screenWhen(contains("filter 'logout' \\(Esc clears\\)"), "applied the filter");
        assertTrue(contains("^  logout +0 +2 *$").test(screen), screen);
        assertFalse(contains("^  login ").test(screen), screen);
        assertFalse(contains("^━ many ").test(screen), "a group without a match is left out: " + screen);
        keys("Escape");
        screen = screenWhen(contains("^1-21/37  q quit"), "cleared the filter");
        assertTrue(contains("^  login +0 +3 *$").test(screen), screen);

        keys("q");
        screen = screenWhen(contains("^TTY-"), "returned to the shell");
        assertTrue(screen.contains("BEFORE-MARK"), "the shell's screen is back: " + screen);
        assertFalse(screen.contains("ecl watch"), "the alternate screen was left: " + screen);
        assertTrue(contains("^EXIT-MARK 0$").test(screen), screen);
        assertTrue(contains("^TTY-RESTORED$").test(screen), "stty -g differs after the view: " + screen);
    }

    @Test
    void ctrlCQuitsAndRestoresTheTerminal() throws Exception {
        start();
        screenWhen(contains("^  login +0 +3 *$"), "showed login's counts");
        keys("C-c");
        String screen = screenWhen(contains("^TTY-"), "returned to the shell");
        assertTrue(screen.contains("BEFORE-MARK"), screen);
        assertFalse(screen.contains("ecl watch"), screen);
        assertTrue(contains("^EXIT-MARK 0$").test(screen), screen);
        assertTrue(contains("^TTY-RESTORED$").test(screen), "stty -g differs after the view: " + screen);
        assertEquals(-1, screen.indexOf("Exception"), screen);
    }

    @Test
    void sigtermAsWhenTheSshSessionEndsRestoresTheTerminalToo() throws Exception {
        start();
        screenWhen(contains("^  login +0 +3 *$"), "showed login's counts");
        ProcessHandle reader = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.resolve("ecl.yml") + ""))
                .filter(p -> p.info().command().orElse("").endsWith("java")).findFirst().orElseThrow();
        assertTrue(reader.destroy(), "SIGTERM sent");
        String screen = screenWhen(contains("^TTY-"), "returned to the shell");
        assertTrue(lines(screen).get(0).startsWith("$ echo BEFORE-MARK"), screen);
        assertFalse(screen.contains("━") || contains("^  (login|logout|error) ").test(screen),
                "nothing of the view is left on the shell's screen: " + screen);
        assertFalse(screen.contains("ecl watch"), screen);
        assertTrue(contains("^EXIT-MARK 143$").test(screen), screen);
        assertTrue(contains("^TTY-RESTORED$").test(screen), "stty -g differs after the view: " + screen);
    }

    @Test
    void plainOnATerminalPrintsBlocksOnTheShellsScreen() throws Exception {
        start("--plain", "-g", "web", "--interval-ms", "300");
        String screen = screenWhen(s -> s.indexOf("ecl watch ecl.yml") != s.lastIndexOf("ecl watch ecl.yml"),
                "printed a second block");
        assertTrue(screen.contains("BEFORE-MARK"), "no alternate screen: the blocks follow the shell's lines: " + screen);
        assertTrue(contains("^  login +0 +3$").test(screen), screen);
        assertFalse(screen.contains("q quit"), "no key line: " + screen);
        keys("C-c");
        screen = screenWhen(contains("^TTY-"), "returned to the shell");
        assertTrue(contains("^TTY-RESTORED$").test(screen), screen);
    }

    @Test
    void whileRedisIsDownAStatusLineSaysSoAndTheViewRecoversOnItsOwn() throws Exception {
        start();
        screenWhen(contains("^  login +0 +3 *$"), "showed login's counts");
        redis.stop();
        String screen;
        try {
            screen = screenWhen(contains("^cannot connect to Redis at .*:" + redis.port() + ": .* \\(retrying\\) *$"),
                    "said Redis is unreachable");
            assertTrue(contains("^ecl watch ecl.yml +counts of \\d\\d:\\d\\d:\\d\\d$").test(screen),
                    "the title says when the counts shown were read: " + screen);
        } finally {
            redis.start();
        }
        assertTrue(contains("^  login +0 +3 *$").test(screen), "the counts last read stay: " + screen);
        assertTrue(contains("^1-20/37 ").test(screen), "the status line takes a line of the body: " + screen);
        redis.client().incrBy("web:5m:cur:login", 2); // the counts were lost with the server; any value will do
        screen = screenWhen(contains("^  login +0 +2 *$"), "read Redis again");
        assertFalse(screen.contains("retrying"), screen);
        keys("q");
        assertTrue(contains("^EXIT-MARK 0$").test(screenWhen(contains("^TTY-"), "returned to the shell")));
    }
}
