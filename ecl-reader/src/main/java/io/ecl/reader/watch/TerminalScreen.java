package io.ecl.reader.watch;

import java.io.IOException;
import java.nio.charset.Charset;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * The full-screen view on a terminal, through JLine: the alternate screen (the shell's screen
 * comes back untouched on exit), raw input, keys decoded from the terminal's own description
 * (terminfo), and a {@link Display} that rewrites only the characters that changed, so a refresh
 * over ssh costs a few bytes. The only class that touches JLine: nothing else in the reader loads
 * it.
 *
 * <p>The terminal is restored (attributes, normal screen, cursor) on every way out: q, Ctrl-C
 * (SIGINT, handled here as a key rather than left to kill the JVM mid-frame), an exception in the
 * loop, and SIGTERM or SIGHUP (a shutdown hook).
 */
final class TerminalScreen {
    /** How often the keyboard wait wakes up to draw a new snapshot (ms). */
    private static final long WAKE_MILLIS = 50;

    private TerminalScreen() {
    }

    /**
     * The terminal this process runs on, or null when it is not one JLine can drive (a dumb
     * terminal, TERM unset): then the caller prints plain output instead.
     */
    static Terminal open() throws IOException {
        Terminal t = TerminalBuilder.builder().system(true)
                // The provider that runs stty: the native ones (JNI, FFM) write the terminal's settings
                // back without its speed, leaving "speed 0 baud" (a hang-up on a serial line) behind.
                .provider(TerminalBuilder.PROP_PROVIDER_EXEC)
                // SIG_IGN rather than JLine's default SIG_DFL, which would let Ctrl-C kill the JVM
                // before the terminal is restored; INT and WINCH get handlers below.
                .nativeSignals(true).signalHandler(Terminal.SignalHandler.SIG_IGN)
                .build();
        if (t.getType() == null || t.getType().startsWith(Terminal.TYPE_DUMB)
                || t.getStringCapability(Capability.cursor_address) == null) {
            t.close();
            return null;
        }
        return t;
    }

    /**
     * Runs the view on this process's terminal until q or Ctrl-C; false, having done nothing,
     * when the terminal is not one JLine can drive.
     */
    static boolean runOnTerminal(AtomicReference<Snapshot> snapshots, IntConsumer slots, String label, ZoneId zone)
            throws IOException {
        Terminal terminal = open();
        if (terminal == null) {
            return false;
        }
        try (terminal) {
            run(terminal, snapshots, slots, label, zone);
        }
        return true;
    }

    /**
     * Runs the view until q or Ctrl-C. {@code snapshots} is where the reading thread puts each
     * new snapshot; {@code slots} is told how many intervals a sparkline shows at the current width.
     */
    static void run(Terminal terminal, AtomicReference<Snapshot> snapshots, IntConsumer slots, String label,
            ZoneId zone) throws IOException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean resized = new AtomicBoolean(true);
        terminal.handle(Terminal.Signal.INT, s -> stop.set(true));
        terminal.handle(Terminal.Signal.WINCH, s -> resized.set(true));
        Attributes saved = terminal.enterRawMode();
        AtomicBoolean restored = new AtomicBoolean();
        Runnable restore = () -> {
            if (restored.compareAndSet(false, true)) {
                try {
                    terminal.puts(Capability.keypad_local);
                    terminal.puts(Capability.cursor_visible);
                    terminal.puts(Capability.exit_ca_mode);
                    terminal.flush();
                    terminal.setAttributes(saved);
                } catch (RuntimeException e) {
                    // at JVM exit JLine's own hook may have closed the terminal first: it restored the attributes
                }
            }
        };
        CountDownLatch done = new CountDownLatch(1);
        // SIGTERM, SIGHUP (the ssh session closed), System.exit: the loop is asked to stop, so that
        // it restores the terminal after the frame it may be drawing rather than under it.
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                if (!done.await(2, TimeUnit.SECONDS)) {
                    restore.run();
                }
            } catch (InterruptedException e) {
                restore.run();
            }
        }, "ecl-watch-restore-terminal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.keypad_xmit);
            terminal.puts(Capability.cursor_invisible);
            terminal.puts(Capability.clear_screen);
            terminal.flush();
            loop(terminal, snapshots, slots, label, zone, stop, resized);
        } finally {
            restore.run();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook finds the terminal restored
            }
        }
    }

    private static void loop(Terminal terminal, AtomicReference<Snapshot> snapshots, IntConsumer slots,
            String label, ZoneId zone, AtomicBoolean stop, AtomicBoolean resized) throws IOException {
        WatchView.Glyphs glyphs = unicode(terminal.outputEncoding()) ? WatchView.Glyphs.UNICODE : WatchView.Glyphs.ASCII;
        Display display = new Display(terminal, true);
        KeyMap<ViewState.Key> keys = keys(terminal);
        BindingReader input = new BindingReader(terminal.reader());
        ViewState state = new ViewState();
        WatchView.Screen screen = null;
        Snapshot drawn = null;
        boolean dirty = true;
        while (!state.quit()) {
            if (stop.get()) {
                break;
            }
            if (resized.getAndSet(false) || screen == null) {
                Size size = terminal.getSize();
                int rows = Math.max(1, size.getRows());
                int columns = Math.max(10, size.getColumns());
                display.clear();
                display.resize(rows, columns);
                screen = new WatchView.Screen(columns, rows, glyphs, zone, label);
                slots.accept(WatchView.Layout.of(columns).spark());
                dirty = true;
            }
            Snapshot s = snapshots.get();
            if (s != drawn || dirty) {
                List<AttributedString> lines = new ArrayList<>();
                for (WatchView.Line line : WatchView.render(s, state, screen)) {
                    lines.add(new AttributedString(line.text(), style(line.style())));
                }
                display.update(lines, -1);
                drawn = s;
                dirty = false;
            }
            int next = input.peekCharacter(WAKE_MILLIS);
            if (next == NonBlockingReader.EOF) {
                break; // the terminal went away (ssh closed)
            }
            if (next != NonBlockingReader.READ_EXPIRED) {
                ViewState.Key key = input.readBinding(keys);
                if (key == null) {
                    break;
                }
                String typed = input.getLastBinding();
                int c = typed == null || typed.isEmpty() ? 0 : typed.codePointAt(0);
                state.press(key, c, WatchView.page(s, screen));
                dirty = true;
            }
        }
    }

    private static KeyMap<ViewState.Key> keys(Terminal terminal) {
        KeyMap<ViewState.Key> keys = new KeyMap<>();
        keys.setAmbiguousTimeout(100); // Esc alone, or the start of an arrow's sequence
        keys.setUnicode(ViewState.Key.CHARACTER);
        keys.setNomatch(ViewState.Key.IGNORED);
        for (char c = 32; c < 127; c++) {
            keys.bind(ViewState.Key.CHARACTER, Character.toString(c));
        }
        bind(keys, terminal, ViewState.Key.UP, Capability.key_up, "\033[A", "\033OA");
        bind(keys, terminal, ViewState.Key.DOWN, Capability.key_down, "\033[B", "\033OB");
        bind(keys, terminal, ViewState.Key.PAGE_UP, Capability.key_ppage, "\033[5~");
        bind(keys, terminal, ViewState.Key.PAGE_DOWN, Capability.key_npage, "\033[6~");
        bind(keys, terminal, ViewState.Key.HOME, Capability.key_home, "\033[H", "\033OH", "\033[1~");
        bind(keys, terminal, ViewState.Key.END, Capability.key_end, "\033[F", "\033OF", "\033[4~");
        keys.bind(ViewState.Key.ENTER, "\r", "\n");
        keys.bind(ViewState.Key.ESCAPE, KeyMap.esc());
        keys.bind(ViewState.Key.BACKSPACE, KeyMap.del(), KeyMap.ctrl('H'));
        keys.bind(ViewState.Key.QUIT, KeyMap.ctrl('C'));
        return keys;
    }

    private static void bind(KeyMap<ViewState.Key> keys, Terminal terminal, ViewState.Key key, Capability capability,
            String... usual) {
        String own = terminal.getStringCapability(capability);
        if (own != null) {
            keys.bind(key, KeyMap.key(terminal, capability));
        }
        for (String seq : usual) {
            keys.bindIfNotBound(key, seq);
        }
    }

    private static AttributedStyle style(WatchView.Style style) {
        return switch (style) {
            case TITLE, KEYS -> AttributedStyle.INVERSE;
            case ALERT -> AttributedStyle.BOLD.foreground(AttributedStyle.RED);
            case SECTION -> AttributedStyle.BOLD;
            case HEADING -> AttributedStyle.DEFAULT.faint();
            case ROW -> AttributedStyle.DEFAULT;
        };
    }

    static boolean unicode(Charset charset) {
        return charset.newEncoder().canEncode(Sparkline.BLOCKS);
    }
}
