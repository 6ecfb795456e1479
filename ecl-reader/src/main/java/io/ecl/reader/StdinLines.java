package io.ecl.reader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of {@code ecl-log-event ... -}'s stdin, each held in memory only up to
 * {@link #MAX_LINE_BYTES}: a longer line (a binary file piped in by mistake, a line without a
 * newline of 100 MB) is skipped to its end without being kept, and the lines after it are read as
 * usual. Line ends as {@link java.io.BufferedReader#readLine()} sees them ({@code \n}, {@code \r},
 * {@code \r\n}); text is UTF-8, malformed bytes read as U+FFFD, as InputStreamReader reads them.
 */
final class StdinLines {
    /** Longest line kept: far beyond any "EVENT [COUNT]" line (an event ID is a Redis key part). */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /** What {@link #next} found. */
    enum Kind { LINE, TOO_LONG, END }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    /** The part of a line read before the buffer was refilled. */
    private byte[] partial = new byte[256];
    private int partialLength;
    /** The last line ended with '\r': a '\n' right after it belongs to it. */
    private boolean afterCr;
    private String line;

    StdinLines(InputStream in) {
        this(in, MAX_LINE_BYTES);
    }

    StdinLines(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Bytes held for a line that spans reads (tests: bounded by the limit whatever the input). */
    int heldBytes() {
        return partial.length;
    }

    /** The line of the last {@link Kind#LINE}. */
    String line() {
        return line;
    }

    /** Reads the next line: LINE (see {@link #line()}), TOO_LONG (skipped to its end), or END of input. */
    Kind next() throws IOException {
        partialLength = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == end && !fill()) {
                if (!any) {
                    return Kind.END;
                }
                return finish(tooLong, null, 0, 0);
            }
            if (afterCr) {
                afterCr = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            int i = start;
            while (i < end && buf[i] != '\n' && buf[i] != '\r') {
                i++;
            }
            any = true;
            if (i < end) {
                afterCr = buf[i] == '\r';
                pos = i + 1;
                return finish(tooLong, buf, start, i - start);
            }
            pos = end;
            if (!tooLong) {
                if (partialLength + (i - start) > maxLineBytes) {
                    tooLong = true;
                    partialLength = 0;
                } else {
                    keep(start, i - start);
                }
            }
        }
    }

    private Kind finish(boolean tooLong, byte[] tail, int from, int length) {
        if (tooLong || partialLength + length > maxLineBytes) {
            partialLength = 0;
            line = null;
            return Kind.TOO_LONG;
        }
        if (partialLength == 0) {
            line = new String(tail == null ? partial : tail, from, length, StandardCharsets.UTF_8);
        } else {
            keepFrom(tail, from, length);
            line = new String(partial, 0, partialLength, StandardCharsets.UTF_8);
        }
        return Kind.LINE;
    }

    private void keep(int from, int length) {
        keepFrom(buf, from, length);
    }

    private void keepFrom(byte[] src, int from, int length) {
        if (src == null || length == 0) {
            return;
        }
        if (partialLength + length > partial.length) {
            byte[] bigger = new byte[Math.max(partial.length * 2, partialLength + length)];
            System.arraycopy(partial, 0, bigger, 0, partialLength);
            partial = bigger;
        }
        System.arraycopy(src, from, partial, partialLength, length);
        partialLength += length;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }
}
