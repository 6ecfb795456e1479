package io.ecl.core.ops;

import io.ecl.core.internal.TsCodec;

/**
 * Times and lengths in seconds as ecl writes them: the Unix seconds of the {@code @ts} keys and the
 * {@code interval_seconds} of the tools' JSON, whole where possible ({@code 300}), else with a
 * decimal fraction ({@code 0.25}, {@code 1699920000.25}), as the Python version writes them.
 */
public final class Seconds {
    private Seconds() {
    }

    /** Milliseconds (a Unix time or a length) in that form. */
    public static String format(long millis) {
        return TsCodec.format(millis);
    }
}
