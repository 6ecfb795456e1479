package io.ecl.bench;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct-mode log() against raw INCR in alternating slices: the same threads run one for a
 * slice, then the other, many times over, and each pair of neighbouring slices gives one ratio.
 *
 * <p>Why beside JMH's pair of runs: on a small virtual machine a round trip on loopback takes
 * either about 10 µs or about 70 µs, depending on whether the host keeps the idle virtual CPU
 * awake, and the machine switches between the two every few seconds. Two JMH runs one after the
 * other can land in different states and their ratio then says nothing; slices of 120 ms side by
 * side share the state, and the median of their ratios cancels the switches. The order within each
 * pair alternates, so neither side always goes first.
 */
final class DirectPairs {
    /**
     * One figure: the median (and quartiles) of the paired ratios, each side's median rate, and
     * each side's median CPU time per call of the calling threads (µs; a spin for the reply shows
     * here).
     */
    record Result(int threads, int pairs, double ratio, double q1, double q3, double logOps, double rawOps,
            double logCpuMicros, double rawCpuMicros) {
    }

    private static final long SLICE_NANOS = 120_000_000L;

    private DirectPairs() {
    }

    static Result measure(int threads, int pairs) {
        DirectLogBench b = new DirectLogBench();
        b.setUp();
        try {
            Runnable[] sides = {b::log, () -> b.rawIncr()};
            double[][] rates = new double[2][pairs];
            double[][] cpu = new double[2][pairs];
            double[] ratios = new double[pairs];
            for (int p = -2; p < pairs; p++) { // 2 unmeasured pairs: JIT and connections
                for (int k = 0; k < 2; k++) {
                    int side = (p & 1) == 0 ? k : 1 - k;
                    double[] rate = slice(sides[side], threads);
                    if (p >= 0) {
                        rates[side][p] = rate[0];
                        cpu[side][p] = rate[1];
                    }
                }
                if (p >= 0) {
                    ratios[p] = rates[0][p] / rates[1][p];
                }
                b.reopenIntervals(); // as a master does: a boundary must not fall into a slice
            }
            double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            return new Result(threads, pairs, median(sorted), sorted[pairs / 4], sorted[(3 * pairs) / 4],
                    median(rates[0]), median(rates[1]), median(cpu[0]), median(cpu[1]));
        } finally {
            b.tearDown();
        }
    }

    /**
     * Calls per second of {@code op} from {@code threads} threads over one slice, and the CPU time
     * those threads spent per call (µs).
     */
    private static double[] slice(Runnable op, int threads) {
        AtomicLong calls = new AtomicLong();
        AtomicLong cpuNanos = new AtomicLong();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        Thread[] all = new Thread[threads];
        long[] window = new long[1];
        for (int t = 0; t < threads; t++) {
            all[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    return;
                }
                long end = window[0];
                long n = 0;
                long cpu0 = mx.getCurrentThreadCpuTime();
                while (System.nanoTime() < end) {
                    op.run();
                    n++;
                }
                cpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                calls.addAndGet(n);
            }, "pairs-" + t);
            all[t].start();
        }
        window[0] = System.nanoTime() + SLICE_NANOS;
        long began = System.nanoTime();
        try {
            start.await();
            for (Thread t : all) {
                t.join();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        double rate = calls.get() * 1e9 / (System.nanoTime() - began);
        return new double[] {rate, calls.get() == 0 ? 0 : cpuNanos.get() / 1e3 / calls.get()};
    }

    private static double median(double[] values) {
        double[] x = values.clone();
        Arrays.sort(x);
        return x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }
}
