package io.ecl.core.internal.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogBucketsTest {
    /** The table lookup of the hot path gives the bucket the definition (a search of the bounds) gives. */
    @Test
    void indexByTableEqualsIndexBySearch() {
        Random r = new Random(3);
        for (int n = 0; n < 2_000_000; n++) {
            double m = Math.exp((r.nextDouble() * 2 - 1) * 50); // 2e-22 .. 5e21, beyond both ends
            double magnitude = Math.min(m, ValueSketch.MAX_MAGNITUDE);
            assertEquals(LogBuckets.search(magnitude), LogBuckets.index(magnitude), () -> "magnitude " + magnitude);
        }
    }

    /** At every bucket bound, and one ulp on either side, the table agrees with the search. */
    @Test
    void indexByTableEqualsIndexBySearchAtEveryBound() {
        for (int i = LogBuckets.MIN_INDEX; i <= LogBuckets.MAX_INDEX; i++) {
            double bound = Math.exp(i * LogBuckets.LN_GAMMA);
            for (double m : new double[] {Math.nextDown(bound), bound, Math.nextUp(bound)}) {
                if (m <= ValueSketch.MAX_MAGNITUDE) {
                    assertEquals(LogBuckets.search(m), LogBuckets.index(m), "magnitude " + m);
                }
            }
            assertEquals(i, LogBuckets.index(bound), "γ^" + i + " closes bucket " + i);
        }
    }

    /** The bucket is ceil(log_γ(m)) wherever floating point can tell (away from a bound by 1e-9 of a bucket). */
    @Test
    void indexIsTheCeilingOfTheLogarithm() {
        Random r = new Random(4);
        for (int n = 0; n < 1_000_000; n++) {
            double m = Math.exp((r.nextDouble() * 2 - 1) * 20);
            double exact = Math.log(m) / LogBuckets.LN_GAMMA;
            if (Math.abs(exact - Math.rint(exact)) > 1e-9) {
                assertEquals((int) Math.ceil(exact), LogBuckets.index(m), () -> "magnitude " + m);
            }
        }
    }

    @Test
    void tinyAndSubnormalMagnitudesClampToTheLowestBucket() {
        assertEquals(LogBuckets.MIN_INDEX, LogBuckets.index(1e-12));
        assertEquals(LogBuckets.MIN_INDEX, LogBuckets.index(Double.MIN_VALUE));
        assertEquals(LogBuckets.MAX_INDEX, LogBuckets.index(ValueSketch.MAX_MAGNITUDE));
        assertTrue(LogBuckets.representative(LogBuckets.positiveSlot(LogBuckets.MIN_INDEX)) < 1.01e-9);
    }
}
