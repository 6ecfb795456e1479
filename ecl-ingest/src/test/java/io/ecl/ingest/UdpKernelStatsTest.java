package io.ecl.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's UDP drop counters as Linux writes them under /proc/net, read from copies of those files. */
class UdpKernelStatsTest {
    @TempDir
    Path procNet;

    @Test
    void hostWideErrorsAddIpv4AndIpv6() throws Exception {
        Files.writeString(procNet.resolve("snmp"), "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
                + "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
                + "Udp: 5310 2 117 55 115 0 2 0 0\n"
                + "UdpLite: InDatagrams NoPorts InErrors\nUdpLite: 0 0 0\n");
        Files.writeString(procNet.resolve("snmp6"), "Udp6InDatagrams                 \t9\nUdp6InErrors                    \t3\n"
                + "Udp6RcvbufErrors                \t1\n");

        assertArrayEquals(new long[] {120, 116}, new UdpKernelStats(procNet).hostErrors());
    }

    @Test
    void socketDropsAreTheDropsColumnOfTheSocketsOnThePort() throws Exception {
        String header = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref"
                + " pointer drops            \n";
        Files.writeString(procNet.resolve("udp"), header
                + "  355: 0100007F:1FBD 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81234 2"
                + " 0000000000000000 42        \n"
                + "  356: 0100007F:1FBE 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81235 2"
                + " 0000000000000000 7         \n");
        Files.writeString(procNet.resolve("udp6"), header);

        UdpKernelStats stats = new UdpKernelStats(procNet);

        assertEquals(42, stats.socketDrops(8125));
        assertEquals(7, stats.socketDrops(8126));
        assertEquals(-1, stats.socketDrops(9999));
    }

    @Test
    void withoutTheFilesEveryFigureIsUnknown() {
        UdpKernelStats stats = new UdpKernelStats(procNet.resolve("absent"));

        assertArrayEquals(new long[] {-1, -1}, stats.hostErrors());
        assertEquals(-1, stats.socketDrops(8125));
    }
}
