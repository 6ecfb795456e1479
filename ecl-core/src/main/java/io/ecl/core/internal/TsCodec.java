package io.ecl.core.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The {@code @ts} wire rule: how an interval start is written to and read from the
 * {@code cur:@ts}, {@code last:@ts} and {@code last:@end} keys. The one Java home of the rule;
 * the Lua scripts' home is {@code fmt_secs}, {@code aligned} and {@code python_ts} in
 * {@code lua/ecl/prelude.lua}, and PlacementAgreementTest drives both over generated cases.
 *
 * <p>The value is Unix seconds: whole where possible (as the Python version writes it), with a
 * decimal fraction for sub-second boundaries. The Python version's master writes the moment its
 * rotation ran, not the boundary, so a value read back is aligned down to the interval grid
 * before any comparison.
 */
public final class TsCodec {
    /** {@link #aligned}'s answer for a missing {@code @ts}. */
    static final long MISSING = Long.MIN_VALUE;
    /** {@link #aligned}'s answer for an {@code @ts} that is not a plain decimal: Lua's own reading of it is the only right one. */
    static final long UNREADABLE = Long.MIN_VALUE + 1;

    private TsCodec() {
    }

    /** An interval start (or a length) in Unix ms as {@code @ts} holds it, e.g. {@code 1699920000.25}. */
    public static String format(long epochMillis) {
        if (epochMillis % 1000 == 0) {
            return Long.toString(epochMillis / 1000);
        }
        return BigDecimal.valueOf(epochMillis, 3).stripTrailingZeros().toPlainString();
    }

    /**
     * Reads an {@code @ts} value (Unix seconds, possibly fractional, as Python writes it) to ms,
     * rounded half up; not aligned.
     *
     * @throws NumberFormatException when it is not a decimal number
     * @throws ArithmeticException when it does not fit in a long
     */
    public static long parse(String seconds) {
        return new BigDecimal(seconds.trim()).movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /**
     * The prelude's aligned(): the interval start (ms) of an {@code @ts} value, computed with the
     * same double arithmetic (Lua's tonumber and Java's parseDouble both round correctly).
     * Only plain decimals are read here (Python's master may write a fraction of any length);
     * anything else Lua would read its own way (hex, exponents, spaces): {@link #UNREADABLE}, and
     * the caller leaves the decision to the script. {@link #MISSING} for null.
     */
    public static long aligned(String ts, long len) {
        if (ts == null) {
            return MISSING;
        }
        int n = ts.length();
        if (n == 0 || n > 32) {
            return UNREADABLE;
        }
        int dot = -1;
        for (int i = 0; i < n; i++) {
            char ch = ts.charAt(i);
            if (ch == '.' && dot < 0 && i > 0 && i < n - 1) {
                dot = i;
            } else if (ch < '0' || ch > '9') {
                return UNREADABLE;
            }
        }
        double seconds = Double.parseDouble(ts);
        if (seconds > 9.0e12) {
            return UNREADABLE; // beyond exact long milliseconds in a double; no real @ts
        }
        long ms = (long) Math.floor(seconds * 1000 + 0.5);
        return ms - Math.floorMod(ms, len);
    }

    /**
     * The prelude's python_ts(): true when {@code ts}, whose aligned start is {@code alignedStart},
     * was written by the Python version's master (it stores the time its rotation ran, never an
     * aligned boundary as ecl does).
     */
    public static boolean writtenByPython(String ts, long alignedStart) {
        return alignedStart != MISSING && alignedStart != UNREADABLE && !format(alignedStart).equals(ts);
    }
}
