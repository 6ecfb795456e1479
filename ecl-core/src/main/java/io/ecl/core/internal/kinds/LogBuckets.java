package io.ecl.core.internal.kinds;

/**
 * The bucket mapping of {@link ValueSketch}, in the spirit of DDSketch: a magnitude {@code m > 0}
 * falls into bucket {@code i = ceil(log_γ(m))}, i.e. {@code γ^(i-1) < m ≤ γ^i}, with
 * {@code γ = (1 + α) / (1 − α)} and {@code α = 0.01}. Every value of bucket {@code i} lies within
 * relative distance α of the bucket's representative {@code 2γ^i / (γ + 1)}, which is what bounds
 * the relative error of a quantile.
 *
 * <p>Indexable magnitudes run from {@link #MIN_MAGNITUDE} (1e-9) to {@link ValueSketch#MAX_MAGNITUDE}
 * (1e18): 3,108 buckets per sign. A non-zero magnitude below 1e-9 is counted in the lowest bucket
 * (its quantile estimate is then only as good as "somewhere between 0 and 1e-9", clamped to the
 * observed min and max).
 *
 * <p>Slots: the in-process layout numbers negative buckets, zero and positive buckets so that slot
 * order is value order: slot {@link #ZERO_SLOT} holds zeros, slots above it positive buckets
 * ascending, slots below it negative buckets with the magnitude growing downwards.
 */
final class LogBuckets {
    static final double ALPHA = 0.01;
    static final double GAMMA = (1 + ALPHA) / (1 - ALPHA);
    static final double LN_GAMMA = Math.log(GAMMA);
    private static final double INV_LN_GAMMA = 1 / LN_GAMMA;
    static final double MIN_MAGNITUDE = 1e-9;
    static final int MIN_INDEX = (int) Math.ceil(Math.log(MIN_MAGNITUDE) * INV_LN_GAMMA);
    static final int MAX_INDEX = (int) Math.ceil(Math.log(ValueSketch.MAX_MAGNITUDE) * INV_LN_GAMMA);
    /** Buckets per sign. */
    static final int WIDTH = MAX_INDEX - MIN_INDEX + 1;
    static final int ZERO_SLOT = WIDTH;
    static final int SLOTS = 2 * WIDTH + 1;

    /** Upper bounds: bucket i holds (UPPER[i − 1 − MIN_INDEX], UPPER[i − MIN_INDEX]] = (γ^(i−1), γ^i]. */
    private static final double[] UPPER = new double[WIDTH];
    /** Binary exponents with cells in {@link #FIRST}; below and above, magnitudes clamp to the edge buckets. */
    private static final int E_MIN = Math.getExponent(MIN_MAGNITUDE) - 1;
    private static final int E_MAX = Math.getExponent(ValueSketch.MAX_MAGNITUDE);
    private static final int CELL_BITS = 6;
    /**
     * The bucket of the lower end of each cell: a binary exponent and the top 6 bits of the
     * mantissa. A cell spans a ratio of at most 65/64, less than γ, so it holds at most one bucket
     * boundary: a magnitude's bucket is the cell's or the next, one comparison tells.
     */
    private static final short[] FIRST = new short[(E_MAX - E_MIN + 1) << CELL_BITS];

    static {
        for (int i = MIN_INDEX; i <= MAX_INDEX; i++) {
            UPPER[i - MIN_INDEX] = Math.exp(i * LN_GAMMA);
        }
        for (int e = E_MIN; e <= E_MAX; e++) {
            for (int k = 0; k < 1 << CELL_BITS; k++) {
                double low = Math.scalb(1 + k / (double) (1 << CELL_BITS), e);
                FIRST[((e - E_MIN) << CELL_BITS) | k] = (short) search(low);
            }
        }
    }

    private LogBuckets() {
    }

    /** The smallest i with magnitude ≤ γ^i, clamped to [MIN_INDEX, MAX_INDEX]: the definition. */
    static int search(double magnitude) {
        int lo = 0;
        int hi = WIDTH - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (magnitude <= UPPER[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo + MIN_INDEX;
    }

    /**
     * The bucket index of a magnitude in (0, MAX_MAGNITUDE]: ceil(log_γ(m)) with γ^i as computed
     * by Math.exp, clamped to [MIN_INDEX, MAX_INDEX]. A table lookup and one comparison, no
     * logarithm: this runs on every record.
     */
    static int index(double magnitude) {
        long bits = Double.doubleToRawLongBits(magnitude);
        int e = (int) (bits >>> 52) - 1023;
        if (e < E_MIN) {
            return MIN_INDEX;
        }
        if (e > E_MAX) {
            return MAX_INDEX;
        }
        int i = FIRST[((e - E_MIN) << CELL_BITS) | (int) (bits >>> (52 - CELL_BITS)) & ((1 << CELL_BITS) - 1)];
        return i < MAX_INDEX && magnitude > UPPER[i - MIN_INDEX] ? i + 1 : i;
    }

    /** The slot of a finite value with |value| ≤ MAX_MAGNITUDE. */
    static int slot(double value) {
        if (value > 0) {
            return ZERO_SLOT + 1 + index(value) - MIN_INDEX;
        }
        if (value < 0) {
            return ZERO_SLOT - 1 - (index(-value) - MIN_INDEX);
        }
        return ZERO_SLOT;
    }

    /** The bucket index of a non-zero slot (of its magnitude). */
    static int indexOfSlot(int slot) {
        return slot > ZERO_SLOT ? slot - ZERO_SLOT - 1 + MIN_INDEX : ZERO_SLOT - 1 - slot + MIN_INDEX;
    }

    static int positiveSlot(int index) {
        return ZERO_SLOT + 1 + index - MIN_INDEX;
    }

    static int negativeSlot(int index) {
        return ZERO_SLOT - 1 - (index - MIN_INDEX);
    }

    static boolean validIndex(int index) {
        return index >= MIN_INDEX && index <= MAX_INDEX;
    }

    /** The value a slot stands for: within relative distance α of every value counted in it. */
    static double representative(int slot) {
        if (slot == ZERO_SLOT) {
            return 0;
        }
        double m = 2 * Math.exp(indexOfSlot(slot) * LN_GAMMA) / (GAMMA + 1);
        return slot > ZERO_SLOT ? m : -m;
    }
}
