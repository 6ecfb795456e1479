package io.ecl.reader.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The layout, without a terminal: what an 80x24 screen shows for given counts and keys. */
class WatchViewTest {
    private static final long NOON = 1_767_268_800_000L; // 2026-01-01T12:00:00Z
    private static final WatchView.Screen SCREEN = new WatchView.Screen(80, 24, WatchView.Glyphs.UNICODE,
            ZoneOffset.UTC, "ecl.yml");

    private static Snapshot.Row event(String name, long last, long current, double... history) {
        return new Snapshot.Row(name, Snapshot.Kind.EVENT, last, current, history);
    }

    private static Snapshot.Panel panel(String group, Snapshot.Row... rows) {
        return new Snapshot.Panel(group, "5m", NOON - 300_000, NOON, false, List.of(rows), null);
    }

    private static Snapshot snapshot(Snapshot.Panel... panels) {
        return new Snapshot(NOON + 3_000, List.of(panels), List.of(new Snapshot.Writer("abc", "shop", "web1", 42, 7, 0,
                true, NOON, "")), null, NOON + 3_000);
    }

    private static List<String> text(List<WatchView.Line> lines) {
        return lines.stream().map(WatchView.Line::text).collect(Collectors.toList());
    }

    private static Snapshot many(int events) {
        List<Snapshot.Row> rows = new ArrayList<>();
        for (int k = 0; k < events; k++) {
            rows.add(event(String.format("event%02d", k), k, 2L * k));
        }
        return snapshot(panel("web", rows.toArray(new Snapshot.Row[0])));
    }

    @Test
    void theScreenShowsEachEventsLastAndCurrentCountsAndItsHistory() {
        List<String> lines = text(WatchView.render(snapshot(panel("web", event("login", 120, 43, 0, 1, 2, 3, 4, 5, 6, 7),
                event("logout", 7, 0))), new ViewState(), SCREEN));
        assertEquals(24, lines.size());
        assertEquals("ecl watch ecl.yml" + " ".repeat(55) + "12:00:03", lines.get(0));
        assertEquals("  NAME" + " ".repeat(30) + "LAST   CURRENT  HISTORY" + " ".repeat(21), lines.get(1));
        assertEquals("━ web 5m ━ last 11:55:00-12:00:00 " + "━".repeat(46), lines.get(2));
        assertEquals("  login" + " ".repeat(23) + "       120        43  " + " ".repeat(20) + "▁▂▃▄▅▆▇█", lines.get(3));
        assertEquals("  logout" + " ".repeat(22) + "         7         0  " + " ".repeat(28), lines.get(4));
        assertEquals("━ writers (1 up) " + "━".repeat(63), lines.get(5));
        assertTrue(lines.get(7).startsWith("  shop "), lines.get(7));
        assertEquals("1-6/6  q quit  ↑↓ PgUp PgDn scroll  / filter" + " ".repeat(36), lines.get(23));
    }

    @Test
    void everyLineIsExactlyEightyColumnsWhateverTheNames() {
        Snapshot s = snapshot(panel("a-group-with-a-name-far-too-long-for-any-terminal-of-eighty-columns",
                event("checkout.payment.card.declined.because.of.insufficient.funds", 1_234_567_890_123L, 5),
                event("注文-完了-注文-完了-注文-完了-注文-完了-注文-完了", 1, 1),
                event("bell\u0007and\u001b[2Jescape", 1, 1)));
        List<String> lines = text(WatchView.render(s, new ViewState(), SCREEN));
        assertEquals(24, lines.size());
        for (String line : lines) {
            assertEquals(80, Columns.width(line), line);
            assertFalse(line.chars().anyMatch(Character::isISOControl), line);
        }
        // the start and the end of a long name, around an ellipsis; a count too wide for its column abbreviated
        assertEquals("  checkout.payme…ficient.funds     1.23T         5  ", lines.get(3).substring(0, 52));
        assertTrue(lines.get(4).startsWith("  注文-完了-注文…了-注文-完了  "), lines.get(4));
        assertTrue(lines.get(5).startsWith("  bell?and?[2Jescape "), lines.get(5));
    }

    @Test
    void uniquesAndValueQuantilesAreTaggedRows() {
        Snapshot s = snapshot(panel("web", new Snapshot.Row("visitors", Snapshot.Kind.UNIQUE, 80, 30, new double[0]),
                new Snapshot.Row("latency_ms", Snapshot.Kind.P50, 12.5, Double.NaN, new double[0]),
                new Snapshot.Row("latency_ms", Snapshot.Kind.P99, 1_234_567.25, 80.125, new double[0])));
        List<String> lines = text(WatchView.render(s, new ViewState(), SCREEN));
        assertEquals("  visitors (unique)" + " ".repeat(11) + "        80        30", lines.get(3).stripTrailing());
        assertEquals("  latency_ms p50" + " ".repeat(14) + "      12.5         -", lines.get(4).stripTrailing());
        assertEquals("  latency_ms p99" + " ".repeat(14) + "     1.23M    80.125", lines.get(5).stripTrailing());
    }

    @Test
    void slashFiltersByNameOnEnterAndEscapeClears() {
        Snapshot s = snapshot(panel("web", event("login", 1, 1), event("logout", 2, 2), event("error", 3, 3)),
                panel("mail", event("sent", 4, 4)), panel("login-service", event("attempt", 5, 5)));
        ViewState state = new ViewState();
        for (char c : "/LOG".toCharArray()) {
            state.press(ViewState.Key.CHARACTER, c, 20);
        }
        List<String> typing = text(WatchView.render(s, state, SCREEN));
        assertEquals("filter: LOG_   (Enter applies, Esc clears)", typing.get(23).stripTrailing());
        assertTrue(typing.stream().anyMatch(l -> l.startsWith("  sent ")), "nothing filtered before Enter");

        state.press(ViewState.Key.ENTER, 0, 20);
        List<String> body = text(WatchView.render(s, state, SCREEN)).stream().map(String::stripTrailing)
                .filter(l -> !l.isEmpty()).collect(Collectors.toList());
        assertEquals(List.of("━ web 5m ━ last 11:55:00-12:00:00", "  login                                1         1",
                "  logout                               2         2",
                // a group whose name matches shows all of its rows
                "━ login-service 5m ━ last 11:55:00-12:00:00", "  attempt                              5         5"),
                body.subList(2, 7).stream().map(l -> l.replaceAll("━+$", "").stripTrailing()).collect(Collectors.toList()));
        assertTrue(body.get(body.size() - 1).startsWith("1-8/8  filter 'log' (Esc clears)  q quit"), body.toString());

        state.press(ViewState.Key.ESCAPE, 0, 20);
        assertEquals("", state.filter());
        assertTrue(text(WatchView.render(s, state, SCREEN)).stream().anyMatch(l -> l.startsWith("  sent ")));
    }

    @Test
    void aFilterThatMatchesNothingSaysSo() {
        ViewState state = new ViewState();
        for (char c : "/zzz".toCharArray()) {
            state.press(ViewState.Key.CHARACTER, c, 20);
        }
        state.press(ViewState.Key.ENTER, 0, 20);
        assertEquals("(no name contains 'zzz')", text(WatchView.render(many(3), state, SCREEN)).get(2).strip());
    }

    @Test
    void qQuitsButIsTypedIntoAFilter() {
        ViewState state = new ViewState();
        state.press(ViewState.Key.CHARACTER, '/', 20);
        state.press(ViewState.Key.CHARACTER, 'q', 20);
        assertFalse(state.quit());
        assertEquals("q", state.editing());
        state.press(ViewState.Key.BACKSPACE, 0, 20);
        assertEquals("", state.editing());
        state.press(ViewState.Key.ENTER, 0, 20);
        state.press(ViewState.Key.CHARACTER, 'q', 20);
        assertTrue(state.quit());
    }

    @Test
    void arrowsAndPagesScrollTheBodyWithinItsLength() {
        Snapshot s = many(40); // body: section, 40 rows, writers' rule, heading, one writer = 44 lines
        ViewState state = new ViewState();
        int page = WatchView.page(s, SCREEN);
        assertEquals(21, page);
        state.press(ViewState.Key.DOWN, 0, page);
        List<String> lines = text(WatchView.render(s, state, SCREEN));
        assertTrue(lines.get(2).startsWith("  event00 "), lines.get(2));
        assertTrue(lines.get(23).startsWith("2-22/44 "), lines.get(23));

        state.press(ViewState.Key.PAGE_DOWN, 0, page);
        lines = text(WatchView.render(s, state, SCREEN));
        assertTrue(lines.get(2).startsWith("  event20 "), lines.get(2)); // a page is 20 lines: one stays in view
        assertTrue(lines.get(23).startsWith("22-42/44 "), lines.get(23));

        state.press(ViewState.Key.PAGE_DOWN, 0, page);
        lines = text(WatchView.render(s, state, SCREEN));
        assertTrue(lines.get(23).startsWith("24-44/44 "), "the last page is full: " + lines.get(23));
        assertTrue(lines.get(22).startsWith("  shop "), lines.get(22));

        state.press(ViewState.Key.UP, 0, page); // straight back from the clamped end, no dead key presses
        assertTrue(text(WatchView.render(s, state, SCREEN)).get(23).startsWith("23-43/44 "));
        state.press(ViewState.Key.HOME, 0, page);
        state.press(ViewState.Key.UP, 0, page);
        assertTrue(text(WatchView.render(s, state, SCREEN)).get(23).startsWith("1-21/44 "));
        state.press(ViewState.Key.END, 0, page);
        assertTrue(text(WatchView.render(s, state, SCREEN)).get(23).startsWith("24-44/44 "));
    }

    @Test
    void plainOutputIsTheWholeBodyWithoutKeys() {
        WatchView.Screen plain = new WatchView.Screen(80, 0, WatchView.Glyphs.UNICODE, ZoneOffset.UTC, "ecl.yml");
        List<String> lines = text(WatchView.render(many(40), new ViewState(), plain));
        assertEquals(2 + 44, lines.size());
        assertTrue(lines.get(lines.size() - 1).startsWith("  shop "));
    }

    @Test
    void redisUnreachableIsAStatusLineAboveTheLastCountsRead() {
        Snapshot s = new Snapshot(NOON + 9_000, many(2).panels(), List.of(new Snapshot.Writer("abc", "shop", "web1", 42,
                7, 0, false, NOON, "")), "cannot connect to Redis at localhost:6379: Connection refused (retrying)",
                NOON + 3_000);
        List<String> lines = text(WatchView.render(s, new ViewState(), SCREEN));
        assertEquals("ecl watch ecl.yml" + " ".repeat(45) + "counts of 12:00:03", lines.get(0));
        assertEquals("cannot connect to Redis at localhost:6379: Connection refused (retrying)" + " ".repeat(8),
                lines.get(1));
        assertTrue(lines.get(4).startsWith("  event00 "), lines.get(4));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  shop ") && l.stripTrailing().endsWith(" down")));
        assertEquals(20, WatchView.page(s, SCREEN));
    }

    @Test
    void narrowScreensDropTheSparklineBeforeTheCounts() {
        WatchView.Screen narrow = new WatchView.Screen(40, 10, WatchView.Glyphs.ASCII, ZoneOffset.UTC, "ecl.yml");
        List<String> lines = text(WatchView.render(snapshot(panel("web", event("a-long-event-name-here", 5, 6, 1, 2))),
                new ViewState(), narrow));
        for (String line : lines) {
            assertEquals(40, Columns.width(line), line);
        }
        assertEquals("  a-long-e~me-here         5         6  ", lines.get(3));
    }
}
