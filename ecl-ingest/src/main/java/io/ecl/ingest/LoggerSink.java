package io.ecl.ingest;

/**
 * The listener's {@link Sink}: counts go through {@link io.ecl.core.EventGroup#log(String, long)},
 * i.e. the group's local counters. Unique counts and value statistics have no call in the library
 * yet: they are counted as not supported in the listener's statistics (a metric, and a
 * rate-limited warning naming the first ones).
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
        stats.notSupported(StatsdStats.Kind.UNIQUE, target);
    }

    @Override
    public void value(Target target, double value) {
        stats.notSupported(StatsdStats.Kind.VALUE, target);
    }
}
