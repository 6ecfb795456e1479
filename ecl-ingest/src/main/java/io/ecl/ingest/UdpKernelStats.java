package io.ecl.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * UDP datagrams the kernel dropped before the listener could read them. Host-wide:
 * {@code Udp: InErrors} and {@code RcvbufErrors} of {@code /proc/net/snmp} (and {@code Udp6:} of
 * {@code /proc/net/snmp6}); for the listener's own socket: the {@code drops} column of
 * {@code /proc/net/udp} and {@code /proc/net/udp6}. -1 where the system has no such file (not
 * Linux).
 */
final class UdpKernelStats {
    private final Path procNet;

    UdpKernelStats(Path procNet) {
        this.procNet = procNet;
    }

    static UdpKernelStats system() {
        return new UdpKernelStats(Path.of("/proc/net"));
    }

    /** Host-wide counters since boot: {InErrors, RcvbufErrors}, IPv4 and IPv6 added; -1 when unknown. */
    long[] hostErrors() {
        long in = -1;
        long rcvbuf = -1;
        try {
            List<String> lines = Files.readAllLines(procNet.resolve("snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    String[] names = lines.get(i).trim().split("\\s+");
                    String[] values = lines.get(i + 1).trim().split("\\s+");
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        if (names[k].equals("InErrors")) {
                            in = Long.parseLong(values[k]);
                        } else if (names[k].equals("RcvbufErrors")) {
                            rcvbuf = Long.parseLong(values[k]);
                        }
                    }
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
        try {
            for (String line : Files.readAllLines(procNet.resolve("snmp6"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals("Udp6InErrors") && in >= 0) {
                    in += Long.parseLong(f[1]);
                } else if (f.length == 2 && f[0].equals("Udp6RcvbufErrors") && rcvbuf >= 0) {
                    rcvbuf += Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no IPv6: the IPv4 figures stand
        }
        return new long[] {in, rcvbuf};
    }

    /** Datagrams dropped on the UDP sockets bound to local port {@code port}; -1 when unknown. */
    long socketDrops(int port) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        long drops = -1;
        for (String file : new String[] {"udp", "udp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(procNet.resolve(file));
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
                if (f.length >= 13 && f[1].endsWith(hexPort)) {
                    try {
                        drops = Math.max(drops, 0) + Long.parseLong(f[12]);
                    } catch (NumberFormatException e) {
                        // a format this code does not know: leave it out
                    }
                }
            }
        }
        return drops;
    }
}
