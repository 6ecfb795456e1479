package io.ecl.core.internal.kinds;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A value's statistics in Redis: one hash per (value name, interval), every field of which merges
 * by addition except min and max, so that any number of processes, each sending what it recorded
 * ({@link #encode}), add up to exactly the statistics of all their values ({@link #decode}).
 *
 * <h2>Fields</h2>
 * <table>
 * <caption>fields of a value hash</caption>
 * <tr><th>field</th><th>holds</th><th>written with</th></tr>
 * <tr><td>{@code c}</td><td>count of (valid) values</td><td>HINCRBY</td></tr>
 * <tr><td>{@code z}</td><td>count of zeros</td><td>HINCRBY</td></tr>
 * <tr><td>{@code b<i>}</td><td>count of positive values v with γ^(i−1) &lt; v ≤ γ^i,
 *     γ = 1.01/0.99 (e.g. {@code b230} holds 97.53 &lt; v ≤ 99.50); i from −1036 to 2073</td>
 *     <td>HINCRBY</td></tr>
 * <tr><td>{@code n<i>}</td><td>the same for negative values, by magnitude</td><td>HINCRBY</td></tr>
 * <tr><td>{@code s0}, {@code s1}, ...</td><td>the exact sum in millionths, in limbs of base 10⁹:
 *     sum = Σ s<k> · 10^(9k) / 10⁶. Each send adds less than 10⁹ to a limb, so no field
 *     overflows Redis' 64-bit integers before 9·10⁹ sends</td><td>HINCRBY</td></tr>
 * <tr><td>{@code q}</td><td>sum of squares (double)</td><td>HINCRBYFLOAT</td></tr>
 * <tr><td>{@code x}</td><td>count of invalid values (NaN, ±infinity, |v| &gt; 1e18)</td><td>HINCRBY</td></tr>
 * <tr><td>{@code lo}, {@code hi}</td><td>min and max, as Java's round-trip decimal
 *     ({@code Double.toString})</td><td>compare-and-set: set {@code lo} when absent or when
 *     {@code tonumber(new) < tonumber(lo)} (and {@code hi} with &gt;), storing the string sent, never
 *     Lua's {@code tostring}, which keeps only 14 digits</td></tr>
 * </table>
 * {@code c} equals {@code z} plus every {@code b} and {@code n}: a reader that only wants the count
 * reads one field. Fields this version does not know are ignored by {@link #decode}.
 *
 * <h2>Memory in Redis</h2>
 * Measured with {@code MEMORY USAGE} on Redis 6.2.11 (embedded-redis) for 1,000,000 latencies
 * drawn from a lognormal distribution (median 100 ms, σ = 1) clipped to 1..10,000 ms, sent by one
 * process: 441 fields (435 buckets, c, s0, s1, q, lo, hi), <b>4,203 bytes</b>, as Redis
 * keeps a hash of up to {@code hash-max-ziplist-entries} (default 512; listpack in Redis 7)
 * fields in its compact encoding. A distribution spanning more than about 4.4 decades per sign
 * (512 buckets) turns the hash into a hash table: the same 441 fields then take 21,880 bytes
 * (about 50 bytes per field). The count of fields does not grow with the count of values, only
 * with the range they span: 115 buckets per decade. HINCRBY on the compact encoding scans the
 * hash, so a send of all 441 fields costs Redis about 441 × 441 field comparisons (well under a
 * millisecond). SketchFieldsTest#memoryOfATypicalLatencyHash measures it.
 */
public final class SketchFields {
    public static final String COUNT = "c";
    public static final String ZEROS = "z";
    public static final String POSITIVE = "b";
    public static final String NEGATIVE = "n";
    public static final String SUM = "s";
    public static final String SQUARES = "q";
    public static final String INVALID = "x";
    public static final String MIN = "lo";
    public static final String MAX = "hi";
    private static final BigInteger LIMB = BigInteger.TEN.pow(9);

    private SketchFields() {
    }

    /** One HINCRBY. */
    public record Increment(String field, long by) {
    }

    /**
     * What one send adds to a value hash: the HINCRBY {@link #increments} (none of them 0),
     * {@link #squares} for HINCRBYFLOAT on {@link #SQUARES} (0: nothing to add), and the candidates
     * for {@link #MIN} and {@link #MAX} (NaN when the snapshot has none).
     */
    public record Encoded(List<Increment> increments, double squares, double min, double max) {
        /** The argument for HINCRBYFLOAT: Java's round-trip decimal, which Redis parses. */
        public String squaresText() {
            return Double.toString(squares);
        }

        /** The string to store in {@link #MIN}; null when there is no min. */
        public String minText() {
            return Double.isNaN(min) ? null : Double.toString(min);
        }

        /** The string to store in {@link #MAX}; null when there is no max. */
        public String maxText() {
            return Double.isNaN(max) ? null : Double.toString(max);
        }

        public boolean isEmpty() {
            return increments.isEmpty() && squares == 0 && Double.isNaN(min) && Double.isNaN(max);
        }
    }

    /** The increments that add {@code s} to a value hash (pure: no Redis involved). */
    public static Encoded encode(SketchSnapshot s) {
        List<Increment> out = new ArrayList<>(s.buckets() + 6);
        if (s.count() != 0) {
            out.add(new Increment(COUNT, s.count()));
        }
        for (int i = 0; i < s.buckets(); i++) {
            int slot = s.slotAt(i);
            long c = s.countAt(i);
            if (slot == LogBuckets.ZERO_SLOT) {
                out.add(new Increment(ZEROS, c));
            } else {
                out.add(new Increment((slot > LogBuckets.ZERO_SLOT ? POSITIVE : NEGATIVE) + LogBuckets.indexOfSlot(slot), c));
            }
        }
        BigInteger micros = s.sumMicros();
        int sign = micros.signum();
        BigInteger rest = micros.abs();
        for (int k = 0; rest.signum() != 0; k++) {
            BigInteger[] qr = rest.divideAndRemainder(LIMB);
            long limb = qr[1].longValueExact();
            if (limb != 0) {
                out.add(new Increment(SUM + k, sign * limb));
            }
            rest = qr[0];
        }
        if (s.invalid() != 0) {
            out.add(new Increment(INVALID, s.invalid()));
        }
        return new Encoded(Collections.unmodifiableList(out), s.sumOfSquares(), s.min(), s.max());
    }

    /**
     * The statistics of a value hash as read with HGETALL (an empty map: nothing recorded).
     *
     * @throws IllegalArgumentException when a field holds what no writer writes (not a number, a
     *     bucket out of range, a count that disagrees with the buckets), naming field and value
     */
    public static SketchSnapshot decode(Map<String, String> hash) {
        SketchSnapshot s = new SketchSnapshot();
        long declaredCount = -1;
        BigInteger micros = BigInteger.ZERO;
        for (Map.Entry<String, String> e : hash.entrySet()) {
            String f = e.getKey();
            String v = e.getValue();
            if (f.equals(COUNT)) {
                declaredCount = integer(f, v);
            } else if (f.equals(ZEROS)) {
                s.addSlot(LogBuckets.ZERO_SLOT, count(f, v));
            } else if (f.equals(INVALID)) {
                s.addInvalid(count(f, v));
            } else if (f.equals(SQUARES)) {
                s.addSumOfSquares(decimal(f, v));
            } else if (f.equals(MIN)) {
                s.addMin(decimal(f, v));
            } else if (f.equals(MAX)) {
                s.addMax(decimal(f, v));
            } else if (f.length() > 1 && isIndex(f)) {
                char kind = f.charAt(0);
                if (kind == 's') {
                    int k = Integer.parseInt(f.substring(1));
                    if (k > 100) {
                        throw new IllegalArgumentException("value hash field '" + f + "': no sum has so many limbs");
                    }
                    micros = micros.add(BigInteger.valueOf(integer(f, v)).multiply(LIMB.pow(k)));
                } else if (kind == 'b' || kind == 'n') {
                    int index;
                    try {
                        index = Integer.parseInt(f.substring(1));
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("value hash field '" + f + "': bucket index out of range");
                    }
                    if (!LogBuckets.validIndex(index)) {
                        throw new IllegalArgumentException("value hash field '" + f + "': bucket index out of range ["
                                + LogBuckets.MIN_INDEX + ", " + LogBuckets.MAX_INDEX + "]");
                    }
                    s.addSlot(kind == 'b' ? LogBuckets.positiveSlot(index) : LogBuckets.negativeSlot(index), count(f, v));
                }
            }
        }
        s.addSumMicros(micros);
        if (declaredCount >= 0 ? declaredCount != s.count() : s.count() != 0) {
            throw new IllegalArgumentException("value hash field '" + COUNT + "' is " + (declaredCount < 0 ? "missing" : declaredCount)
                    + " but the buckets hold " + s.count() + " values");
        }
        return s;
    }

    private static boolean isIndex(String f) {
        char kind = f.charAt(0);
        if (kind != 's' && kind != 'b' && kind != 'n') {
            return false;
        }
        int start = kind != 's' && f.charAt(1) == '-' ? 2 : 1;
        if (start >= f.length() || f.length() - start > 9) {
            return false;
        }
        for (int i = start; i < f.length(); i++) {
            if (f.charAt(i) < '0' || f.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static long integer(String field, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value hash field '" + field + "' holds '" + v + "', not an integer");
        }
    }

    private static long count(String field, String v) {
        long n = integer(field, v);
        if (n < 0) {
            throw new IllegalArgumentException("value hash field '" + field + "' holds a negative count: " + v);
        }
        return n;
    }

    private static double decimal(String field, String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value hash field '" + field + "' holds '" + v + "', not a number");
        }
    }
}
