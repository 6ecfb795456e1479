package io.ecl.core.internal.kinds;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * What a {@link ValueSketch} held when it was drained, or the merge of several such (the buffer of
 * an interval while Redis is unreachable, or an interval's hash as read back by
 * {@link SketchFields#decode}). Mutable and not thread-safe: the flusher owns it.
 *
 * <p>Buckets are kept sparse (sorted slots and their counts), so a snapshot costs 12 bytes per
 * bucket in use: about 5.5 KiB for latencies spread over 1 to 10,000 ms.
 *
 * <p>The statistics: {@link #count}, {@link #sum} (exact), {@link #min}, {@link #max},
 * {@link #mean}, {@link #stddev} (population, i.e. divided by n) and {@link #quantile}. Each
 * returns NaN when there is nothing to describe (no value recorded).
 */
public final class SketchSnapshot {
    private static final BigDecimal MICROS = BigDecimal.ONE.movePointRight(6);

    private int[] slots = new int[8];
    private long[] counts = new long[8];
    private int size;
    private long count;
    private BigInteger sumMicros = BigInteger.ZERO;
    private double sumOfSquares;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private long invalid;

    /** An empty snapshot, to merge others into. */
    public SketchSnapshot() {
    }

    /**
     * The snapshot of one value, exactly what recording it into an empty {@link ValueSketch} and
     * draining that would give, without the sketch's stripes and pages: for a call that sends one
     * value on its own (direct mode).
     */
    public static SketchSnapshot of(double value) {
        SketchSnapshot s = new SketchSnapshot();
        if (!(Math.abs(value) <= ValueSketch.MAX_MAGNITUDE)) {
            s.addInvalid(1);
            return s;
        }
        double v = value == 0 ? 0.0 : value;
        s.addSlot(LogBuckets.slot(v), 1);
        s.addSumMicros(ValueSketch.microsOf(v));
        s.addSumOfSquares(v * v);
        s.addMin(v);
        s.addMax(v);
        return s;
    }

    /** Adds everything of {@code other} to this one: the union of what both describe, exactly. */
    public SketchSnapshot merge(SketchSnapshot other) {
        if (other.size > 0) {
            int[] ms = new int[size + other.size];
            long[] mc = new long[ms.length];
            int i = 0;
            int j = 0;
            int n = 0;
            while (i < size || j < other.size) {
                if (j >= other.size || (i < size && slots[i] < other.slots[j])) {
                    ms[n] = slots[i];
                    mc[n++] = counts[i++];
                } else if (i >= size || other.slots[j] < slots[i]) {
                    ms[n] = other.slots[j];
                    mc[n++] = other.counts[j++];
                } else {
                    ms[n] = slots[i];
                    mc[n++] = Math.addExact(counts[i++], other.counts[j++]);
                }
            }
            slots = ms;
            counts = mc;
            size = n;
            count = Math.addExact(count, other.count);
        }
        sumMicros = sumMicros.add(other.sumMicros);
        sumOfSquares += other.sumOfSquares;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        invalid = Math.addExact(invalid, other.invalid);
        return this;
    }

    // ---- building (ValueSketch.drain, SketchFields.decode) ----

    void addSlot(int slot, long c) {
        if (c == 0) {
            return;
        }
        count = Math.addExact(count, c);
        if (size == 0 || slot > slots[size - 1]) {
            grow();
            slots[size] = slot;
            counts[size++] = c;
            return;
        }
        int at = Arrays.binarySearch(slots, 0, size, slot);
        if (at >= 0) {
            counts[at] = Math.addExact(counts[at], c);
            return;
        }
        at = -at - 1;
        grow();
        System.arraycopy(slots, at, slots, at + 1, size - at);
        System.arraycopy(counts, at, counts, at + 1, size - at);
        slots[at] = slot;
        counts[at] = c;
        size++;
    }

    private void grow() {
        if (size == slots.length) {
            slots = Arrays.copyOf(slots, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
        }
    }

    void addSumMicros(BigInteger micros) {
        sumMicros = sumMicros.add(micros);
    }

    void addSumOfSquares(double s) {
        sumOfSquares += s;
    }

    void addMin(double v) {
        min = Math.min(min, v);
    }

    void addMax(double v) {
        max = Math.max(max, v);
    }

    void addInvalid(long n) {
        invalid = Math.addExact(invalid, n);
    }

    // ---- the buckets, for the encoding ----

    /** Buckets in use (each a field in Redis): a measure of this snapshot's size, 12 bytes each. */
    public int buckets() {
        return size;
    }

    int slotAt(int i) {
        return slots[i];
    }

    long countAt(int i) {
        return counts[i];
    }

    // ---- the statistics ----

    /** True when nothing at all was recorded, not even an invalid value. */
    public boolean isEmpty() {
        return count == 0 && invalid == 0 && sumMicros.signum() == 0 && sumOfSquares == 0
                && min == Double.POSITIVE_INFINITY && max == Double.NEGATIVE_INFINITY;
    }

    /** Values recorded (invalid ones excluded); exact. */
    public long count() {
        return count;
    }

    /** NaN, ±infinity and values beyond ±{@link ValueSketch#MAX_MAGNITUDE}: counted here only. */
    public long invalid() {
        return invalid;
    }

    /** The exact sum in millionths: the sum of {@code Math.round(v × 10⁶)} over the values. */
    public BigInteger sumMicros() {
        return sumMicros;
    }

    /** The exact sum, at most 6 decimals, no trailing zeros ({@code toPlainString()} prints it without exponent). */
    public BigDecimal sum() {
        BigDecimal s = new BigDecimal(sumMicros, 6).stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /** The sum of the squares of the values (a double sum; for the standard deviation). */
    public double sumOfSquares() {
        return sumOfSquares;
    }

    /** The smallest value recorded; NaN when none was. */
    public double min() {
        return min == Double.POSITIVE_INFINITY ? Double.NaN : min;
    }

    /** The largest value recorded; NaN when none was. */
    public double max() {
        return max == Double.NEGATIVE_INFINITY ? Double.NaN : max;
    }

    /** The exact sum divided by the count, rounded to a double; NaN when the count is 0. */
    public double mean() {
        if (count == 0) {
            return Double.NaN;
        }
        return new BigDecimal(sumMicros).divide(MICROS.multiply(BigDecimal.valueOf(count)), java.math.MathContext.DECIMAL64)
                .doubleValue();
    }

    /**
     * The population standard deviation, sqrt(Σv²/n − mean²); NaN when the count is 0. Σv² is a
     * double sum, so when the deviation is tiny against the mean (below about 10⁻⁷ of it) the
     * result is dominated by rounding; it is never negative.
     */
    public double stddev() {
        if (count == 0) {
            return Double.NaN;
        }
        double mean = mean();
        double variance = sumOfSquares / count - mean * mean;
        return variance > 0 ? Math.sqrt(variance) : 0;
    }

    /**
     * The q-quantile, 0 ≤ q ≤ 1, by the lower rank: the value of 0-based rank ⌊q·(n−1)⌋ among
     * the n values sorted ascending (q = 0 is the min, q = 1 the max). The estimate is the
     * representative of the bucket holding that value, clamped to [min, max], so it lies within
     * 1 % (relative) of the exact value of that rank when its magnitude is in [1e-9, 1e18]; a zero
     * is exact. NaN when the count is 0.
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be within [0, 1]: " + q);
        }
        if (count == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.floor(q * (count - 1));
        long seen = 0;
        for (int i = 0; i < size; i++) {
            seen += counts[i];
            if (seen > rank) {
                double estimate = LogBuckets.representative(slots[i]);
                if (min <= max) {
                    estimate = Math.max(min, Math.min(max, estimate));
                }
                return estimate;
            }
        }
        throw new IllegalStateException("count " + count + " exceeds the buckets' total " + seen);
    }

    @Override
    public String toString() {
        return "SketchSnapshot{count=" + count + ", sum=" + sum().toPlainString() + ", min=" + min() + ", max=" + max()
                + ", buckets=" + size + ", invalid=" + invalid + "}";
    }
}
