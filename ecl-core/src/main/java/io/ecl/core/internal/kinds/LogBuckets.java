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

    private LogBuckets() {
    }

    /** The bucket index of a magnitude in (0, MAX_MAGNITUDE], clamped to [MIN_INDEX, MAX_INDEX]. */
    static int index(double magnitude) {
        int i = (int) Math.ceil(Math.log(magnitude) * INV_LN_GAMMA);
        return i < MIN_INDEX ? MIN_INDEX : Math.min(i, MAX_INDEX);
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
