package io.ecl.core;

import java.math.BigDecimal;

/**
 * One interval of a group: the string as written in the config (it is part of the Redis keys, so
 * {@code 5m} and {@code 300s} are different intervals) and its length.
 *
 * <p>Intervals are aligned to the Unix epoch: a 5m interval starts at :00, :05, ...
 */
public final class Interval {
    private final String name;
    private final long lengthMillis;

    private Interval(String name, long lengthMillis) {
        this.name = name;
        this.lengthMillis = lengthMillis;
    }

    /**
     * Parses an interval as the Python version does (a number, fraction allowed, followed by
     * s, m or h in any case), plus {@code d} for days.
     *
     * @throws IllegalArgumentException with a message naming the value when it is malformed,
     *     zero, negative or not a whole number of milliseconds
     */
    public static Interval parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("interval is empty");
        }
        // (\d+(?:\.\d*)?|\.\d+)[smhd], ASCII digits, the unit in either case; read without a
        // regular expression, whose compilation costs a command-line tool's start more than the config.
        int n = text.length();
        String digits = n < 2 ? "" : text.substring(0, n - 1);
        int dot = digits.indexOf('.');
        boolean number = !digits.isEmpty() && asciiDigits(digits, 0, dot < 0 ? digits.length() : dot)
                && (dot < 0 || (asciiDigits(digits, dot + 1, digits.length()) && digits.length() > 1));
        long unit;
        switch (n < 2 ? ' ' : text.charAt(n - 1)) {
            case 's': case 'S': unit = 1_000L; break;
            case 'm': case 'M': unit = 60_000L; break;
            case 'h': case 'H': unit = 3_600_000L; break;
            case 'd': case 'D': unit = 86_400_000L; break;
            default: unit = 0; break;
        }
        if (!number || unit == 0) {
            throw new IllegalArgumentException("invalid interval '" + text
                    + "': expected a positive number followed by s, m, h or d (e.g. 5s, 5m, 1.5h)");
        }
        BigDecimal value = new BigDecimal(dot == 0 ? "0" + digits : digits);
        BigDecimal millis = value.multiply(BigDecimal.valueOf(unit));
        if (millis.signum() <= 0) {
            throw new IllegalArgumentException("invalid interval '" + text + "': must be longer than zero");
        }
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("invalid interval '" + text
                    + "': must be a whole number of milliseconds");
        }
        if (millis.compareTo(BigDecimal.valueOf(366L * 86_400_000L)) > 0) {
            throw new IllegalArgumentException("invalid interval '" + text + "': longer than a year");
        }
        return new Interval(text, millis.longValueExact());
    }

    /** Whether {@code s} holds only the digits 0-9 from {@code from} to {@code to}. */
    private static boolean asciiDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The interval as written in the config, e.g. {@code 5m}; part of the Redis keys. */
    public String name() {
        return name;
    }

    public long lengthMillis() {
        return lengthMillis;
    }

    /** Start of the interval containing {@code epochMillis}, aligned to the Unix epoch. */
    public long startOf(long epochMillis) {
        return Math.floorDiv(epochMillis, lengthMillis) * lengthMillis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Interval && ((Interval) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
