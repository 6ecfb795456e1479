package io.ecl.master;

import io.ecl.testing.SteppedClock;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MasterLoop.Sleeper} that "sleeps" by stepping a {@link SteppedClock} to the wake-up
 * time plus a chosen lateness, and records every wake-up time asked for.
 */
final class StepSleeper implements MasterLoop.Sleeper {
    private final SteppedClock clock;
    private final List<Long> targets = new ArrayList<>();
    private long latenessMillis;
    private boolean advancing = true;

    StepSleeper(SteppedClock clock) {
        this.clock = clock;
    }

    /** How late every wake-up is, as a loaded machine would make it. */
    StepSleeper lateness(long millis) {
        this.latenessMillis = millis;
        return this;
    }

    /** When false, sleeps return without moving the clock (a clock that was stepped back stays there). */
    StepSleeper advancing(boolean advancing) {
        this.advancing = advancing;
        return this;
    }

    List<Long> targets() {
        return targets;
    }

    long lastTarget() {
        return targets.get(targets.size() - 1);
    }

    @Override
    public void sleepUntil(long epochMillis) {
        targets.add(epochMillis);
        if (advancing && epochMillis > clock.millis()) {
            clock.set(epochMillis + latenessMillis);
        }
    }

    @Override
    public void wakeUp() {
    }
}
