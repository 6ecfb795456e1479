package io.ecl.core.internal.kinds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The statistics of the numbers recorded into one value name during one epoch: count, an exact
 * sum, min, max, a sum of squares, and a log-bucket histogram (see {@link LogBuckets}) from which
 * any quantile follows within 1 % relative error. {@link #record} is the hot path; {@link #drain}
 * moves everything recorded so far into a {@link SketchSnapshot}, which merges exactly with others
 * (in memory by {@link SketchSnapshot#merge}, in Redis by {@link SketchFields}).
 *
 * <h2>What is kept, and how exactly</h2>
 * <ul>
 * <li>count, min, max: exact. Zero is recorded as +0.0 (so -0.0 never shows as the min).
 * <li>sum: exact in millionths. Each value adds {@code Math.round(v × 10⁶)} micro-units (for
 *     {@code |v| ≥ 4.6·10¹²}, where v is itself a multiple of 2⁻¹⁰, its exact product, rounded
 *     alike) to a 128-bit integer, so the sum carries no floating-point error at all, in one process
 *     or across any number: 12.7 recorded three times sums to exactly 38.1.
 * <li>sum of squares: a double, for the standard deviation only (relative error about n·2⁻⁵³).
 * <li>quantiles: from buckets; the estimate lies within 1 % of the exact value of the same rank for
 *     magnitudes in [1e-9, 1e18] (see {@link SketchSnapshot#quantile}). Zero has a bucket of its
 *     own; negatives have buckets of their own.
 * <li>NaN, ±infinity and values with {@code |v| > 1e18}: counted in {@code invalid} only; they never
 *     touch count, sum, min, max or the buckets.
 * </ul>
 *
 * <h2>Hot path</h2>
 * {@link #record} takes no lock and, once the stripe and the pages of the buckets it touches exist,
 * allocates nothing: the bucket by a table lookup (no logarithm, see {@link LogBuckets#index}), an
 * atomic increment of it, an atomic add to the sum, a CAS of the sum of squares, and plain reads
 * of min and max (a CAS only for a new extreme). The count is not a field of its own: it is the sum of the buckets. State is striped by thread
 * ({@link #STRIPES} stripes, picked by a hash of the thread's id, each made on first use) so that
 * threads do not share cache lines; each stripe allocates its buckets lazily in pages of
 * {@link #PAGE} counters.
 *
 * <h2>Memory</h2>
 * An empty sketch takes 128 bytes; a stripe in use 576 bytes plus 544 bytes per page of 64 buckets
 * it has touched. 1,000,000 latencies spread lognormally over 1..10,000 ms from one thread touch
 * 435 buckets in 9 pages: 5,600 bytes in all (ValueSketchTest#footprintOfATypicalLatencySketch).
 * Each further thread whose id hashes to another stripe adds about 5.5 KiB for the same
 * distribution, up to {@link #STRIPES} stripes (8 on 2 CPUs: at most about 44 KiB per sketch,
 * twice that per value name with its two epoch sketches). Pages stay once made, so a later epoch
 * of the same distribution allocates nothing. The bucket tables are shared by all sketches: 37 KB
 * once per JVM.
 *
 * <h2>Drain</h2>
 * {@link #drain} takes each counter with an atomic get-and-reset, so every field of every record
 * lands in exactly one snapshot: never lost, never counted twice. A record that races a drain may
 * have some of its fields (say its bucket) in that snapshot and the rest (its sum, its min) in the
 * next one of the same sketch; the totals over consecutive snapshots are exact, and a snapshot may
 * then show a min or max with no count of its own. The logger keeps two sketches per value name, one
 * per epoch parity, and credits each drain of a sketch to that sketch's epoch, so both parts of a
 * split record reach the same interval, as with the counters' {@code LongAdder#sumThenReset}.
 * Drains of one sketch must not run concurrently with each other (the flusher's lock serialises
 * them); records may run concurrently with anything.
 */
public final class ValueSketch {
    /** Values with a larger magnitude are counted as invalid. */
    public static final double MAX_MAGNITUDE = 1e18;
    /** Buckets per page. */
    static final int PAGE = 64;
    private static final int PAGE_SHIFT = 6;
    private static final int PAGES = (LogBuckets.SLOTS + PAGE - 1) / PAGE;
    /** Stripes: four per CPU (a power of two), at most 64; made on first use. */
    static final int STRIPES = Math.min(64, Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors() - 1)) << 1);
    private static final int STRIPE_SHIFT = 32 - Integer.numberOfTrailingZeros(STRIPES);
    /** |v| below this: v × 10⁶ fits a long with room to spare and Math.round is the fast path. */
    private static final double FAST_SUM_LIMIT = 0x1p62 / 1e6;
    private static final long POS_INF_BITS = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
    private static final long NEG_INF_BITS = Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
    private static final BigDecimal HALF = new BigDecimal("0.5");

    private final AtomicReferenceArray<Stripe> stripes = new AtomicReferenceArray<>(STRIPES);
    private final LongAdder invalid = new LongAdder();

    /** Records one value. Thread-safe, lock-free; allocation-free in steady state. */
    public void record(double value) {
        double m = Math.abs(value);
        if (!(m <= MAX_MAGNITUDE)) { // also NaN
            invalid.increment();
            return;
        }
        Stripe s = stripe();
        if (m == 0) {
            value = 0.0; // -0.0 would show as the min
        }
        s.record(value, LogBuckets.slot(value));
    }

    /** The micro-units a valid value adds to the sum: as the hot path counts them, as a BigInteger. */
    static BigInteger microsOf(double v) {
        if (Math.abs(v) < FAST_SUM_LIMIT) {
            return BigInteger.valueOf(Math.round(v * 1e6));
        }
        // Half up towards +∞ as Math.round does, so both paths round alike.
        return new BigDecimal(v).movePointRight(6).add(HALF).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    }

    private Stripe stripe() {
        int k = STRIPE_SHIFT == 32 ? 0 : ((int) Thread.currentThread().getId() * 0x9E3779B9) >>> STRIPE_SHIFT;
        Stripe s = stripes.getAcquire(k);
        if (s == null) {
            s = new Stripe();
            if (!stripes.compareAndSet(k, null, s)) {
                s = stripes.getAcquire(k);
            }
        }
        return s;
    }

    /**
     * Moves everything recorded so far into a new snapshot and leaves this sketch empty (its pages
     * are kept). Returns an empty snapshot when nothing was recorded. Not concurrent with another
     * drain of this sketch.
     */
    public SketchSnapshot drain() {
        SketchSnapshot out = new SketchSnapshot();
        out.addInvalid(invalid.sumThenReset());
        for (int k = 0; k < STRIPES; k++) {
            Stripe s = stripes.getAcquire(k);
            if (s != null) {
                s.drainInto(out);
            }
        }
        return out;
    }

    /** Bytes held by this sketch's stripes and pages (object headers included, estimated for a 64-bit JVM with compressed oops). */
    public long footprintBytes() {
        long bytes = 16 + 16 + 4L * STRIPES + 64; // this, the stripe array, the LongAdder
        for (int k = 0; k < STRIPES; k++) {
            Stripe s = stripes.getAcquire(k);
            if (s != null) {
                bytes += s.footprintBytes();
            }
        }
        return bytes;
    }

    /** One stripe: buckets in lazily made pages, the sum, the sum of squares, min and max. */
    private static final class Stripe {
        private static final VarHandle SUM_LO;
        private static final VarHandle SUM_HI;
        private static final VarHandle SQUARES;
        private static final VarHandle MIN;
        private static final VarHandle MAX;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                SUM_LO = l.findVarHandle(Stripe.class, "sumLo", long.class);
                SUM_HI = l.findVarHandle(Stripe.class, "sumHi", long.class);
                SQUARES = l.findVarHandle(Stripe.class, "squares", long.class);
                MIN = l.findVarHandle(Stripe.class, "min", long.class);
                MAX = l.findVarHandle(Stripe.class, "max", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        // Padding keeps the hot fields of two stripes off one cache line.
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6;
        private final AtomicReferenceArray<AtomicLongArray> pages = new AtomicReferenceArray<>(PAGES);
        /** The sum in micro-units is sumHi × 2⁶⁴ + sumLo (sumLo signed). */
        private volatile long sumLo;
        private volatile long sumHi;
        /** Bits of a double. */
        private volatile long squares;
        private volatile long min = POS_INF_BITS;
        private volatile long max = NEG_INF_BITS;
        @SuppressWarnings("unused")
        private long q0, q1, q2, q3, q4, q5, q6;

        void record(double v, int slot) {
            page(slot >>> PAGE_SHIFT).getAndIncrement(slot & (PAGE - 1));
            if (Math.abs(v) < FAST_SUM_LIMIT) {
                addMicros(Math.round(v * 1e6));
            } else {
                addMicrosExact(v);
            }
            double sq = v * v;
            long bits;
            do {
                bits = (long) SQUARES.getVolatile(this);
            } while (!SQUARES.weakCompareAndSet(this, bits, Double.doubleToRawLongBits(Double.longBitsToDouble(bits) + sq)));
            long mb;
            while (v < Double.longBitsToDouble(mb = (long) MIN.getVolatile(this))) {
                if (MIN.weakCompareAndSet(this, mb, Double.doubleToRawLongBits(v))) {
                    break;
                }
            }
            while (v > Double.longBitsToDouble(mb = (long) MAX.getVolatile(this))) {
                if (MAX.weakCompareAndSet(this, mb, Double.doubleToRawLongBits(v))) {
                    break;
                }
            }
        }

        private AtomicLongArray page(int p) {
            AtomicLongArray page = pages.getAcquire(p);
            if (page == null) {
                page = new AtomicLongArray(PAGE);
                if (!pages.compareAndSet(p, null, page)) {
                    page = pages.getAcquire(p);
                }
            }
            return page;
        }

        /** Adds to the 128-bit sum; a signed overflow of the low word carries into the high one. */
        private void addMicros(long x) {
            long before = (long) SUM_LO.getAndAdd(this, x);
            long after = before + x;
            if (((before ^ after) & (x ^ after)) < 0) {
                SUM_HI.getAndAdd(this, x > 0 ? 1L : -1L);
            }
        }

        /** Rare path (|v| ≥ 4.6·10¹²): the exact product, split into the two words. */
        private void addMicrosExact(double v) {
            BigInteger micros = microsOf(v);
            long lo = micros.longValue();
            long hi = micros.subtract(BigInteger.valueOf(lo)).shiftRight(64).longValueExact();
            if (hi != 0) {
                SUM_HI.getAndAdd(this, hi);
            }
            addMicros(lo);
        }

        void drainInto(SketchSnapshot out) {
            for (int p = 0; p < PAGES; p++) {
                AtomicLongArray page = pages.getAcquire(p);
                if (page == null) {
                    continue;
                }
                for (int j = 0; j < PAGE; j++) {
                    if (page.get(j) != 0) {
                        long c = page.getAndSet(j, 0);
                        if (c != 0) {
                            out.addSlot((p << PAGE_SHIFT) + j, c);
                        }
                    }
                }
            }
            long lo = (long) SUM_LO.getAndSet(this, 0L);
            long hi = (long) SUM_HI.getAndSet(this, 0L);
            if (lo != 0 || hi != 0) {
                out.addSumMicros(BigInteger.valueOf(hi).shiftLeft(64).add(BigInteger.valueOf(lo)));
            }
            out.addSumOfSquares(Double.longBitsToDouble((long) SQUARES.getAndSet(this, 0L)));
            out.addMin(Double.longBitsToDouble((long) MIN.getAndSet(this, POS_INF_BITS)));
            out.addMax(Double.longBitsToDouble((long) MAX.getAndSet(this, NEG_INF_BITS)));
        }

        long footprintBytes() {
            long bytes = 16 + 14 * 8 + 5 * 8 + 16 + 4L * PAGES; // the stripe, its page array
            for (int p = 0; p < PAGES; p++) {
                if (pages.getAcquire(p) != null) {
                    bytes += 16 + 16 + 8L * PAGE; // AtomicLongArray and its long[]
                }
            }
            return bytes;
        }
    }
}
