package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ecl.reader.EventLineParser.Result;
import org.junit.jupiter.api.Test;

/** The stdin line format of ecl-log-event: "EVENT [COUNT]", split on whitespace like Python's str.split(). */
class EventLineParserTest {
    private final EventLineParser p = new EventLineParser();

    private void assertEvent(String line, String event, long count) {
        assertEquals(Result.EVENT, p.parse(line), line);
        assertEquals(event, p.event);
        assertEquals(count, p.count);
    }

    private void assertMalformed(String line, String problem) {
        assertEquals(Result.MALFORMED, p.parse(line), line);
        assertEquals(problem, p.problem);
    }

    @Test
    void bareEventCountsOneAndReusesTheLineItself() {
        String line = "404";
        assertEvent(line, "404", 1);
        assertSame(line, p.event);
    }

    @Test
    void eventWithCount() {
        assertEvent("req 17", "req", 17);
        assertEvent("req +3", "req", 3);
        assertEvent("req -3", "req", -3);
        assertEvent("req 9223372036854775807", "req", Long.MAX_VALUE);
        assertEvent("req -9223372036854775808", "req", Long.MIN_VALUE);
        assertEvent("req 000000000000000000000042", "req", 42);
    }

    @Test
    void anyWhitespaceSeparatesAndSurroundingWhitespaceIsIgnored() {
        assertEvent("  req\t\t5 \r", "req", 5);
        assertEvent("\u00a0req\u20035\u3000", "req", 5);
        assertEvent("req\u000b", "req", 1);
    }

    @Test
    void blankLines() {
        assertEquals(Result.BLANK, p.parse(""));
        assertEquals(Result.BLANK, p.parse(" \t \r"));
    }

    @Test
    void malformedLines() {
        assertMalformed("a b c", "expected 'EVENT [COUNT]', got more than two fields");
        assertMalformed("a 1.5", "COUNT '1.5' is not an integer");
        assertMalformed("a x", "COUNT 'x' is not an integer");
        assertMalformed("a -", "COUNT '-' is not an integer");
        assertMalformed("a 1e3", "COUNT '1e3' is not an integer");
        assertMalformed("a 9223372036854775808", "COUNT '9223372036854775808' is beyond a 64-bit integer, the range"
                + " of a Redis counter");
        assertMalformed("a -9223372036854775809", "COUNT '-9223372036854775809' is beyond a 64-bit integer, the range"
                + " of a Redis counter");
        assertMalformed("a 99999999999999999999x", "COUNT '99999999999999999999x' is not an integer");
        assertMalformed("a \u0661", "COUNT '\u0661' is not an integer");
    }

    @Test
    void eventIdsKeepEveryNonBlankCharacter() {
        assertEvent("a:b/c?d=1", "a:b/c?d=1", 1);
        assertEvent("\u00e9v\u00e9nement 2", "\u00e9v\u00e9nement", 2);
    }
}
