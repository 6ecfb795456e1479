package io.ecl.core;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One interval of a group: the string as written in the config (it is part of the Redis keys, so
 * {@code 5m} and {@code 300s} are different intervals) and its length.
 *
 * <p>Intervals are aligned to the Unix epoch: a 5m interval starts at :00, :05, ...
 */
public final class Interval {
    private static final Pattern FORMAT =
            Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([smhd])", Pattern.CASE_INSENSITIVE);

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
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid interval '" + text
                    + "': expected a positive number followed by s, m, h or d (e.g. 5s, 5m, 1.5h)");
        }
        BigDecimal number = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
        long unit;
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "s": unit = 1_000L; break;
            case "m": unit = 60_000L; break;
            case "h": unit = 3_600_000L; break;
            default: unit = 86_400_000L; break;
        }
        BigDecimal millis = number.multiply(BigDecimal.valueOf(unit));
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
