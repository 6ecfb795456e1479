package io.ecl.ingest;

import java.util.ArrayList;
import java.util.List;

/** Records what the processor hands on, as "kind group/name value" lines, and passes counts to the library. */
final class RecordingSink implements Sink {
    final List<String> samples = new ArrayList<>();
    private final Sink counts;

    RecordingSink(Sink counts) {
        this.counts = counts;
    }

    @Override
    public synchronized void count(Target target, long count) {
        samples.add("count " + target + " " + count);
        counts.count(target, count);
    }

    @Override
    public synchronized void unique(Target target, String value) {
        samples.add("unique " + target + " " + value);
    }

    @Override
    public synchronized void value(Target target, double value) {
        samples.add("value " + target + " " + value);
    }
}
