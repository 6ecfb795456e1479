package io.ecl.core;

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
}
