package io.ecl.core.internal.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class ValueSketchTest {
    static final double[] QUANTILES = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};
    /** 1 % plus the last bits of floating-point rounding at a bucket's edge. */
    static final double TOLERANCE = 0.01 + 1e-12;

    static double[] draw(int n, long seed, DistributionKind kind) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = kind.next(r);
        }
        return v;
    }

    interface DistributionKind {
        double next(Random r);
    }

    static final DistributionKind UNIFORM = r -> r.nextDouble() * 1000;
    static final DistributionKind LOGNORMAL = r -> Math.exp(Math.log(100) + 1.5 * r.nextGaussian());
    static final DistributionKind BIMODAL = r -> r.nextBoolean() ? 20 + 2 * r.nextGaussian() : 800 + 50 * r.nextGaussian();
    static final DistributionKind NEGATIVES_AND_ZEROS = r -> {
        switch (r.nextInt(3)) {
            case 0: return 0;
            case 1: return -Math.exp(3 * r.nextGaussian());
            default: return r.nextDouble() * 50;
        }
    };
    static final DistributionKind MICROSECONDS_IN_SECONDS = r -> 1e-6 + r.nextDouble() * 1e-3;

    static ValueSketch sketchOf(double[] values) {
        ValueSketch s = new ValueSketch();
        for (double v : values) {
            s.record(v);
        }
        return s;
    }

    /** The value of 0-based rank ⌊q·(n−1)⌋ of the sorted values: the definition SketchSnapshot uses. */
    static double exactQuantile(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    static BigInteger exactSumMicros(double[] values) {
        BigInteger s = BigInteger.ZERO;
        long acc = 0;
        for (double v : values) {
            acc = Math.addExact(acc, Math.round(v * 1e6));
        }
        return s.add(BigInteger.valueOf(acc));
    }

    /** count, sum, min and max exact; every quantile within 1 % of the exact one. */
    static void assertDescribes(double[] values, SketchSnapshot s) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        assertEquals(values.length, s.count());
        assertEquals(exactSumMicros(values), s.sumMicros());
        assertEquals(sorted[0] == 0 ? 0.0 : sorted[0], s.min());
        assertEquals(sorted[sorted.length - 1], s.max());
        for (double q : QUANTILES) {
            double exact = exactQuantile(sorted, q);
            double estimate = s.quantile(q);
            if (exact == 0) {
                assertEquals(0.0, estimate, "q=" + q);
            } else {
                double error = Math.abs(estimate - exact) / Math.abs(exact);
                assertTrue(error <= TOLERANCE, "q=" + q + ": exact " + exact + ", estimate " + estimate + ", relative error " + error);
            }
        }
    }

    @Test
    void quantilesOfAUniformDistributionAreWithinOnePercent() {
        double[] v = draw(200_000, 1, UNIFORM);
        assertDescribes(v, sketchOf(v).drain());
    }

    @Test
    void quantilesOfALognormalDistributionAreWithinOnePercent() {
        double[] v = draw(200_000, 2, LOGNORMAL);
        assertDescribes(v, sketchOf(v).drain());
    }

    @Test
    void quantilesOfABimodalDistributionAreWithinOnePercent() {
        double[] v = draw(200_000, 3, BIMODAL);
        assertDescribes(v, sketchOf(v).drain());
    }

    @Test
    void quantilesWithNegativesAndZerosAreWithinOnePercent() {
        double[] v = draw(200_000, 4, NEGATIVES_AND_ZEROS);
        SketchSnapshot s = sketchOf(v).drain();
        assertDescribes(v, s);
        assertTrue(s.min() < 0);
        assertEquals(0.0, s.quantile(0.5), "a third are zeros, a third negative: the median is a zero");
    }

    @Test
    void quantilesOfTinyValuesAreWithinOnePercent() {
        double[] v = draw(100_000, 5, MICROSECONDS_IN_SECONDS);
        assertDescribes(v, sketchOf(v).drain());
    }

    @Test
    void mergeOfTwoSketchesEqualsTheSketchOfTheUnion() {
        double[] a = draw(500_000, 11, LOGNORMAL);
        double[] b = draw(500_000, 12, BIMODAL);
        SketchSnapshot merged = sketchOf(a).drain().merge(sketchOf(b).drain());
        double[] union = new double[a.length + b.length];
        System.arraycopy(a, 0, union, 0, a.length);
        System.arraycopy(b, 0, union, a.length, b.length);
        assertDescribes(union, merged);
        SketchSnapshot direct = sketchOf(union).drain();
        assertEquals(SketchFields.encode(direct).increments(), SketchFields.encode(merged).increments(),
                "the same buckets, count and sum as one sketch of all the values");
        for (double q : QUANTILES) {
            assertEquals(direct.quantile(q), merged.quantile(q), "q=" + q);
        }
    }

    @Test
    void snapshotOfOneValueEqualsRecordingItAndDraining() {
        for (double v : new double[] {12.7, -0.5, 0, -0.0, 1e-12, 4.7e12, -4.7e12, 1e18, 2e18, Double.NaN,
                Double.NEGATIVE_INFINITY, 0.1 + 0.2}) {
            ValueSketch sketch = new ValueSketch();
            sketch.record(v);
            SketchSnapshot drained = sketch.drain();
            SketchSnapshot one = SketchSnapshot.of(v);
            assertEquals(SketchFields.encode(drained), SketchFields.encode(one), "value " + v);
            assertEquals(drained.invalid(), one.invalid(), "value " + v);
        }
    }

    @Test
    void sumIsExactInMillionths() {
        ValueSketch s = new ValueSketch();
        s.record(12.7);
        s.record(12.7);
        s.record(12.7);
        s.record(0.1);
        s.record(0.2);
        assertEquals(new BigDecimal("38.4"), s.drain().sum());
    }

    @Test
    void sumStaysExactBeyondALong() {
        ValueSketch s = new ValueSketch();
        for (int i = 0; i < 1000; i++) {
            s.record(4.5e12); // fast path; three of them pass 2^63 micro-units, so the low word carries
            s.record(1e18); // exact path
            s.record(-3.25e17);
        }
        SketchSnapshot snap = s.drain();
        assertEquals(new BigDecimal("675004500000000000000").setScale(0), snap.sum());
        assertEquals(3000, snap.count());
        assertEquals(-3.25e17, snap.min());
        assertEquals(1e18, snap.max());
    }

    @Test
    void sumOfNegativeValuesCarriesDownwards() {
        ValueSketch s = new ValueSketch();
        for (int i = 0; i < 10; i++) {
            s.record(-4.5e12);
        }
        assertEquals(new BigDecimal("-45000000000000"), s.drain().sum());
    }

    @Test
    void invalidValuesAreCountedApartAndTouchNoStatistic() {
        ValueSketch s = new ValueSketch();
        s.record(5);
        s.record(Double.NaN);
        s.record(Double.POSITIVE_INFINITY);
        s.record(Double.NEGATIVE_INFINITY);
        s.record(2e18);
        s.record(-2e18);
        s.record(7);
        SketchSnapshot snap = s.drain();
        assertEquals(5, snap.invalid());
        assertEquals(2, snap.count());
        assertEquals(new BigDecimal("12"), snap.sum());
        assertEquals(5.0, snap.min());
        assertEquals(7.0, snap.max());
        assertEquals(6.0, snap.mean());
        assertEquals(1.0, snap.stddev());
    }

    @Test
    void negativeZeroIsRecordedAsZero() {
        ValueSketch s = new ValueSketch();
        s.record(-0.0);
        s.record(3);
        SketchSnapshot snap = s.drain();
        assertEquals(0.0, snap.min()); // +0.0: assertEquals(double, double) tells the two zeros apart
        assertEquals(0.0, snap.quantile(0));
    }

    @Test
    void meanAndPopulationStddevOfAKnownSet() {
        ValueSketch s = new ValueSketch();
        for (double v : new double[] {2, 4, 4, 4, 5, 5, 7, 9}) {
            s.record(v);
        }
        SketchSnapshot snap = s.drain();
        assertEquals(5.0, snap.mean());
        assertEquals(2.0, snap.stddev());
        assertEquals(4.0, snap.quantile(0.5), 4.0 * 0.01, "rank 3 of 8 is 4");
    }

    @Test
    void emptySketchDescribesNothing() {
        SketchSnapshot snap = new ValueSketch().drain();
        assertTrue(snap.isEmpty());
        assertEquals(0, snap.count());
        assertTrue(Double.isNaN(snap.min()));
        assertTrue(Double.isNaN(snap.mean()));
        assertTrue(Double.isNaN(snap.stddev()));
        assertTrue(Double.isNaN(snap.quantile(0.99)));
        assertEquals(BigDecimal.ZERO, snap.sum());
        assertThrows(IllegalArgumentException.class, () -> snap.quantile(1.5));
    }

    @Test
    void drainEmptiesTheSketchAndKeepsItUsable() {
        ValueSketch s = new ValueSketch();
        s.record(10);
        assertEquals(1, s.drain().count());
        assertTrue(s.drain().isEmpty());
        s.record(20);
        SketchSnapshot snap = s.drain();
        assertEquals(1, snap.count());
        assertEquals(20.0, snap.min());
        assertEquals(20.0, snap.max());
    }

    @Test
    void valuesBeyondTheBucketRangeKeepExactMinMaxAndClampedQuantiles() {
        ValueSketch s = new ValueSketch();
        s.record(1e-12);
        s.record(2e-12);
        SketchSnapshot snap = s.drain();
        assertEquals(1e-12, snap.min());
        assertEquals(2e-12, snap.max());
        double p50 = snap.quantile(0.5);
        assertTrue(p50 >= 1e-12 && p50 <= 2e-12, "clamped to [min, max]: " + p50);
    }

    /** The figure in ValueSketch's comment: one thread's latencies over 1..10,000 ms touch 8 pages of buckets. */
    @Test
    void footprintOfATypicalLatencySketch() {
        ValueSketch s = new ValueSketch();
        long empty = s.footprintBytes();
        Random r = new Random(7);
        for (int i = 0; i < 1_000_000; i++) {
            s.record(Math.min(10_000, Math.max(1, Math.exp(Math.log(100) + r.nextGaussian()))));
        }
        long used = s.footprintBytes();
        SketchSnapshot snap = s.drain();
        System.out.printf("ValueSketch, %d stripes: %d bytes empty, %d bytes after 1,000,000 lognormal latencies"
                + " 1..10,000 ms from one thread (%d buckets); the snapshot %d buckets%n",
                ValueSketch.STRIPES, empty, used, snap.buckets(), snap.buckets());
        int pages = (LogBuckets.slot(10_000) >> 6) - (LogBuckets.slot(1) >> 6) + 1;
        assertEquals(empty + stripeBytes() + pages * (32L + 8 * ValueSketch.PAGE), used);
        assertEquals(used, s.footprintBytes(), "a drain keeps the pages: the next epoch allocates nothing");
    }

    private static long stripeBytes() {
        return 16 + 14 * 8 + 5 * 8 + 16 + 4L * ((LogBuckets.SLOTS + ValueSketch.PAGE - 1) / ValueSketch.PAGE);
    }

    static final int ROUNDS = 10;

    /**
     * 4 threads record while another drains over and over: the snapshots add up to exactly what
     * was recorded (same buckets, count, sum, min, max), nothing lost, nothing twice.
     */
    @Test
    void concurrentRecordsLandInExactlyOneSnapshot() throws Exception {
        int threads = 4;
        int perThread = 100_000;
        double[][] values = new double[threads][];
        for (int t = 0; t < threads; t++) {
            values[t] = draw(perThread, 100 + t, t % 2 == 0 ? LOGNORMAL : NEGATIVES_AND_ZEROS);
        }
        ValueSketch shared = new ValueSketch();
        CountDownLatch start = new CountDownLatch(1);
        // Drains happen while the writers record, whatever the machine's load: each writer waits,
        // after each twentieth of its first round, until the drainer has drained once more.
        AtomicInteger drained = new AtomicInteger();
        int chunk = perThread / 20;
        Thread[] writers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            double[] mine = values[t];
            writers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int round = 0; round < ROUNDS; round++) {
                    for (int i = 0; i < mine.length; i++) {
                        shared.record(mine[i]);
                        if (round == 0 && (i + 1) % chunk == 0) {
                            int seen = drained.get();
                            while (drained.get() <= seen) {
                                Thread.yield();
                            }
                        }
                    }
                }
            });
            writers[t].start();
        }
        SketchSnapshot total = new SketchSnapshot();
        int drains = 0;
        int nonEmpty = 0;
        start.countDown();
        AtomicBoolean writing = new AtomicBoolean(true);
        while (writing.get()) {
            SketchSnapshot part = shared.drain();
            drained.incrementAndGet();
            nonEmpty += part.isEmpty() ? 0 : 1;
            total.merge(part);
            drains++;
            boolean alive = false;
            for (Thread w : writers) {
                alive |= w.isAlive();
            }
            writing.set(alive);
        }
        for (Thread w : writers) {
            w.join();
        }
        total.merge(shared.drain());

        ValueSketch alone = new ValueSketch();
        double[] all = new double[threads * perThread];
        for (int t = 0; t < threads; t++) {
            for (int round = 0; round < ROUNDS; round++) {
                for (double v : values[t]) {
                    alone.record(v);
                }
            }
            System.arraycopy(values[t], 0, all, t * perThread, perThread);
        }
        SketchSnapshot expected = alone.drain();
        assertTrue(nonEmpty > 10, "drained while recording: " + nonEmpty + " of " + drains + " drains found values");
        assertEquals(SketchFields.encode(expected).increments(), SketchFields.encode(total).increments());
        assertEquals(expected.min(), total.min());
        assertEquals(expected.max(), total.max());
        assertEquals(expected.sumOfSquares(), total.sumOfSquares(), expected.sumOfSquares() * 1e-12);
        SketchSnapshot once = new SketchSnapshot();
        for (int i = 0; i < ROUNDS; i++) {
            once.merge(sketchOf(all).drain());
        }
        assertEquals(SketchFields.encode(once).increments(), SketchFields.encode(total).increments());
        assertEquals(all.length * (long) ROUNDS, total.count());
    }
}
