package io.ecl.core;

import io.ecl.core.internal.Printable;

/**
 * A configuration the library cannot work with. The message is one line that names the source
 * (file and line where known), the key and the offending value, so a CLI can print it as is.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * {@code text} as a message may show it: control characters (a newline, an escape sequence
     * that would recolour the terminal) written as {@code \n}, {@code \t}, {@code &#92;u001b}, so that
     * a hostile or mistyped name can neither break the one-line message nor hide part of it.
     */
    static String printable(String text) {
        return Printable.of(text);
    }
}
