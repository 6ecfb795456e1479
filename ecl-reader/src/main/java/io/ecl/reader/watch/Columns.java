package io.ecl.reader.watch;

/**
 * Text measured in terminal columns rather than chars: East Asian wide characters and most emoji
 * take two, combining marks none. Names come from Redis (auto-declared events are whatever a
 * writer sent), so control characters are replaced before anything reaches the terminal, where
 * an escape sequence in a name would otherwise move the cursor or change the colours.
 */
final class Columns {
    private Columns() {
    }

    /** The columns {@code cp} takes: 0, 1 or 2. */
    static int width(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT
                || cp == 0x200B) {
            return 0;
        }
        return wide(cp) ? 2 : 1;
    }

    private static boolean wide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF)
                || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }

    /** The columns {@code s} takes. */
    static int width(CharSequence s) {
        int w = 0;
        for (int k = 0; k < s.length(); ) {
            int cp = Character.codePointAt(s, k);
            w += width(cp);
            k += Character.charCount(cp);
        }
        return w;
    }

    /** {@code s} with every control character (C0, DEL, C1) replaced by '?'. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (Character.isISOControl(c)) {
                if (b == null) {
                    b = new StringBuilder(s.length()).append(s, 0, k);
                }
                b.append('?');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * {@code s} in exactly {@code columns} columns: padded with spaces on the right, or, when
     * longer, its start and end with {@code ellipsis} between them (names of one family often
     * share a prefix and differ at the end: {@code checkout.payment.card.declined}).
     */
    static String fit(String s, int columns, String ellipsis) {
        if (columns <= 0) {
            return "";
        }
        int w = width(s);
        if (w <= columns) {
            return pad(s, w, columns);
        }
        int e = width(ellipsis);
        if (columns <= e) {
            return head(s, columns);
        }
        int room = columns - e;
        int tailColumns = room / 2;
        String out = start(s, room - tailColumns) + ellipsis + end(s, tailColumns);
        return pad(out, width(out), columns);
    }

    /** {@code s} cut to at most {@code columns} columns (then padded to exactly that many). */
    static String cut(String s, int columns) {
        int w = width(s);
        return w <= columns ? pad(s, w, columns) : head(s, columns);
    }

    /** {@code s} right-aligned in {@code columns} columns, cut on the left when longer. */
    static String right(String s, int columns) {
        int w = width(s);
        if (w >= columns) {
            return tail(s, columns);
        }
        return " ".repeat(columns - w) + s;
    }

    /** The longest start of {@code s} of at most {@code columns} columns, padded to exactly that many. */
    private static String head(String s, int columns) {
        String start = start(s, columns);
        return pad(start, width(start), columns);
    }

    /** The longest start of {@code s} of at most {@code columns} columns. */
    private static String start(String s, int columns) {
        StringBuilder b = new StringBuilder(columns);
        int w = 0;
        for (int k = 0; k < s.length(); ) {
            int cp = Character.codePointAt(s, k);
            int cw = width(cp);
            if (w + cw > columns) {
                break;
            }
            b.appendCodePoint(cp);
            w += cw;
            k += Character.charCount(cp);
        }
        return b.toString();
    }

    /** The longest end of {@code s} of at most {@code columns} columns, padded on the left to exactly that many. */
    private static String tail(String s, int columns) {
        String end = end(s, columns);
        return " ".repeat(columns - width(end)) + end;
    }

    /** The longest end of {@code s} of at most {@code columns} columns. */
    private static String end(String s, int columns) {
        int w = 0;
        int k = s.length();
        while (k > 0) {
            int cp = Character.codePointBefore(s, k);
            int cw = width(cp);
            if (w + cw > columns) {
                break;
            }
            w += cw;
            k -= Character.charCount(cp);
        }
        return s.substring(k);
    }

    private static String pad(String s, int width, int columns) {
        return width >= columns ? s : s + " ".repeat(columns - width);
    }
}
