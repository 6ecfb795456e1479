package io.ecl.reader.watch;

import java.util.Locale;

/**
 * What the user has done to the view: how far it is scrolled, the filter applied, the filter
 * being typed. Changed only by {@link #press}; the terminal loop turns keys into {@link Key}s, so
 * everything the keys do is tested without a terminal.
 */
final class ViewState {
    /** The keys the view answers to. */
    enum Key {
        /** Ctrl-C: quits even while a filter is typed ('q', a {@link #CHARACTER}, quits otherwise). */
        QUIT,
        UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END, ENTER, ESCAPE, BACKSPACE,
        /** A printable character: 'q' quits and '/' starts a filter, unless a filter is being typed. */
        CHARACTER,
        /** A key the view does not use (F5, ...). */
        IGNORED
    }

    private int scroll;
    private String filter = "";
    private StringBuilder editing; // null unless the user is typing a filter after '/'
    private boolean quit;

    /** The first body line shown (before clamping to the body's length, see {@link #clampScroll}). */
    int scroll() {
        return scroll;
    }

    /** The filter in force, lower case; empty: none. */
    String filter() {
        return filter;
    }

    /** The filter being typed after '/', or null when none is. */
    String editing() {
        return editing == null ? null : editing.toString();
    }

    boolean quit() {
        return quit;
    }

    /**
     * Applies a key. {@code c} is the character typed for {@link Key#CHARACTER} (ignored
     * otherwise); {@code page} the number of body lines on screen, for page up/down.
     */
    void press(Key key, int c, int page) {
        if (editing != null) {
            switch (key) {
                case ENTER -> {
                    filter = editing.toString().strip().toLowerCase(Locale.ROOT);
                    editing = null;
                    scroll = 0;
                }
                case ESCAPE -> {
                    filter = "";
                    editing = null;
                    scroll = 0;
                }
                case BACKSPACE -> {
                    if (editing.length() > 0) {
                        editing.setLength(editing.offsetByCodePoints(editing.length(), -1));
                    }
                }
                case CHARACTER -> {
                    if (!Character.isISOControl(c)) {
                        editing.appendCodePoint(c);
                    }
                }
                case QUIT -> quit = true;
                default -> { } // arrows while typing: ignored
            }
            return;
        }
        int step = Math.max(1, page - 1); // a page keeps one line of the previous one in view
        switch (key) {
            case QUIT -> quit = true;
            case UP -> scroll = Math.max(0, scroll - 1);
            case DOWN -> scroll++;
            case PAGE_UP -> scroll = Math.max(0, scroll - step);
            case PAGE_DOWN -> scroll += step;
            case HOME -> scroll = 0;
            case END -> scroll = Integer.MAX_VALUE / 2;
            case CHARACTER -> {
                if (c == 'q' || c == 'Q') {
                    quit = true;
                } else if (c == '/') {
                    editing = new StringBuilder();
                }
            }
            case ESCAPE -> {
                filter = "";
                scroll = 0;
            }
            default -> { }
        }
    }

    /**
     * Keeps the scroll within a body of {@code lines} lines shown {@code page} at a time: the
     * last page is full, and scrolling past the end and back up takes no extra key presses.
     */
    void clampScroll(int lines, int page) {
        scroll = Math.max(0, Math.min(scroll, lines - page));
    }

    /** Whether a name passes the filter (case-insensitive substring). */
    boolean shows(String name) {
        return filter.isEmpty() || name.toLowerCase(Locale.ROOT).contains(filter);
    }
}
