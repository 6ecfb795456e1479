package io.ecl.reader.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Curses;
import org.jline.utils.InfoCmp.Capability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The terminal loop on a JLine terminal made of pipes (an xterm of 80x24): what it sends to the
 * terminal, and that every way out (q, SIGINT, an exception) leaves the alternate screen and
 * shows the cursor again. The tmux test checks the screen itself, keys included, on a real terminal.
 */
class TerminalScreenTest {

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private PipedOutputStream keyboard;
    private Terminal terminal;
    private final AtomicInteger slots = new AtomicInteger(-1);

    @BeforeEach
    void openTerminal() throws Exception {
        keyboard = new PipedOutputStream();
        terminal = TerminalBuilder.builder().system(false).streams(new PipedInputStream(keyboard), screen)
                .type("xterm").size(new Size(80, 24)).encoding(StandardCharsets.UTF_8).build();
    }

    @AfterEach
    void closeTerminal() throws Exception {
        terminal.close();
    }

    /** The view on a thread of its own (the common pool may have a single thread on a small machine). */
    private FutureTask<Void> run(Snapshot snapshot) {
        AtomicReference<Snapshot> snapshots = new AtomicReference<>(snapshot);
        FutureTask<Void> view = new FutureTask<>(() -> {
            TerminalScreen.run(terminal, snapshots, slots::set, "ecl.yml", ZoneOffset.UTC);
            return null;
        });
        Thread t = new Thread(view, "view");
        t.setDaemon(true);
        t.start();
        return view;
    }

    /** What was sent to the terminal, bytes as they are. */
    private String sent() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    /** What was sent without colours and attributes (JLine may split a span of text around them). */
    private String shown() {
        return sent().replaceAll("\033\\[[0-9;]*m", "");
    }

    /** The terminal's own sequence for a capability (the xterm entry's). */
    private String sequence(Capability capability) {
        return Curses.tputs(terminal.getStringCapability(capability));
    }

    /** Sent last: keypad off, cursor shown, alternate screen left (and the shell's screen back). */
    private String restored() {
        return sequence(Capability.keypad_local) + sequence(Capability.cursor_visible)
                + sequence(Capability.exit_ca_mode);
    }

    private void waitFor(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!shown().contains(text)) {
            assertTrue(System.nanoTime() < deadline, () -> "'" + text + "' never shown: "
                    + shown().replace("\033", "\\e"));
            Thread.sleep(10);
        }
    }

    private static Snapshot counts() {
        return new Snapshot(1_000, List.of(new Snapshot.Panel("web", "5m", 0L, 300_000L, false,
                List.of(new Snapshot.Row("login", Snapshot.Kind.EVENT, 12, 3, new double[] {1, 2})), null)),
                List.of(), null, 1_000);
    }

    @Test
    void qLeavesTheAlternateScreenAndShowsTheCursor() throws Exception {
        FutureTask<Void> view = run(counts());
        waitFor("login");
        assertEquals(WatchView.Layout.of(80).spark(), slots.get(), "the reading thread is told the sparkline's width");
        assertFalse(sent().contains(sequence(Capability.exit_ca_mode)));
        keyboard.write('q');
        keyboard.flush();
        view.get(10, TimeUnit.SECONDS);
        String out = sent();
        assertTrue(out.startsWith(sequence(Capability.enter_ca_mode)), out);
        assertTrue(out.endsWith(restored()), out);
    }

    @Test
    void sigintQuitsAndRestoresAsQDoes() throws Exception {
        FutureTask<Void> view = run(counts());
        waitFor("login");
        terminal.raise(Terminal.Signal.INT);
        view.get(10, TimeUnit.SECONDS);
        assertTrue(sent().endsWith(restored()), sent());
    }

    @Test
    void anExceptionInTheViewRestoresTheTerminalBeforeItIsReported() throws Exception {
        Snapshot broken = new Snapshot(1_000, null, List.of(), null, 1_000); // render fails on the null panels
        FutureTask<Void> view = run(broken);
        Exception e = assertThrows(java.util.concurrent.ExecutionException.class, () -> view.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof NullPointerException, e.toString());
        String out = sent();
        assertTrue(out.startsWith(sequence(Capability.enter_ca_mode)), e + ", sent: " + out.replace("\033", "\\e"));
        assertTrue(out.endsWith(restored()), out);
    }
}
