package io.ecl.ingest;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A StatsD listener: UDP datagrams and newline-delimited TCP streams on one address, parsed by
 * {@link StatsdProcessor}, mapped by {@link NameMapper} and counted through an
 * {@link EventCountLogger} of its own, so counts are flushed exactly once, attributed to the
 * interval they arrived in and held through Redis outages up to each group's {@code max_pending}.
 *
 * <p>A group without local counters would make one round trip per line: the listener's logger
 * gives such groups {@code statsd.sync_interval} (default 1 s) instead; the config file is not
 * changed and the application's own loggers keep direct mode.
 *
 * <p>Receive path: {@code receiver_threads} threads read the one UDP socket (non-blocking, each
 * with its own selector for the idle case) into a buffer of their own, parse in place and call
 * the group's lock-free {@code log()}; under load they never block in the selector. The kernel
 * holds datagrams that arrive while every thread is busy in the socket's receive buffer
 * ({@code statsd.receive_buffer}); what does not fit there is dropped by the kernel and shows in
 * {@link StatsdStats#socketDrops()}.
 */
public final class StatsdListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatsdListener.class);
    /** Larger than any UDP payload (65,507 bytes over IPv4), so a datagram is never truncated. */
    static final int DATAGRAM_BUFFER = 65_536;
    /** The longest TCP line; a longer one is counted as malformed and skipped up to its newline. */
    static final int MAX_TCP_LINE = 65_536;
    static final int MAX_TCP_CONNECTIONS = 512;
    private static final long DRAIN_MILLIS = 1000;

    private final EventCountLogger logger;
    private final boolean ownsLogger;
    private final StatsdStats stats;
    private final NameTable names;
    private final Sink sink;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    private final InetSocketAddress address;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Selector> selectors = new ArrayList<>();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final RateLimitedLog connectionLog;
    private volatile boolean stopping;
    private boolean closed;

    private StatsdListener(EventCountLogger logger, boolean ownsLogger, StatsdConfig config, StatsdStats stats,
            Sink sink) throws IOException {
        this.logger = logger;
        this.ownsLogger = ownsLogger;
        this.stats = stats;
        this.sink = sink;
        this.names = new NameTable(new NameMapper(logger.config(), config), logger, stats);
        this.connectionLog = new RateLimitedLog(LOG, 10, 60_000, System::nanoTime);
        InetSocketAddress asked = config.listen();
        if (asked == null) {
            throw new IllegalArgumentException("no address to listen on (statsd.listen or --statsd)");
        }
        // Port 0 (tests, or "any free port"): the kernel picks a UDP port, and TCP needs the same
        // number, which may be taken by another TCP socket (an outgoing connection's local port):
        // then both are picked again.
        DatagramChannel u;
        ServerSocketChannel t;
        InetSocketAddress bound;
        for (int attempt = 1; ; attempt++) {
            u = DatagramChannel.open(asked.getAddress() instanceof java.net.Inet6Address
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            t = null;
            try {
                u.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBuffer());
                bind(u, asked, "UDP");
                int port = ((InetSocketAddress) u.getLocalAddress()).getPort();
                bound = new InetSocketAddress(asked.getAddress(), port);
                t = ServerSocketChannel.open();
                t.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                bindTcp(t, bound);
                u.configureBlocking(false);
                break;
            } catch (IOException | RuntimeException e) {
                u.close();
                if (t != null) {
                    t.close();
                }
                if (!(e instanceof java.net.BindException) || asked.getPort() != 0 || attempt == 20) {
                    throw e;
                }
            }
        }
        this.address = bound;
        this.udp = u;
        this.tcp = t;
        int granted = udp.getOption(StandardSocketOptions.SO_RCVBUF);
        stats.receiveBufferBytes = granted;
        stats.udpPort = address.getPort();
        // Capped by net.core.rmem_max; some kernels report twice the size granted (bookkeeping).
        if (granted < config.receiveBuffer()) {
            LOG.warn("statsd: asked the kernel for a receive buffer of {} bytes and got {}; bursts beyond it are"
                    + " dropped by the kernel (ecl_statsd_udp_socket_drops_total). Raise the limit with"
                    + " `sysctl -w net.core.rmem_max={}` (and in /etc/sysctl.d/) and restart", config.receiveBuffer(),
                    granted, config.receiveBuffer());
        }
        for (int i = 0; i < config.receiverThreads(); i++) {
            Selector s = Selector.open();
            udp.register(s, SelectionKey.OP_READ);
            selectors.add(s);
            threads.add(thread("ecl-statsd-udp-" + i, () -> receiveUdp(s)));
        }
        threads.add(thread("ecl-statsd-tcp-accept", this::acceptTcp));
        for (Thread th : threads) {
            th.start();
        }
        LOG.info("statsd: listening on udp and tcp {}, receive buffer {} bytes, {} receiver thread(s)",
                hostPort(address), granted, config.receiverThreads());
    }

    /**
     * Starts a listener with a logger of its own (closed by {@link #close()}), built from
     * {@code config}: groups without local counters get {@code statsd.sync_interval}.
     *
     * @throws BindException when the UDP or TCP port is taken (the message names which)
     * @throws io.ecl.core.ConfigException when a {@code statsd.map} rule names an unknown group
     */
    public static StatsdListener start(EclConfig config, StatsdConfig statsd, Clock clock) throws IOException {
        EventCountLogger logger = EventCountLogger.builder(withLocalCounters(config, statsd)).clock(clock).build();
        try {
            StatsdStats stats = new StatsdStats(UdpKernelStats.system(), System::nanoTime);
            return new StatsdListener(logger, true, statsd, stats, new LoggerSink());
        } catch (IOException | RuntimeException e) {
            logger.close();
            throw e;
        }
    }

    /**
     * The config the listener's logger uses: each group without local counters gets
     * {@code sync_interval} from {@code statsd.sync_interval}, so that the listener never makes one
     * round trip per line.
     */
    static EclConfig withLocalCounters(EclConfig config, StatsdConfig statsd) {
        return HttpWrites.withLocalCounters(config, statsd.syncInterval());
    }

    /** The address listened on (the port chosen when 0 was asked). */
    public InetSocketAddress address() {
        return address;
    }

    public StatsdStats stats() {
        return stats;
    }

    /** The listener's logger (to read what it holds: pending counts, the last failure). */
    public EventCountLogger logger() {
        return logger;
    }

    /** Pushes what has been received to Redis now; see {@link EventCountLogger#flush()}. */
    public boolean flush() {
        return logger.flush();
    }

    /**
     * Stops receiving: no new TCP connection, open ones ended (their input shut down; what was
     * read of them counts), datagrams already in the socket buffer read (for up to a second); then
     * the logger delivers what it holds (its close timeout) and closes.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        closeQuietly(tcp);
        for (SocketChannel c : connections) {
            try {
                c.shutdownInput();
            } catch (IOException e) {
                closeQuietly(c);
            }
        }
        for (Selector s : selectors) {
            s.wakeup();
        }
        for (Thread t : threads) {
            try {
                t.join(DRAIN_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeQuietly(udp);
        for (SocketChannel c : connections) {
            closeQuietly(c);
        }
        for (Selector s : selectors) {
            closeQuietly(s);
        }
        if (ownsLogger) {
            logger.close();
        }
        LOG.info("statsd: stopped after {} lines ({} parsed, {} malformed, {} unmapped)", stats.linesReceived(),
                stats.linesParsed(), stats.linesMalformed(), stats.linesUnmapped());
    }

    private StatsdProcessor processor() {
        return new StatsdProcessor(names, sink, stats);
    }

    private void receiveUdp(Selector selector) {
        StatsdProcessor proc = processor();
        ByteBuffer buf = ByteBuffer.allocate(DATAGRAM_BUFFER);
        byte[] bytes = buf.array();
        long drainUntil = 0;
        try {
            while (true) {
                buf.clear();
                SocketAddress from;
                try {
                    from = udp.receive(buf);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    connectionLog.warn("statsd: receiving a UDP datagram failed: " + e);
                    continue;
                }
                if (from != null) {
                    stats.packets.increment();
                    proc.process(bytes, 0, buf.position());
                    if (stopping) {
                        if (drainUntil == 0) {
                            drainUntil = System.nanoTime() + DRAIN_MILLIS * 1_000_000;
                        } else if (System.nanoTime() - drainUntil > 0) {
                            return;
                        }
                    }
                    continue;
                }
                if (stopping) {
                    return;
                }
                selector.select();
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                LOG.error("statsd: UDP receiver stopped: {}", e.toString(), e);
            }
        }
    }

    private void acceptTcp() {
        int n = 0;
        while (!stopping) {
            SocketChannel c;
            try {
                c = tcp.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                connectionLog.warn("statsd: accepting a TCP connection failed: " + e);
                sleepQuietly();
                continue;
            }
            if (connections.size() >= MAX_TCP_CONNECTIONS) {
                connectionLog.warn("statsd: refused a TCP connection from " + remote(c) + ": " + MAX_TCP_CONNECTIONS
                        + " connections are open");
                closeQuietly(c);
                continue;
            }
            stats.tcpConnections.increment();
            connections.add(c);
            if (stopping) {
                closeQuietly(c);
                connections.remove(c);
                return;
            }
            Thread t = thread("ecl-statsd-tcp-" + (++n), () -> readTcp(c));
            t.start();
        }
    }

    /** Newline-delimited lines until the peer closes; a last line without newline counts too. */
    private void readTcp(SocketChannel c) {
        StatsdProcessor proc = processor();
        ByteBuffer buf = ByteBuffer.allocate(MAX_TCP_LINE);
        byte[] b = buf.array();
        boolean skippingLongLine = false;
        try {
            while (true) {
                int read = c.read(buf);
                int end = buf.position();
                if (read < 0) {
                    if (end > 0 && !skippingLongLine) {
                        proc.process(b, 0, end);
                    }
                    return;
                }
                int lastNl = -1;
                for (int i = end - 1; i >= 0; i--) {
                    if (b[i] == '\n') {
                        lastNl = i;
                        break;
                    }
                }
                if (lastNl < 0) {
                    if (end == b.length) {
                        if (!skippingLongLine) {
                            stats.linesReceived.increment();
                            stats.malformed(NameTable.printable(new String(b, 0, 200,
                                    java.nio.charset.StandardCharsets.UTF_8)), "TCP line longer than "
                                    + MAX_TCP_LINE + " bytes");
                        }
                        skippingLongLine = true;
                        buf.clear();
                    }
                    continue;
                }
                int from = 0;
                if (skippingLongLine) {
                    from = indexOfNewline(b, 0, lastNl + 1) + 1;
                    skippingLongLine = false;
                }
                proc.process(b, from, lastNl + 1);
                System.arraycopy(b, lastNl + 1, b, 0, end - lastNl - 1);
                buf.position(end - lastNl - 1);
            }
        } catch (IOException e) {
            if (!stopping) {
                connectionLog.warn("statsd: TCP connection from " + remote(c) + " failed: " + e.getMessage());
            }
        } finally {
            connections.remove(c);
            closeQuietly(c);
        }
    }

    private static int indexOfNewline(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return e - 1;
    }

    private static void bind(DatagramChannel u, InetSocketAddress a, String what) throws IOException {
        try {
            u.bind(a);
        } catch (BindException e) {
            throw new BindException("cannot listen on " + what + " " + hostPort(a) + ": " + e.getMessage());
        }
    }

    private static void bindTcp(ServerSocketChannel t, InetSocketAddress a) throws IOException {
        try {
            t.bind(a, 128);
        } catch (BindException e) {
            throw new BindException("cannot listen on TCP " + hostPort(a) + ": " + e.getMessage());
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String remote(SocketChannel c) {
        try {
            SocketAddress a = c.getRemoteAddress();
            return a instanceof InetSocketAddress ? hostPort((InetSocketAddress) a) : String.valueOf(a);
        } catch (IOException e) {
            return "?";
        }
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
