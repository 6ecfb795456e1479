package io.ecl.ingest;

/**
 * The listener's {@link Sink}: each kind goes through the group's own call,
 * {@link io.ecl.core.EventGroup#log(String, long)}, {@link io.ecl.core.EventGroup#logUnique} and
 * {@link io.ecl.core.EventGroup#logValue}, i.e. its local counters and sketches.
 */
final class LoggerSink implements Sink {
    LoggerSink() {
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
        target.group().logValue(target.name(), value);
    }
}
