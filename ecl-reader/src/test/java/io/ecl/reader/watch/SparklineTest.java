package io.ecl.reader.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SparklineTest {
    private static String spark(int width, double... values) {
        return Sparkline.render(values, width, Sparkline.BLOCKS);
    }

    @Test
    void heightsAreRelativeToTheHighestShownFromZero() {
        assertEquals("▁▂▃▄▅▆▇█", spark(8, 0, 1, 2, 3, 4, 5, 6, 7));
        // 1000 to 1010 is a flat line at the top, not a cliff: the scale starts at 0
        assertEquals("████", spark(4, 1000, 1005, 1008, 1010));
        assertEquals("▂▂▅█", spark(4, 1, 10, 50, 100));
    }

    @Test
    void anyCountAboveZeroStandsAboveZero() {
        assertEquals("▁▂█", spark(3, 0, 1, 1_000_000));
    }

    @Test
    void allZeroIsTheLowestLine() {
        assertEquals("▁▁▁▁", spark(4, 0, 0, 0, 0));
    }

    @Test
    void aSingleValueIsTheTopGlyphOrTheBottomOne() {
        assertEquals("   █", spark(4, 42));
        assertEquals("   ▁", spark(4, 0));
    }

    @Test
    void fewerValuesThanColumnsAreRightAlignedSoTheNewestIsLast() {
        assertEquals("  ▅█", spark(4, 1, 2));
        assertEquals("    ", spark(4));
    }

    @Test
    void moreValuesThanColumnsShowTheNewestScaledAmongThemselves() {
        // 1000 is out of view: the four shown are scaled to their own maximum, 4
        assertEquals("▃▅▇█", spark(4, 1000, 1, 2, 3, 4));
    }

    @Test
    void negativeAndMissingValuesCountAsZero() {
        assertEquals("▁▁█", spark(3, -5, Double.NaN, 3));
    }

    @Test
    void asciiGlyphsForOutputThatCannotShowBlocks() {
        assertEquals("_.-:=+*#", Sparkline.render(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 8, Sparkline.ASCII));
    }

    @Test
    void noColumnsNoLine() {
        assertEquals("", spark(0, 1, 2));
    }
}
