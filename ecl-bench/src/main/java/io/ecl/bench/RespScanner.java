package io.ecl.bench;

import java.nio.charset.StandardCharsets;

/**
 * Finds where RESP messages (RESP2 and RESP3) begin and end in a byte stream fed in arbitrary
 * pieces, without buffering it: a byte-at-a-time state machine. Used on both directions of a
 * Redis connection to tell commands from replies, for {@link RoundTripProxy}.
 */
final class RespScanner {
    /** What the scanner reports. */
    interface Listener {
        /** A top-level message starts (its first byte has been seen). */
        default void messageStart() {
        }

        /** The first bulk string of a top-level array, i.e. a command's name; null for an inline command. */
        default void commandName(String name) {
        }

        /** A top-level message is complete. {@code push} is true for RESP3 out-of-band pushes. */
        default void messageEnd(boolean push) {
        }
    }

    private static final int TYPE = 0;
    private static final int LINE = 1;
    private static final int BULK = 2;
    private static final int INLINE = 3;

    private final Listener listener;
    private int state = TYPE;
    private byte type;
    private final StringBuilder line = new StringBuilder();
    private long bulkLeft;
    /** Elements still expected by each open aggregate, innermost last. */
    private long[] stack = new long[16];
    private int depth;
    private boolean push;
    private boolean attribute;
    /** Captures the first element of a top-level array (the command name). */
    private boolean capturing;
    private final StringBuilder name = new StringBuilder();

    RespScanner(Listener listener) {
        this.listener = listener;
    }

    void feed(byte[] buf, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            byte b = buf[i];
            switch (state) {
                case TYPE:
                    if (depth == 0 && !attribute) {
                        if (b == '\r' || b == '\n') { // stray newline between inline commands
                            i++;
                            continue;
                        }
                        push = b == '>';
                        listener.messageStart();
                        capturing = b == '*';
                    } else if (depth == 0) {
                        attribute = false; // the value an attribute was attached to
                    }
                    if (depth == 0 && !isType(b)) {
                        state = INLINE;
                        line.setLength(0);
                        continue; // the byte belongs to the inline command
                    }
                    type = b;
                    line.setLength(0);
                    state = LINE;
                    i++;
                    break;
                case LINE:
                    i++;
                    if (b == '\n') {
                        endOfLine();
                    } else if (b != '\r') {
                        line.append((char) b);
                    }
                    break;
                case BULK: {
                    int n = (int) Math.min(bulkLeft, end - i);
                    if (capturing && depth == 1 && stack[0] == firstElementLeft) {
                        int text = (int) Math.min(n, Math.max(0, bulkLeft - 2));
                        name.append(new String(buf, i, text, StandardCharsets.UTF_8));
                    }
                    i += n;
                    bulkLeft -= n;
                    if (bulkLeft == 0) {
                        if (capturing && depth == 1 && stack[0] == firstElementLeft) {
                            capturing = false;
                            listener.commandName(name.toString().toUpperCase(java.util.Locale.ROOT));
                        }
                        state = TYPE;
                        valueDone();
                    }
                    break;
                }
                default: // INLINE
                    i++;
                    if (b == '\n') {
                        state = TYPE;
                        listener.commandName(null);
                        listener.messageEnd(false);
                    }
                    break;
            }
        }
    }

    /** stack[0] of a top-level array while its first element is being read. */
    private long firstElementLeft = -1;

    private void endOfLine() {
        state = TYPE;
        switch (type) {
            case '$': case '!': case '=': {
                long n = Long.parseLong(line.toString());
                if (n < 0) {
                    valueDone();
                } else {
                    bulkLeft = n + 2;
                    state = BULK;
                    if (capturing && depth == 1) {
                        name.setLength(0);
                    }
                }
                break;
            }
            case '*': case '~': case '>': case '%': case '|': {
                long n = Long.parseLong(line.toString());
                if (type == '%' || type == '|') {
                    n *= 2;
                }
                if (type == '|' && depth == 0) {
                    attribute = true; // precedes the real reply; not a message of its own
                }
                if (n <= 0) {
                    valueDone();
                } else {
                    if (depth == stack.length) {
                        stack = java.util.Arrays.copyOf(stack, depth * 2);
                    }
                    stack[depth++] = n;
                    if (depth == 1 && capturing) {
                        firstElementLeft = n;
                    }
                }
                break;
            }
            default: // + - : _ , # ( : a complete simple value
                if (capturing && depth == 1) {
                    capturing = false;
                    listener.commandName(line.toString().toUpperCase(java.util.Locale.ROOT));
                }
                valueDone();
                break;
        }
    }

    private void valueDone() {
        while (depth > 0) {
            if (--stack[depth - 1] > 0) {
                return;
            }
            depth--;
        }
        if (capturing) { // an empty array
            capturing = false;
            listener.commandName("");
        }
        if (attribute) {
            return;
        }
        listener.messageEnd(push);
    }

    private static boolean isType(byte b) {
        switch (b) {
            case '+': case '-': case ':': case '$': case '*': case '_': case ',': case '#':
            case '!': case '=': case '(': case '%': case '~': case '>': case '|':
                return true;
            default:
                return false;
        }
    }
}
