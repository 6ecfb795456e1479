package io.ecl.reader.watch;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Snapshot} as lines of text: a pure function of the snapshot, the user's
 * {@link ViewState} and the screen's size, so the layout is tested without a terminal.
 *
 * <p>On a terminal: a title line (and a status line while Redis cannot be read), the column
 * headings, the body (one section per (group, interval), then the writers) scrolled to fit, and a
 * line of keys at the bottom. Every line is exactly the screen's width: names too long for their
 * column keep their start and end around an ellipsis, nothing wraps. As plain output (no height):
 * the title, status and the whole body, no key line.
 */
final class WatchView {
    /** How a line is shown on a terminal; plain output ignores it. */
    enum Style {
        TITLE, ALERT, HEADING, SECTION, ROW, KEYS
    }

    /** One line of the view. */
    record Line(String text, Style style) {
    }

    /**
     * The characters the view draws with. The rule is the heavy line: JLine draws the light one
     * ('─') with the terminal's line-drawing character set, which copies and screen captures
     * show as 'q'.
     */
    record Glyphs(String blocks, String ellipsis, char rule, String arrows) {
        static final Glyphs UNICODE = new Glyphs(Sparkline.BLOCKS, "…", '━', "↑↓");
        static final Glyphs ASCII = new Glyphs(Sparkline.ASCII, "~", '-', "Up/Down");
    }

    /**
     * The screen: {@code height} 0 for plain output (every line, no keys line).
     *
     * @param label what is watched, for the title (the config file's name)
     */
    record Screen(int width, int height, Glyphs glyphs, ZoneId zone, String label) {
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final int NUMBER = 9;

    private WatchView() {
    }

    /** The lines of the screen, top to bottom; {@code state}'s scroll is clamped to the body. */
    static List<Line> render(Snapshot s, ViewState state, Screen screen) {
        int w = screen.width();
        List<Line> top = new ArrayList<>();
        // The time of the counts shown: now, or, while Redis cannot be read, when they were read.
        String time = s.takenMillis() == 0 ? ""
                : s.status() != null && s.dataMillis() != 0 ? "counts of " + clock(s.dataMillis(), screen.zone())
                : clock(s.takenMillis(), screen.zone());
        String title = "ecl watch " + screen.label();
        top.add(new Line(Columns.cut(title, Math.max(0, w - time.length() - 1)) + (w > time.length() ? " " : "")
                + Columns.right(time, Math.min(w, time.length())), Style.TITLE));
        if (s.status() != null) {
            top.add(new Line(Columns.cut(Columns.printable(s.status()), w), Style.ALERT));
        }
        Layout layout = Layout.of(w);
        top.add(new Line(layout.row("NAME", "LAST", "CURRENT", layout.spark > 0 ? "HISTORY" : "", screen.glyphs()),
                Style.HEADING));

        List<Line> body = body(s, state, screen, layout);
        List<Line> out = new ArrayList<>(top);
        if (screen.height() <= 0) {
            out.addAll(body);
            return out;
        }
        int page = Math.max(0, screen.height() - top.size() - 1);
        state.clampScroll(body.size(), page);
        int from = state.scroll();
        int to = Math.min(body.size(), from + page);
        out.addAll(body.subList(from, to));
        for (int k = to - from; k < page; k++) {
            out.add(new Line(" ".repeat(w), Style.ROW));
        }
        out.add(new Line(Columns.cut(keys(state, screen.glyphs(), from, to, body.size()), w), Style.KEYS));
        return out.subList(0, Math.min(out.size(), screen.height()));
    }

    /** How many body lines a screen shows (for page up and down). */
    static int page(Snapshot s, Screen screen) {
        return Math.max(1, screen.height() - (s.status() != null ? 4 : 3));
    }

    private static String keys(ViewState state, Glyphs g, int from, int to, int lines) {
        if (state.editing() != null) {
            return "filter: " + Columns.printable(state.editing()) + "_   (Enter applies, Esc clears)";
        }
        String position = lines == 0 ? "" : (from + 1) + "-" + to + "/" + lines + "  ";
        String filter = state.filter().isEmpty() ? "" : "filter '" + state.filter() + "' (Esc clears)  ";
        return position + filter + "q quit  " + g.arrows() + " PgUp PgDn scroll  / filter";
    }

    private static List<Line> body(Snapshot s, ViewState state, Screen screen, Layout layout) {
        int w = screen.width();
        Glyphs g = screen.glyphs();
        List<Line> body = new ArrayList<>();
        for (Snapshot.Panel p : s.panels()) {
            boolean wholeGroup = state.shows(p.group());
            List<Line> rows = new ArrayList<>();
            for (Snapshot.Row r : p.rows()) {
                if (wholeGroup || state.shows(r.name())) {
                    rows.add(new Line(row(r, layout, g), Style.ROW));
                }
            }
            if (!wholeGroup && rows.isEmpty()) {
                continue;
            }
            body.add(new Line(section(p, screen), Style.SECTION));
            if (p.problem() != null) {
                body.add(new Line(Columns.cut("  " + Columns.printable(p.problem()), w), Style.ALERT));
            } else if (rows.isEmpty()) {
                body.add(new Line(Columns.cut("  (nothing counted yet)", w), Style.ROW));
            }
            body.addAll(rows);
        }
        if (s.panels().isEmpty() && s.dataMillis() != 0) {
            body.add(new Line(Columns.cut("(no group to watch)", w), Style.ROW));
        } else if (body.isEmpty() && !state.filter().isEmpty()) {
            body.add(new Line(Columns.cut("(no name contains '" + state.filter() + "')", w), Style.ROW));
        }
        body.add(new Line(rule(g.rule() + " writers (" + s.writers().stream().filter(Snapshot.Writer::up).count()
                + " up) ", w, g.rule()), Style.SECTION));
        if (s.writers().isEmpty()) {
            body.add(new Line(Columns.cut("  (no writer has a live heartbeat)", w), Style.ROW));
        } else {
            body.add(new Line(writer("APP", "HOST", "PENDING", "DROPPED", "STATE", w, g), Style.HEADING));
            for (Snapshot.Writer wr : s.writers()) {
                body.add(new Line(writer(wr.app(), wr.host(), count(wr.pending()), count(wr.dropped()),
                        wr.up() ? "up" : "down", w, g), wr.up() ? Style.ROW : Style.ALERT));
            }
        }
        return body;
    }

    private static String section(Snapshot.Panel p, Screen screen) {
        StringBuilder b = new StringBuilder().append(screen.glyphs().rule()).append(' ')
                .append(Columns.printable(p.group())).append(' ').append(p.interval()).append(' ');
        if (p.currentStartMillis() != null) {
            b.append(screen.glyphs().rule()).append(" last ");
            b.append(p.lastStartMillis() == null ? "?" : clock(p.lastStartMillis(), screen.zone())).append('-')
                    .append(clock(p.currentStartMillis(), screen.zone())).append(' ');
        } else {
            b.append(screen.glyphs().rule()).append(" never rotated (is ecl-master running?) ");
        }
        if (p.stale() && p.currentStartMillis() != null) {
            b.append(screen.glyphs().rule()).append(" STALE: not rotated on time (is ecl-master running?) ");
        }
        return rule(b.toString(), screen.width(), screen.glyphs().rule());
    }

    /** {@code text} then the rule character up to the width. */
    private static String rule(String text, int w, char rule) {
        int tw = Columns.width(text);
        return tw >= w ? Columns.cut(text, w) : text + String.valueOf(rule).repeat(w - tw);
    }

    private static String row(Snapshot.Row r, Layout layout, Glyphs g) {
        String tag = switch (r.kind()) {
            case EVENT -> "";
            case UNIQUE -> " (unique)";
            case P50 -> " p50";
            case P99 -> " p99";
        };
        int nameColumns = Math.max(0, layout.name - tag.length());
        String name = Columns.fit(Columns.printable(r.name()), nameColumns, g.ellipsis());
        if (!tag.isEmpty()) {
            name = name.stripTrailing() + tag;
            name = name + " ".repeat(Math.max(0, layout.name - Columns.width(name)));
        }
        boolean integral = r.kind() == Snapshot.Kind.EVENT || r.kind() == Snapshot.Kind.UNIQUE;
        String spark = layout.spark > 0 ? Sparkline.render(r.history(), layout.spark, g.blocks()) : "";
        return layout.row(name, number(r.last(), integral), number(r.current(), integral), spark, g);
    }

    private static String writer(String app, String host, String pending, String dropped, String state, int w,
            Glyphs g) {
        int hostColumns = Math.max(4, (w - 2 - 2 * (NUMBER + 1) - 6) / 2 - 1);
        int appColumns = Math.max(4, w - 2 - hostColumns - 1 - 2 * (NUMBER + 1) - 6);
        String line = "  " + Columns.fit(Columns.printable(app), appColumns, g.ellipsis()) + " "
                + Columns.fit(Columns.printable(host), hostColumns, g.ellipsis()) + " "
                + Columns.right(pending, NUMBER) + " " + Columns.right(dropped, NUMBER) + " "
                + Columns.cut(state, 5);
        return Columns.cut(line, w);
    }

    /** The columns of an event row at a given width: name, last, current, history. */
    record Layout(int width, int name, int spark) {
        static Layout of(int width) {
            int fixed = 2 + 1 + NUMBER + 1 + NUMBER + 2; // indent, name | last | current | history
            int room = Math.max(0, width - fixed);
            int spark = room >= 24 ? Math.min(60, room / 2) : 0;
            return new Layout(width, room - spark, spark);
        }

        String row(String name, String last, String current, String spark, Glyphs g) {
            String line = "  " + Columns.fit(name, this.name, g.ellipsis()) + " " + Columns.right(last, NUMBER) + " "
                    + Columns.right(current, NUMBER) + (spark.isEmpty() ? "" : "  " + Columns.cut(spark, this.spark));
            return Columns.cut(line, width);
        }
    }

    /** A count in at most 9 columns: exact up to 999,999,999, then 1.23G and so on. */
    static String count(long n) {
        String plain = Long.toString(n);
        if (plain.length() <= NUMBER) {
            return plain;
        }
        return compact(n);
    }

    private static String number(double v, boolean integral) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (integral) {
            return count((long) v);
        }
        if (Math.abs(v) >= 100_000) {
            return compact(v);
        }
        String text = String.format(Locale.ROOT, "%.3f", v);
        text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
        return text.equals("-0") ? "0" : text;
    }

    private static String compact(double v) {
        String[] units = {"", "k", "M", "G", "T", "P", "E"};
        int u = 0;
        double a = Math.abs(v);
        while (a >= 999.5 && u < units.length - 1) {
            a /= 1000;
            u++;
        }
        String digits = a >= 99.95 ? String.format(Locale.ROOT, "%.0f", a)
                : a >= 9.995 ? String.format(Locale.ROOT, "%.1f", a) : String.format(Locale.ROOT, "%.2f", a);
        return (v < 0 ? "-" : "") + digits + units[u];
    }

    private static String clock(long millis, ZoneId zone) {
        return CLOCK.format(Instant.ofEpochMilli(millis).atZone(zone));
    }
}
