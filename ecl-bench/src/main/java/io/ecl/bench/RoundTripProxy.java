package io.ecl.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A TCP proxy in front of Redis that counts round trips, for real: it reads the RESP stream in
 * both directions and counts a round trip each time a client sends a command while none of its
 * earlier commands is still waiting for its reply, i.e. each time the client had to wait for
 * Redis before going on. A pipeline of any length is one round trip; a script is one; N commands
 * sent one after the other are N. (Should a client's next command reach the proxy only after the
 * reply to the previous one although it was sent earlier, it would be counted as a new round trip:
 * the count can only err upwards.)
 *
 * <p>Commands that set a connection up (HELLO, AUTH, SELECT, CLIENT ...) are recorded like any
 * other; {@link #dataRoundTrips()} leaves out round trips made only of those.
 */
final class RoundTripProxy implements AutoCloseable {
    /** Commands a pooled client sends when it opens a connection. */
    static final Set<String> SETUP_COMMANDS = Set.of("HELLO", "AUTH", "SELECT", "CLIENT", "READONLY");

    /** One round trip: the commands sent before waiting for the first of their replies. */
    static final class RoundTrip {
        final List<String> commands = new ArrayList<>();

        boolean isSetup() {
            return !commands.isEmpty() && commands.stream().allMatch(SETUP_COMMANDS::contains);
        }

        /** The commands in order, repeats folded: "CLIENT×3", "EVALSHA×10", "HELLO". */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            int i = 0;
            while (i < commands.size()) {
                int j = i;
                while (j < commands.size() && commands.get(j).equals(commands.get(i))) {
                    j++;
                }
                b.append(b.length() == 0 ? "" : "+").append(commands.get(i)).append(j - i > 1 ? "×" + (j - i) : "");
                i = j;
            }
            return b.toString();
        }
    }

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<RoundTrip> trips = new ArrayList<>();
    private volatile boolean closed;

    RoundTripProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "rt-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    synchronized void reset() {
        trips.clear();
    }

    /** Every round trip since the last {@link #reset()}, in order. */
    synchronized List<RoundTrip> roundTrips() {
        List<RoundTrip> copy = new ArrayList<>();
        for (RoundTrip t : trips) {
            RoundTrip c = new RoundTrip();
            c.commands.addAll(t.commands);
            copy.add(c);
        }
        return copy;
    }

    synchronized int totalRoundTrips() {
        return trips.size();
    }

    /** Round trips that carried at least one command other than connection set-up. */
    synchronized int dataRoundTrips() {
        int n = 0;
        for (RoundTrip t : trips) {
            if (!t.isSetup()) {
                n++;
            }
        }
        return n;
    }

    /** Number of commands named {@code name} since the last reset. */
    synchronized int commands(String name) {
        int n = 0;
        for (RoundTrip t : trips) {
            for (String c : t.commands) {
                if (c.equals(name)) {
                    n++;
                }
            }
        }
        return n;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                Connection c = new Connection();
                pump(client, upstream, new RespScanner(c.requests()), "rt-proxy-up");
                pump(upstream, client, new RespScanner(c.replies()), "rt-proxy-down");
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("round-trip proxy: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, RespScanner scanner, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    scanner.feed(buf, 0, n); // before forwarding: a reply cannot overtake its command
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // connection closed by either side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Per-connection bookkeeping: commands sent and not yet answered. */
    private final class Connection {
        private int unanswered;
        private RoundTrip current;

        RespScanner.Listener requests() {
            return new RespScanner.Listener() {
                @Override
                public void messageStart() {
                    synchronized (RoundTripProxy.this) {
                        if (unanswered == 0 || current == null) {
                            current = new RoundTrip();
                            trips.add(current);
                        }
                        unanswered++;
                    }
                }

                @Override
                public void commandName(String name) {
                    synchronized (RoundTripProxy.this) {
                        current.commands.add(name == null ? "(inline)" : name);
                    }
                }
            };
        }

        RespScanner.Listener replies() {
            return new RespScanner.Listener() {
                @Override
                public void messageEnd(boolean push) {
                    if (!push) {
                        synchronized (RoundTripProxy.this) {
                            unanswered--;
                        }
                    }
                }
            };
        }
    }

    private static void closeQuietly(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        synchronized (sockets) {
            for (Socket s : sockets) {
                closeQuietly(s);
            }
        }
    }
}
