package io.ecl.ingest;

/**
 * What the listener knows about one metric name, shared by every receiving thread: where it maps
 * to, and the state StatsD keeps per name (the fraction of a sampled count not counted yet, the
 * last gauge reading). Created once per name by {@link NameTable}.
 */
final class NameState {
    /** Counts smaller than this, left over from scaling by a sample rate, are rounding noise. */
    private static final double EPSILON = 1e-9;

    final String metric;
    /** Null when no group takes the name. */
    final Target target;
    /** Why the name is not mapped (target null); null otherwise. */
    final String problem;
    /** Why counts ({@code c}) of this name are refused (the group does not declare the event), or null. */
    final String countProblem;
    /** Why set members ({@code s}) of this name are refused (the group does not list the unique), or null. */
    final String uniqueProblem;
    /** Why timer, histogram, distribution and gauge samples are refused (the group does not list the value), or null. */
    final String valueProblem;
    private volatile boolean undeclaredReported;
    private double remainder;
    private double gauge;

    NameState(String metric, Target target, String problem, String countProblem, String uniqueProblem,
            String valueProblem) {
        this.metric = metric;
        this.target = target;
        this.problem = problem;
        this.countProblem = countProblem;
        this.uniqueProblem = uniqueProblem;
        this.valueProblem = valueProblem;
    }

    /**
     * Adds {@code amount} (a count divided by its sample rate, or a fractional count) to the
     * fraction kept for this name; returns the whole count now due, which may be 0. So ten
     * {@code 1|c|@0.3} make 33, not 30.
     */
    synchronized long addCount(double amount) {
        double r = remainder + amount;
        long whole = (long) (r + Math.copySign(EPSILON, r));
        remainder = r - whole;
        if (Math.abs(remainder) < EPSILON) {
            remainder = 0;
        }
        return whole;
    }

    /** A gauge reading: {@code value} as is, or a delta (+N / -N) to the last reading (0 at first). */
    synchronized double gauge(double value, boolean delta) {
        gauge = delta ? gauge + value : value;
        return gauge;
    }

    /** True the first time only: the caller reports that counts of this name are refused. */
    boolean firstUndeclared() {
        if (undeclaredReported) {
            return false;
        }
        synchronized (this) {
            if (undeclaredReported) {
                return false;
            }
            undeclaredReported = true;
            return true;
        }
    }
}
