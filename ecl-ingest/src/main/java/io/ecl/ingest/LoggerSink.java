package io.ecl.ingest;

/**
 * The listener's {@link Sink}: counts and uniques go through the group's
 * {@link io.ecl.core.EventGroup#log(String, long)} and {@link io.ecl.core.EventGroup#logUnique},
 * i.e. its local counters and sketches. Value statistics have no call in the library yet: they
 * are counted as not supported in the listener's statistics (a metric, and a rate-limited warning
 * naming the first ones); once the library has one, {@link #value} calls it instead.
 */
final class LoggerSink implements Sink {
    private final StatsdStats stats;

    LoggerSink(StatsdStats stats) {
        this.stats = stats;
    }

    @Override
    public void count(Target target, long count) {
        target.group().log(target.name(), count);
    }

    @Override
    public void unique(Target target, String value) {
        target.group().logUnique(target.name(), value);
    }

    @Override
    public void value(Target target, double value) {
        stats.notSupported(StatsdStats.Kind.VALUE, target);
    }
}
