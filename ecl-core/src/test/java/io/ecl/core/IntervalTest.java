package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.core.internal.TsCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IntervalTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "5s, 5000",
        "5S, 5000",
        "300s, 300000",
        "5m, 300000",
        "1.5m, 90000",
        "2h, 7200000",
        "2H, 7200000",
        "1d, 86400000",
        ".5s, 500",
        "0.25s, 250",
        "1.s, 1000",
    })
    void parsesNumberAndUnitAsPythonDoes(String text, long millis) {
        Interval i = Interval.parse(text);
        assertEquals(millis, i.lengthMillis());
        assertEquals(text, i.name());
    }

    @Test
    void nameIsTheStringAsWrittenSoEqualLengthsAreDistinctIntervals() {
        assertEquals("5m", Interval.parse("5m").toString());
        assertTrue(!Interval.parse("5m").equals(Interval.parse("300s")));
        assertTrue(!Interval.parse("5s").equals(Interval.parse("5S")));
        assertEquals(Interval.parse("5m"), Interval.parse("5m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0m", "0.0h", ".0s", "-5s", "5", "5x", "s", "m5", "5 m", "", "five m", "1.5.5m", "5ms", "1.0005s", ".s", "5..s", "\u0665s", "1\uff53"})
    void rejectsZeroNegativeMalformedOrUnitless(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Interval.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Interval.parse(null));
    }

    @Test
    void startsAreAlignedToTheUnixEpoch() {
        Interval fiveMinutes = Interval.parse("5m");
        assertEquals(1_699_920_000_000L, fiveMinutes.startOf(1_699_920_000_000L));
        assertEquals(1_699_920_000_000L, fiveMinutes.startOf(1_699_920_299_999L));
        assertEquals(1_699_920_300_000L, fiveMinutes.startOf(1_699_920_300_000L));
        Interval quarterSecond = Interval.parse("0.25s");
        assertEquals(1_699_920_000_750L, quarterSecond.startOf(1_699_920_000_999L));
    }

    @Test
    void formatsSecondsWholeWherePossibleAndWithAFractionOtherwise() {
        assertEquals("1699920000", TsCodec.format(1_699_920_000_000L));
        assertEquals("1699920000.25", TsCodec.format(1_699_920_000_250L));
        assertEquals("1699920000.5", TsCodec.format(1_699_920_000_500L));
        assertEquals("1699920000.001", TsCodec.format(1_699_920_000_001L));
    }

    @Test
    void parsesPythonTimestampsIncludingFractions() {
        assertEquals(1_700_000_003_250L, TsCodec.parse("1700000003.25"));
        assertEquals(1_700_000_003_000L, TsCodec.parse("1700000003"));
        assertEquals(1_700_000_003_123L, TsCodec.parse("1700000003.1234567"));
    }
}
