package io.ecl.core;

/**
 * Redis could not be reached or refused the login. Thrown by the reading and rotation APIs (never
 * by {@link EventGroup#log}); the message is one line naming {@code host:port} and the cause.
 */
public class RedisUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
