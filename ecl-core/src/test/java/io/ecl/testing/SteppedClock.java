package io.ecl.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that stands still until a test steps it; thread-safe. */
public final class SteppedClock extends Clock {
    private final AtomicLong millis;

    public SteppedClock(long epochMillis) {
        this.millis = new AtomicLong(epochMillis);
    }

    /** A clock at {@code seconds} after the epoch. */
    public static SteppedClock atSeconds(long seconds) {
        return new SteppedClock(seconds * 1000);
    }

    public void set(long epochMillis) {
        millis.set(epochMillis);
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    public void advanceMillis(long ms) {
        millis.addAndGet(ms);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
