package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The busy-wait for a direct-mode reply, on real sockets: to a Redis that answers, and to a peer
 * that never does (a Redis across a slow network, as far as a 1 ms spin can tell).
 */
class ReplyWaitTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final long MS = 1_000_000;

    @Test
    void aReplyWithinTheSpinIsWaitedForSpinning() throws IOException {
        ReplyWait wait = new ReplyWait(MS, 2);
        try (Socket s = new Socket("127.0.0.1", redis.port())) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 20; i++) {
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (wait.await(in) == ReplyWait.CAME) {
                    assertTrue(in.available() > 0, "the spin returned before the reply was there");
                }
                byte[] reply = in.readNBytes(7);
                assertEquals("+PONG\r\n", new String(reply, StandardCharsets.US_ASCII));
            }
        }
        // A local PING takes far less than 1 ms even on a loaded machine; allow a few stragglers.
        assertTrue(wait.spins(ReplyWait.CAME) >= 15, "spins that saw the reply: " + wait.spins(ReplyWait.CAME));
        assertEquals(20, wait.spins(ReplyWait.CAME) + wait.spins(ReplyWait.RAN_OUT));
        assertEquals(0, wait.spins(ReplyWait.YIELDED));
    }

    @Test
    void aConnectionWhoseRepliesKeepMissingTheSpinStopsSpinningForAWhile() throws IOException {
        ReplyWait wait = new ReplyWait(MS / 10, 2);
        ReplyWait.Link link = new ReplyWait.Link(wait);
        try (Pair pair = new Pair()) {
            InputStream in = pair.client.getInputStream();
            for (int i = 0; i < ReplyWait.MISSES_TO_PAUSE; i++) {
                assertFalse(link.paused());
                long t0 = System.nanoTime();
                link.before(in);
                assertTrue(System.nanoTime() - t0 >= MS / 10, "a miss spins its whole budget");
            }
            assertTrue(link.paused());
            assertEquals(ReplyWait.MISSES_TO_PAUSE, wait.spins(ReplyWait.RAN_OUT));
            for (int i = 0; i < ReplyWait.PAUSED_EXCHANGES; i++) {
                link.before(in);
            }
            assertEquals(ReplyWait.MISSES_TO_PAUSE, wait.spins(ReplyWait.RAN_OUT), "no spin while paused");
            assertFalse(link.paused());
            // Then it tries again: a reply that comes now is waited for spinning, and the misses start over.
            pair.answer();
            link.before(in);
            assertEquals(1, wait.spins(ReplyWait.CAME));
        }
    }

    @Test
    void oneMissAmongRepliesThatComeDoesNotPause() throws IOException {
        ReplyWait wait = new ReplyWait(MS / 10, 2);
        ReplyWait.Link link = new ReplyWait.Link(wait);
        try (Pair pair = new Pair()) {
            InputStream in = pair.client.getInputStream();
            for (int i = 0; i < 3 * ReplyWait.MISSES_TO_PAUSE; i++) {
                if (i % 2 == 0) {
                    pair.answer();
                    awaitAvailable(in);
                }
                link.before(in);
                in.skip(in.available());
            }
            assertFalse(link.paused(), "misses are counted in a row");
        }
    }

    @Test
    void withoutASpareCpuNothingSpins() {
        ReplyWait two = new ReplyWait(MS, 2);
        ReplyWait.enter(); // the caller's own call: spins() is asked during one
        try {
            assertFalse(new ReplyWait(MS, 1).spins(), "one CPU: the caller's own");
            assertFalse(new ReplyWait(0, 8).spins(), "a spin of 0");
            assertFalse(ReplyWait.NEVER.spins());
            assertTrue(two.spins(), "one call under way on two CPUs: its own");
            ReplyWait.enter();
            try {
                assertFalse(two.spins(), "two under way on two CPUs: none is spare");
            } finally {
                ReplyWait.leave();
            }
        } finally {
            ReplyWait.leave();
        }
    }

    @Test
    void aSpinStopsWhenMoreCallsGetUnderWay() throws Exception {
        ReplyWait wait = new ReplyWait(MS, 2);
        try (Pair pair = new Pair()) {
            InputStream in = pair.client.getInputStream();
            AtomicInteger outcome = new AtomicInteger(-1);
            CountDownLatch spinning = new CountDownLatch(1);
            ReplyWait.enter();
            Thread spinner = new Thread(() -> {
                spinning.countDown();
                // A silent peer: it spins until told that the CPUs are taken, or for 1 ms, again and again.
                for (int i = 0; i < 10_000 && outcome.get() != ReplyWait.YIELDED; i++) {
                    outcome.set(wait.await(in));
                }
            });
            spinner.start();
            spinning.await();
            ReplyWait.enter(); // a second caller on 2 CPUs
            try {
                spinner.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(spinner.isAlive());
                assertEquals(ReplyWait.YIELDED, outcome.get());
            } finally {
                ReplyWait.leave();
                ReplyWait.leave();
            }
            assertFalse(pair.peer.isClosed());
        }
    }

    @Test
    void aClosedSocketEndsTheSpinAndTheReadSaysWhy() throws IOException {
        ReplyWait wait = new ReplyWait(MS, 2);
        try (Pair pair = new Pair()) {
            InputStream in = pair.client.getInputStream();
            pair.client.close();
            assertEquals(ReplyWait.CAME, wait.await(in), "the read that follows reports the closed socket");
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, in::read);
        }
    }

    /** A connection to a peer that says nothing until the test makes it. */
    private static final class Pair implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0);
        final Socket client = new Socket("127.0.0.1", server.getLocalPort());
        final Socket peer = server.accept();

        Pair() throws IOException {
        }

        /** The peer sends one byte: the start of a reply. */
        void answer() throws IOException {
            peer.getOutputStream().write('+');
            peer.getOutputStream().flush();
        }

        @Override
        public void close() throws IOException {
            try (server; client; peer) {
                // closed in reverse order
            }
        }
    }

    private static void awaitAvailable(InputStream in) throws IOException {
        long end = System.nanoTime() + 10_000 * MS;
        while (in.available() == 0) {
            assertTrue(System.nanoTime() < end, "the peer's byte never came");
            Thread.onSpinWait();
        }
    }
}
