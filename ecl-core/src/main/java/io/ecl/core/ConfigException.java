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

    /**
     * {@code text} as a message may show it: control characters (a newline, an escape sequence
     * that would recolour the terminal) written as {@code \n}, {@code \t}, {@code &#92;u001b}, so that
     * a hostile or mistyped name can neither break the one-line message nor hide part of it.
     */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out == null) {
                continue;
            }
            switch (c) {
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (control) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out == null ? text : out.toString();
    }
}
