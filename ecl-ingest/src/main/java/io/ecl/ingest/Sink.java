package io.ecl.ingest;

/**
 * What the listener does with each parsed sample, once its name is mapped to a {@link Target}.
 * Called from the receiving threads, concurrently, for every sample: implementations must be
 * thread-safe and must not block (no I/O per sample).
 */
public interface Sink {
    /** A StatsD counter ({@code c}), already scaled by its sample rate: a whole, non-zero count. */
    void count(Target target, long count);

    /** A StatsD set member ({@code s}): one value of the unique count {@code target}. */
    void unique(Target target, String value);

    /**
     * A recorded number: a timer, histogram or distribution sample ({@code ms}, {@code h},
     * {@code d}) or a gauge reading ({@code g}, deltas already applied). Always finite.
     */
    void value(Target target, double value);
}
