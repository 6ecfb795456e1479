package io.ecl.core;

import java.math.BigDecimal;

/**
 * The statistics of a value name in one interval, merged from every process that recorded into it
 * ({@link EventGroup#logValue}). count, sum, min and max are exact; the quantiles come from a
 * log-bucket histogram and lie within 1 % (relative) of the exact value of the same rank (the
 * lower rank: ⌊q·(n−1)⌋ of the n values sorted ascending). Every statistic but count, sum and
 * invalid is NaN when nothing was recorded.
 *
 * @param count values recorded (NaN, infinities and magnitudes above 1e18 not included)
 * @param sum their exact sum (to the millionth)
 * @param min the smallest
 * @param max the largest
 * @param mean sum / count
 * @param stddev the population standard deviation
 * @param p50 the median
 * @param p90 the 0.9 quantile
 * @param p99 the 0.99 quantile
 * @param p999 the 0.999 quantile
 * @param invalid values that were NaN, infinite or beyond 1e18 in magnitude, counted here only
 */
public record ValueStats(long count, BigDecimal sum, double min, double max, double mean, double stddev,
        double p50, double p90, double p99, double p999, long invalid) {

    /** Nothing recorded. */
    public static final ValueStats EMPTY = new ValueStats(0, BigDecimal.ZERO, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
}
