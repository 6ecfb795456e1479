package io.ecl.bench;

import com.timgroup.statsd.NonBlockingStatsDClient;
import io.ecl.core.EventCountLogger;
import io.ecl.core.EventGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What an application pays per counted event with ecl's local counters, and with what it would
 * pick instead: a Micrometer Counter (in-process, exported by a registry), and a StatsD client
 * sending to a daemon over UDP (here a local socket drained by a thread, standing in for the
 * daemon). Throughput of the calling thread, reported as ns per event: what an application's hot path
 * feels.
 *
 * <p>The StatsD client (com.timgroup:java-statsd-client's NonBlockingStatsDClient) hands each
 * count to one sender thread through an unbounded queue and returns. Timing single calls would let
 * the queue grow without end, so the StatsD figures are taken in batches of {@value #BATCH} calls,
 * each batch started once the receiver has got every datagram of the batches before:
 * {@code statsdCount} is the caller's side of a batch (the sender thread runs meanwhile, as in an
 * application); {@code statsdDelivered} times the batch until its last datagram has arrived, the
 * rate a StatsD client sustains.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PeersBench {
    static final String EVENT = "req3";
    static final int BATCH = 10_000;

    private EventCountLogger ecl;
    private EventGroup group;
    private SimpleMeterRegistry registry;
    private Counter counter;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ecl = LocalLogBench.logger(0);
        group = ecl.group("local");
        registry = new SimpleMeterRegistry();
        counter = registry.counter(EVENT);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Loggers.close(ecl);
        registry.close();
    }

    /** ecl with local counters: a lookup by event ID, then a LongAdder add per interval. */
    @Benchmark
    public void eclLog() {
        group.log(EVENT);
    }

    /** Micrometer, the Counter held by the caller (no lookup). */
    @Benchmark
    public void micrometerCounter() {
        counter.increment();
    }

    /** Micrometer, the Counter looked up by name on each call, as log(event) does. */
    @Benchmark
    public void micrometerLookup() {
        registry.counter(EVENT).increment();
    }

    /** StatsD: the caller's side of count(), in batches. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void statsdCount(Statsd s) {
        s.batch();
    }

    /** StatsD: a batch of count() until its last datagram has reached the daemon. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void statsdDelivered(Statsd s) {
        s.batch();
        s.awaitReceived();
    }

    /** The StatsD client and a local UDP socket standing in for the daemon, drained by a thread. */
    @State(Scope.Benchmark)
    public static class Statsd {
        private DatagramChannel daemon;
        private final AtomicLong received = new AtomicLong();
        private NonBlockingStatsDClient client;
        private long sent;
        private long lost;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            daemon = DatagramChannel.open();
            daemon.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            daemon.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread drain = new Thread(this::drain, "statsd-daemon");
            drain.setDaemon(true);
            drain.start();
            int port = ((InetSocketAddress) daemon.getLocalAddress()).getPort();
            client = new NonBlockingStatsDClient("app", InetAddress.getLoopbackAddress().getHostAddress(), port);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (lost > 0) {
                System.out.println("statsd: " + lost + " datagrams lost on loopback");
            }
            client.stop();
            daemon.close();
        }

        void batch() {
            for (int i = 0; i < BATCH; i++) {
                client.count(EVENT, 1, 1.0);
            }
            sent += BATCH;
        }

        private void drain() {
            ByteBuffer buf = ByteBuffer.allocate(65_536);
            try {
                while (true) {
                    buf.clear();
                    daemon.receive(buf);
                    received.incrementAndGet();
                }
            } catch (IOException e) {
                // closed at tear-down
            }
        }

        /** Before each StatsD batch: every datagram sent so far has arrived (or stopped arriving). */
        @Setup(Level.Invocation)
        public void settle() {
            awaitReceived();
        }

        private void awaitReceived() {
            long last = -1;
            long still = System.nanoTime();
            while (received.get() < sent) {
                long now = received.get();
                if (now != last) {
                    last = now;
                    still = System.nanoTime();
                } else if (System.nanoTime() - still > 200_000_000L) {
                    // datagrams lost on loopback: never wait on them again
                    lost += sent - now;
                    sent = now;
                    return;
                }
                LockSupport.parkNanos(20_000);
            }
        }
    }
}
