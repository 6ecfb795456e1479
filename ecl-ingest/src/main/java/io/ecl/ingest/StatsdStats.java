package io.ecl.ingest;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the listener received and what became of it, as counters since start: exported on
 * {@code /metrics} by {@link #writePrometheus(Appendable)}, read by tests and the load generator.
 * Every line received ends up in exactly one of parsed, malformed or unmapped.
 */
public final class StatsdStats {
    private static final Logger LOG = LoggerFactory.getLogger(StatsdListener.class);

    /** The StatsD types, in the order of their counters. */
    enum Type {
        COUNTER("c"), SET("s"), TIMER("ms"), HISTOGRAM("h"), DISTRIBUTION("d"), GAUGE("g");

        final String wire;

        Type(String wire) {
            this.wire = wire;
        }
    }

    final LongAdder packets = new LongAdder();
    final LongAdder tcpConnections = new LongAdder();
    final LongAdder linesReceived = new LongAdder();
    final LongAdder linesParsed = new LongAdder();
    final LongAdder linesMalformed = new LongAdder();
    final LongAdder linesUnmapped = new LongAdder();
    private final LongAdder[] samples = new LongAdder[Type.values().length];
    private final AtomicLong unmappedNames = new AtomicLong();
    private final RateLimitedLog malformedLog;
    private final RateLimitedLog unmappedLog;
    private final UdpKernelStats kernel;
    volatile int udpPort = -1;
    volatile int receiveBufferBytes = -1;

    StatsdStats(UdpKernelStats kernel, java.util.function.LongSupplier nanoTime) {
        for (int i = 0; i < samples.length; i++) {
            samples[i] = new LongAdder();
        }
        this.kernel = kernel;
        // 10 lines a minute each: enough to name the first culprits, never a flood.
        this.malformedLog = new RateLimitedLog(LOG, 10, 60_000, nanoTime);
        this.unmappedLog = new RateLimitedLog(LOG, 10, 60_000, nanoTime);
    }

    void sample(Type type) {
        samples[type.ordinal()].increment();
    }

    void malformed(String line, String problem) {
        linesMalformed.increment();
        malformedLog.warn("statsd: malformed line skipped (" + problem + "): '" + line + "'");
    }

    /** A name seen for the first time that no group takes. */
    void newUnmappedName(String name, String reason) {
        unmappedNames.incrementAndGet();
        unmappedLog.warn("statsd: metric '" + name + "' not counted: " + reason
                + "; such lines are counted in ecl_statsd_lines_unmapped_total");
    }

    public long packets() {
        return packets.sum();
    }

    public long linesReceived() {
        return linesReceived.sum();
    }

    public long linesParsed() {
        return linesParsed.sum();
    }

    public long linesMalformed() {
        return linesMalformed.sum();
    }

    public long linesUnmapped() {
        return linesUnmapped.sum();
    }

    /**
     * Lines whose handling is over: parsed (and handed to the library), malformed or unmapped.
     * {@link #linesReceived()} counts a line as it starts; this one once its counts are logged.
     */
    public long linesHandled() {
        return linesParsed.sum() + linesMalformed.sum() + linesUnmapped.sum();
    }

    /** Distinct names seen that no group takes (each logged once, rate-limited). */
    public long unmappedNames() {
        return unmappedNames.get();
    }

    /** Samples received of the StatsD type {@code wire} ("c", "s", "ms", "h", "d", "g"). */
    public long samples(String wire) {
        for (Type t : Type.values()) {
            if (t.wire.equals(wire)) {
                return samples[t.ordinal()].sum();
            }
        }
        throw new IllegalArgumentException("no StatsD type '" + wire + "'");
    }

    /** Datagrams the kernel dropped on the listener's UDP socket (buffer full); -1 when unknown. */
    public long socketDrops() {
        int port = udpPort;
        return port < 0 ? -1 : kernel.socketDrops(port);
    }

    /** The receive buffer the kernel granted the UDP socket, in bytes; -1 before start. */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /** The counters in the Prometheus text format 0.0.4, one HELP and TYPE per family. */
    public void writePrometheus(Appendable out) throws IOException {
        family(out, "ecl_statsd_packets_received_total", "counter", "UDP datagrams received by the StatsD listener.");
        out.append("ecl_statsd_packets_received_total ").append(Long.toString(packets())).append('\n');
        family(out, "ecl_statsd_tcp_connections_total", "counter", "TCP connections accepted by the StatsD listener.");
        out.append("ecl_statsd_tcp_connections_total ").append(Long.toString(tcpConnections.sum())).append('\n');
        family(out, "ecl_statsd_lines_total", "counter", "StatsD lines received (UDP and TCP), by outcome:"
                + " parsed, malformed (skipped), unmapped (no group takes the name).");
        out.append("ecl_statsd_lines_total{outcome=\"parsed\"} ").append(Long.toString(linesParsed())).append('\n');
        out.append("ecl_statsd_lines_total{outcome=\"malformed\"} ").append(Long.toString(linesMalformed()))
                .append('\n');
        out.append("ecl_statsd_lines_total{outcome=\"unmapped\"} ").append(Long.toString(linesUnmapped()))
                .append('\n');
        family(out, "ecl_statsd_lines_received_total", "counter", "StatsD lines received (UDP and TCP).");
        out.append("ecl_statsd_lines_received_total ").append(Long.toString(linesReceived())).append('\n');
        family(out, "ecl_statsd_samples_total", "counter", "Samples of parsed lines, by StatsD type.");
        for (Type t : Type.values()) {
            out.append("ecl_statsd_samples_total{type=\"").append(t.wire).append("\"} ")
                    .append(Long.toString(samples[t.ordinal()].sum())).append('\n');
        }
        family(out, "ecl_statsd_unmapped_names", "gauge", "Distinct metric names received that no group takes.");
        out.append("ecl_statsd_unmapped_names ").append(Long.toString(unmappedNames())).append('\n');
        family(out, "ecl_statsd_receive_buffer_bytes", "gauge",
                "SO_RCVBUF of the UDP socket, as the kernel reports it.");
        out.append("ecl_statsd_receive_buffer_bytes ").append(Integer.toString(receiveBufferBytes)).append('\n');
        long drops = socketDrops();
        if (drops >= 0) {
            family(out, "ecl_statsd_udp_socket_drops_total", "counter",
                    "Datagrams the kernel dropped on the listener's UDP socket (/proc/net/udp drops).");
            out.append("ecl_statsd_udp_socket_drops_total ").append(Long.toString(drops)).append('\n');
        }
        long[] host = kernel.hostErrors();
        if (host[0] >= 0) {
            family(out, "ecl_statsd_kernel_udp_in_errors_total", "counter",
                    "Host-wide UDP datagrams dropped on receipt (/proc/net/snmp Udp: InErrors), every socket.");
            out.append("ecl_statsd_kernel_udp_in_errors_total ").append(Long.toString(host[0])).append('\n');
        }
        if (host[1] >= 0) {
            family(out, "ecl_statsd_kernel_udp_rcvbuf_errors_total", "counter",
                    "Host-wide UDP datagrams dropped for a full receive buffer (/proc/net/snmp Udp: RcvbufErrors).");
            out.append("ecl_statsd_kernel_udp_rcvbuf_errors_total ").append(Long.toString(host[1])).append('\n');
        }
    }

    /** {@link #writePrometheus(Appendable)} as a String. */
    public String writePrometheusText() {
        StringBuilder b = new StringBuilder(2048);
        try {
            writePrometheus(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toString();
    }

    private static void family(Appendable out, String name, String type, String help) throws IOException {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
