package io.ecl.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.RedisClient;

/**
 * A StatsD load generator that checks what arrived: sends a fixed number of counter lines
 * ({@code PREFIX.e0:1|c} ... over {@code --names} names) at a fixed rate, {@code --per-packet}
 * lines per UDP datagram, to a StatsD daemon, then asks it what it counted and reports sent,
 * counted, lost, and the kernel's UDP drops on this host (/proc/net/snmp) during the run.
 *
 * <pre>
 * java -cp ecl-bench/target/ecl-bench.jar io.ecl.bench.StatsdLoad --target 127.0.0.1:8125 \
 *     --lines 5000000 --rate 1000000 --per-packet 20 --redis 127.0.0.1:6379 --prefix bench.run1
 * java -cp ecl-bench/target/ecl-bench.jar io.ecl.bench.StatsdLoad --target 127.0.0.1:8135 \
 *     --lines 5000000 --rate 1000000 --per-packet 20 --statsd-admin 127.0.0.1:8136 --prefix bench.run1
 * java -cp ecl-bench/target/ecl-bench.jar io.ecl.bench.StatsdLoad --target 127.0.0.1:8125 --target 127.0.0.1:8135 \
 *     --lines 5000000 --rate 1000000 --per-packet 20 --redis 127.0.0.1:6379 --statsd-admin 127.0.0.1:8136 --prefix bench.run2
 * </pre>
 *
 * With two targets every datagram goes to both, one after the other: both daemons receive the
 * same stream at the same time, on the same CPUs.
 *
 * What was counted is read from Redis ({@code --redis}: the sum of {@code GROUP:INTERVAL:cur:eN} and
 * {@code last:eN}, once it stops growing) or from the reference daemon's management port
 * ({@code --statsd-admin}: its {@code counters} command; run it with a flush interval longer than
 * the test, so that it does not reset them meanwhile). Both start from zero: FLUSHDB, a fresh daemon.
 */
public final class StatsdLoad {
    private StatsdLoad() {
    }

    public static void main(String[] args) throws Exception {
        List<String> targets = new ArrayList<>();
        long lines = 1_000_000;
        long rate = 100_000;
        int perPacket = 1;
        int names = 10;
        int threads = 1;
        String prefix = "bench";
        String redis = null;
        String group = null;
        String interval = "1h";
        String admin = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--target": targets.add(args[++i]); break;
                case "--lines": lines = Long.parseLong(args[++i].replace("_", "")); break;
                case "--rate": rate = Long.parseLong(args[++i].replace("_", "")); break;
                case "--per-packet": perPacket = Integer.parseInt(args[++i]); break;
                case "--names": names = Integer.parseInt(args[++i]); break;
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--prefix": prefix = args[++i]; break;
                case "--redis": redis = args[++i]; break;
                case "--interval": interval = args[++i]; break;
                case "--statsd-admin": admin = args[++i]; break;
                default:
                    System.err.println("usage: StatsdLoad --target HOST:PORT [--lines N] [--rate LINES/S] [--per-packet K]"
                            + " [--names M] [--threads T] [--prefix P] (--redis HOST:PORT [--interval I]"
                            + " | --statsd-admin HOST:PORT)");
                    System.exit(2);
            }
        }
        // One target: checked in Redis or by the admin port. Two: the same stream to both at once,
        // the first checked in Redis (ecl), the second by the admin port (the reference daemon).
        if (targets.isEmpty() || targets.size() > 2 || (targets.size() == 1 && (redis == null) == (admin == null))
                || (targets.size() == 2 && (redis == null || admin == null))) {
            System.err.println("StatsdLoad: --target HOST:PORT with one of --redis or --statsd-admin, or two --target"
                    + " (ecl, then the reference) with both");
            System.exit(2);
        }
        // The listener's default mapping: the first segment names the group, the rest the event.
        int dot = prefix.indexOf('.');
        if (group == null) {
            group = dot < 0 ? prefix : prefix.substring(0, dot);
        }
        String eventPrefix = dot < 0 ? "" : prefix.substring(dot + 1) + ".";
        InetSocketAddress[] to = new InetSocketAddress[targets.size()];
        for (int i = 0; i < to.length; i++) {
            to[i] = address(targets.get(i));
        }
        long[] kernelBefore = kernelUdp();
        long packets = (lines + perPacket - 1) / perPacket;
        lines = packets * perPacket;
        long t0 = System.nanoTime();
        Thread[] senders = new Thread[threads];
        long[] sentBy = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            long share = packets / threads + (t < packets % threads ? 1 : 0);
            long rateShare = rate / threads;
            int pp = perPacket;
            int nn = names;
            String px = prefix;
            senders[t] = new Thread(() -> sentBy[id] = send(to, share, rateShare, pp, nn, px, t0, id), "sender-" + t);
            senders[t].start();
        }
        for (Thread s : senders) {
            s.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long sentPackets = 0;
        for (long s : sentBy) {
            sentPackets += s;
        }
        long sentLines = sentPackets * perPacket;
        System.out.printf(Locale.ROOT, "sent %,d lines in %,d packets of %d in %.2f s: %,.0f lines/s, %,.0f packets/s"
                + " to %s%n", sentLines, sentPackets, perPacket, seconds, sentLines / seconds, sentPackets / seconds,
                String.join(" and ", targets));
        if (redis != null) {
            long counted = awaitRedis(redis, group, interval, eventPrefix, names, sentLines);
            System.out.printf(Locale.ROOT, "%s (Redis %s): counted %,d, lost %,d (%.3f %%)%n", targets.get(0), redis,
                    counted, sentLines - counted, 100.0 * (sentLines - counted) / sentLines);
        }
        if (admin != null) {
            long counted = awaitAdmin(admin, prefix, names, sentLines);
            System.out.printf(Locale.ROOT, "%s (admin %s): counted %,d, lost %,d (%.3f %%)%n",
                    targets.get(targets.size() - 1), admin, counted, sentLines - counted,
                    100.0 * (sentLines - counted) / sentLines);
        }
        long[] kernelAfter = kernelUdp();
        System.out.printf(Locale.ROOT, "kernel UDP drops on this host during the run: RcvbufErrors %,d, InErrors %,d%n",
                kernelAfter[1] - kernelBefore[1], kernelAfter[0] - kernelBefore[0]);
    }

    /** Sends {@code packets} datagrams at {@code rate} lines/s; returns how many were sent. */
    private static long send(InetSocketAddress[] to, long packets, long rate, int perPacket, int names, String prefix,
            long t0, int id) {
        List<ByteBuffer> shapes = new ArrayList<>();
        // names × perPacket lines cover every name equally whatever the packet count.
        int distinct = names;
        int line = 0;
        for (int p = 0; p < distinct; p++) {
            StringBuilder b = new StringBuilder();
            for (int l = 0; l < perPacket; l++) {
                b.append(l == 0 ? "" : "\n").append(prefix).append(".e").append(line++ % names).append(":1|c");
            }
            shapes.add(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.US_ASCII)));
        }
        double nanosPerPacket = 1e9 * perPacket / rate;
        try (DatagramChannel c = DatagramChannel.open()) {
            for (long i = 0; i < packets; i++) {
                long due = t0 + (long) (i * nanosPerPacket);
                long ahead = due - System.nanoTime();
                if (ahead > 200_000) {
                    LockSupport.parkNanos(ahead);
                }
                ByteBuffer b = shapes.get((int) (i % shapes.size()));
                for (InetSocketAddress t : to) {
                    b.rewind();
                    c.send(b, t);
                }
            }
            return packets;
        } catch (IOException e) {
            System.err.println("sender " + id + ": " + e);
            return 0;
        }
    }

    /** The sum of the counters in Redis once it equals {@code expected} or has not grown for 5 s. */
    private static long awaitRedis(String address, String group, String interval, String eventPrefix, int names,
            long expected)
            throws InterruptedException {
        InetSocketAddress a = address(address);
        try (RedisClient r = RedisClient.builder().hostAndPort(a.getHostString(), a.getPort()).build()) {
            return awaitStable(expected, () -> {
                long sum = 0;
                for (int n = 0; n < names; n++) {
                    for (String part : new String[] {"cur", "last"}) {
                        String v = r.get(group + ":" + interval + ":" + part + ":" + eventPrefix + "e" + n);
                        sum += v == null ? 0 : Long.parseLong(v);
                    }
                }
                return sum;
            });
        }
    }

    private static final Pattern COUNTER = Pattern.compile("'?([^'\\s{},]+)'?: (\\d+)");

    /** The reference daemon's counters of the names, read from its management port. */
    private static long awaitAdmin(String address, String prefix, int names, long expected) throws InterruptedException {
        InetSocketAddress a = address(address);
        return awaitStable(expected, () -> {
            try (Socket s = new Socket(a.getAddress(), a.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write("counters\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                long sum = 0;
                for (String l = in.readLine(); l != null && !l.equals("END"); l = in.readLine()) {
                    Matcher m = COUNTER.matcher(l);
                    while (m.find()) {
                        if (m.group(1).startsWith(prefix + ".e")) {
                            sum += Long.parseLong(m.group(2));
                        }
                    }
                }
                return sum;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static long awaitStable(long expected, java.util.function.LongSupplier read) throws InterruptedException {
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            long now = read.getAsLong();
            if (now >= expected) {
                return now;
            }
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 5_000_000_000L) {
                return now;
            }
            Thread.sleep(200);
        }
    }

    /** Host-wide UDP counters since boot: {InErrors, RcvbufErrors}. */
    private static long[] kernelUdp() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                String[] n = lines.get(i).trim().split("\\s+");
                String[] v = lines.get(i + 1).trim().split("\\s+");
                long in = 0;
                long rcvbuf = 0;
                for (int k = 1; k < n.length; k++) {
                    if (n[k].equals("InErrors")) {
                        in = Long.parseLong(v[k]);
                    } else if (n[k].equals("RcvbufErrors")) {
                        rcvbuf = Long.parseLong(v[k]);
                    }
                }
                return new long[] {in, rcvbuf};
            }
        }
        return new long[] {0, 0};
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
