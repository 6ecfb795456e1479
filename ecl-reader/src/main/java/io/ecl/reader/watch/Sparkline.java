package io.ecl.reader.watch;

/**
 * A sparkline: one character per interval, oldest on the left, its height the interval's count
 * relative to the highest of those shown. The scale starts at 0, not at the smallest value: a
 * count that goes from 1000 to 1010 is a flat line, not a cliff. Zero is the lowest glyph and any
 * count above zero at least the second lowest, so "nothing happened" stays visible.
 */
final class Sparkline {
    /** The eight heights, for a terminal that shows Unicode. */
    static final String BLOCKS = "▁▂▃▄▅▆▇█";

    /** The same eight heights in ASCII, for output whose charset cannot encode the blocks. */
    static final String ASCII = "_.-:=+*#";

    private Sparkline() {
    }

    /**
     * The last {@code width} of {@code values} (oldest first) drawn with {@code glyphs} (eight
     * characters, lowest first), right-aligned: fewer values than {@code width} leave spaces on
     * the left, so the newest interval is always in the last column. Negative values and NaN are
     * drawn as 0.
     */
    static String render(double[] values, int width, String glyphs) {
        if (glyphs.length() != 8) {
            throw new IllegalArgumentException("eight glyphs expected, got " + glyphs.length());
        }
        if (width <= 0) {
            return "";
        }
        int shown = Math.min(width, values.length);
        int from = values.length - shown;
        double max = 0;
        for (int k = from; k < values.length; k++) {
            max = Math.max(max, clean(values[k]));
        }
        StringBuilder b = new StringBuilder(width);
        for (int k = shown; k < width; k++) {
            b.append(' ');
        }
        for (int k = from; k < values.length; k++) {
            b.append(glyphs.charAt(level(clean(values[k]), max)));
        }
        return b.toString();
    }

    /** 0 for nothing, 1..7 for (0, max] in seven equal steps: the top glyph for the highest value. */
    static int level(double value, double max) {
        if (value <= 0 || max <= 0) {
            return 0;
        }
        // value * 7 / max rather than value / max * 7: exact for the counts of step boundaries
        return (int) Math.max(1, Math.min(7, Math.ceil(value * 7 / max)));
    }

    private static double clean(double v) {
        return Double.isNaN(v) || v < 0 ? 0 : v;
    }
}
