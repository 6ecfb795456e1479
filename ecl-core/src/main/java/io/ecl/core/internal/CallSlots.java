package io.ecl.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The slots of direct-mode calls in flight: a caller leases one for the duration of its call and
 * records the call's sequence number under the slot's ID in the marker hash
 * ({@code cur:@direct.<instance>}), so the hash has one field per slot, never more than
 * {@link #size()} however many threads log over the logger's life. There are as many slots as
 * the pool has connections for direct calls: a caller without a slot would only wait for a
 * connection.
 *
 * <p>A call whose outcome is unknown (its reply was lost) keeps its slot until the flusher has
 * asked Redis whether the call was applied: no other call may record a newer sequence number under
 * that ID before. Free slots are reused last-in first-out, so a single thread always uses the same
 * field.
 */
public final class CallSlots {
    /** How often a waiting caller checks whether it should stop waiting (Redis down, logger closed). */
    private static final long RECHECK_MILLIS = 100;

    /** One slot: its ID as the marker field. */
    static final class Slot {
        final String id;
        final byte[] idBytes;

        Slot(int n) {
            this.id = Integer.toString(n);
            this.idBytes = id.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Slot[] free;
    private int top;
    /** A lock, not a monitor: waiting virtual threads then release their carrier thread. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();

    public CallSlots(int size) {
        free = new Slot[size];
        for (int i = size - 1; i >= 0; i--) {
            free[top++] = new Slot(i);
        }
    }

    int size() {
        return free.length;
    }

    /**
     * A free slot, waiting for one as long as needed; null when {@code giveUp} says so while
     * waiting, or when the caller is interrupted (its interrupt flag is kept).
     */
    Slot lease(BooleanSupplier giveUp) {
        lock.lock();
        try {
            while (top == 0) {
                if (giveUp.getAsBoolean()) {
                    return null;
                }
                try {
                    released.await(RECHECK_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            Slot s = free[--top];
            free[top] = null;
            return s;
        } finally {
            lock.unlock();
        }
    }

    void release(Slot s) {
        lock.lock();
        try {
            free[top++] = s;
            released.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Slots leased now (tests). */
    public int leased() {
        lock.lock();
        try {
            return free.length - top;
        } finally {
            lock.unlock();
        }
    }
}
