package io.ecl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the figures were measured on, and how busy the machine was with other work meanwhile. */
final class Machine {
    private Machine() {
    }

    static String cpuModel() {
        return firstValue("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    }

    static String memory() {
        return firstValue("/proc/meminfo", "MemTotal").map(v -> {
            long kb = Long.parseLong(v.replaceAll("[^0-9]", ""));
            return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }).orElse("unknown");
    }

    static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    static String os() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Optional<String> firstValue(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return Optional.of(line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return Optional.empty();
    }

    /**
     * CPU time of the whole machine and of this suite (its JVM, the JMH forks and other children
     * it has waited for, its live children such as redis-server, and a Redis on this machine given
     * by --redis), from /proc. The difference
     * is what other processes used: the load average alone would count the suite's own threads.
     */
    static final class CpuSample {
        final long busy;
        final long total;
        final long own;

        private CpuSample(long busy, long total, long own) {
            this.busy = busy;
            this.total = total;
            this.own = own;
        }

        /** Processes counted as the suite's own although not its children: a local Redis given by --redis. */
        static final java.util.Set<Long> OWN_PIDS = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static CpuSample now() {
            try {
                String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                long idle = 0;
                for (int i = 1; i < cpu.length && i <= 8; i++) {
                    long v = Long.parseLong(cpu[i]);
                    total += v;
                    if (i == 4 || i == 5) { // idle, iowait
                        idle += v;
                    }
                }
                long own = processTime(ProcessHandle.current().pid(), true);
                List<ProcessHandle> children = ProcessHandle.current().descendants().collect(Collectors.toList());
                for (ProcessHandle c : children) {
                    own += processTime(c.pid(), false);
                }
                for (long pid : OWN_PIDS) {
                    own += processTime(pid, false);
                }
                return new CpuSample(total - idle, total, own);
            } catch (IOException | RuntimeException e) {
                return new CpuSample(0, 0, 0);
            }
        }

        /** Share of all CPUs used by other processes since {@code earlier}, 0..1, or NaN if unknown. */
        double othersSince(CpuSample earlier) {
            long dt = total - earlier.total;
            if (dt < 100) { // under half a second of 2 CPUs: too few clock ticks to say
                return Double.NaN;
            }
            long others = (busy - earlier.busy) - (own - earlier.own);
            return Math.max(0, (double) others / dt);
        }

        private static long processTime(long pid, boolean withWaitedChildren) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields after the name: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                if (withWaitedChildren) {
                    t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                }
                return t;
            } catch (IOException | RuntimeException e) {
                return 0; // the process has just exited
            }
        }
    }
}
