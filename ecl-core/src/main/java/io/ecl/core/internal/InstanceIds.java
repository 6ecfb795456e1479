package io.ecl.core.internal;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;

/**
 * The random ID a logger marks its calls in Redis with: 16 hex digits (64 random bits). The bits
 * come from {@code /dev/urandom}, which is what Java's default {@code SecureRandom} reads on Linux
 * too, but without setting up the JCA provider framework first: that took a new process 25 ms or
 * more, a tenth of a one-shot {@code ecl-log-event}. Where there is no {@code /dev/urandom}, from
 * {@code SecureRandom}.
 */
public final class InstanceIds {
    static final String URANDOM = "/dev/urandom";
    private static final int BYTES = 8;

    private InstanceIds() {
    }

    /** A new ID: 16 lowercase hex digits, so no ':', '.' or '|' (marker keys use them). */
    public static String next() {
        return next(URANDOM);
    }

    /** {@link #next()} reading {@code source} first (tests name one that does not exist). */
    static String next(String source) {
        byte[] b = new byte[BYTES];
        if (!read(source, b)) {
            new SecureRandom().nextBytes(b);
        }
        StringBuilder id = new StringBuilder(2 * BYTES);
        for (byte x : b) {
            id.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return id.toString();
    }

    private static boolean read(String source, byte[] into) {
        try (InputStream in = new FileInputStream(source)) {
            return in.readNBytes(into, 0, into.length) == into.length;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
