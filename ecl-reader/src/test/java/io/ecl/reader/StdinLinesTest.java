package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.reader.StdinLines.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ecl-log-event's stdin lines: the line ends of BufferedReader.readLine, and a bound on what one line may hold. */
class StdinLinesTest {
    private static List<String> lines(StdinLines in) throws IOException {
        List<String> out = new ArrayList<>();
        Kind k;
        while ((k = in.next()) != Kind.END) {
            out.add(k == Kind.LINE ? in.line() : "<too long>");
        }
        return out;
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands out at most {@code step} bytes per read, so lines and CR LF pairs straddle reads. */
    private static InputStream trickle(String s, int step) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < b.length ? b[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] to, int off, int len) {
                if (pos == b.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, step), b.length - pos);
                System.arraycopy(b, pos, to, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Test
    void lineEndsAreThoseOfBufferedReader() throws IOException {
        String text = "a\nb\r\nc\rd\n\ne\u00e9 3\r\r\nlast";
        List<String> expected = List.of("a", "b", "c", "d", "", "e\u00e9 3", "", "last");
        assertEquals(expected, lines(new StdinLines(bytes(text))));
        for (int step = 1; step <= 4; step++) {
            assertEquals(expected, lines(new StdinLines(trickle(text, step))), "step " + step);
        }
        assertEquals(List.of(), lines(new StdinLines(bytes(""))));
        assertEquals(List.of("x"), lines(new StdinLines(bytes("x\r\n"))));
    }

    @Test
    void lineAtTheLimitIsKeptOneByteLongerIsSkippedWholeAndTheNextIsRead() throws IOException {
        String text = "12345\n123456\n1234567 8\nok\n";
        assertEquals(List.of("12345", "<too long>", "<too long>", "ok"), lines(new StdinLines(bytes(text), 5)));
        assertEquals(List.of("12345", "<too long>", "<too long>", "ok"), lines(new StdinLines(trickle(text, 2), 5)));
    }

    @Test
    void hundredMegabyteLineHoldsNoMoreThanTheLimitAndTheLinesAfterItAreRead() throws IOException {
        long size = 100L << 20;
        InputStream huge = new InputStream() {
            private long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        StdinLines in = new StdinLines(new SequenceInputStream(bytes("a\n"),
                new SequenceInputStream(huge, bytes("\nb 2\n"))));

        assertEquals(List.of("a", "<too long>", "b 2"), lines(in));
        assertTrue(in.heldBytes() <= 2 * StdinLines.MAX_LINE_BYTES, in.heldBytes() + " bytes held");
    }
}
