package io.ecl.core;

/**
 * Redis answered, but refused a command because of what a key holds: a key of another type where
 * ecl keeps a set or a counter (WRONGTYPE), or a counter that is not an integer. Unlike an outage,
 * it concerns one (group, interval) only and retrying fails the same way until the key is fixed;
 * the message names the key and how to fix it when ecl could find it.
 *
 * <p>A subclass of {@link RedisUnavailableException} so that callers that treat every failed
 * Redis call alike keep doing so; the master and the readers catch it first, to keep rotating and
 * reading the other groups.
 */
public class RedisDataException extends RedisUnavailableException {
    private static final long serialVersionUID = 1L;

    public RedisDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
