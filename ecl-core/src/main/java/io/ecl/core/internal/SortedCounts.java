package io.ecl.core.internal;

import io.ecl.core.IntervalCounts;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SortedMap;

/**
 * The counts of one (group, interval) read for output ({@link RedisReader#readStreamed}): the
 * times and late counts of {@link #header()}, and the counts themselves, visited in event-ID order
 * (code points, as Python's {@code sorted()}) as often as needed, without ever holding them all.
 *
 * <p>A group small enough for one script keeps its counts in memory. A bigger one (more registry
 * members than {@link RedisReader#THRESHOLD}) is sorted in runs of that many events:
 * one run stays in memory; more go to a temporary file in {@code java.io.tmpdir}, unlinked as
 * soon as it is open (nothing is left behind however the process ends; about 35 bytes an event
 * and registry, 34 MB for 500,000 events in both), and are merged while visited. Sorting also
 * drops the events read twice (in both registries, declared and registered, or returned twice
 * by SSCAN). Close it to free the file.
 */
public final class SortedCounts implements AutoCloseable {
    /** Receives one count after another. */
    @FunctionalInterface
    public interface CountVisitor {
        void count(String event, long count) throws IOException;
    }

    /**
     * Code-point order of strings: UTF-16 order but for surrogates, which sort above U+E000..U+FFFF.
     * A class rather than a lambda, as {@link #BY_EVENT}: every read of a one-shot reader uses
     * both, and linking a lambda costs a new JVM more than the class's loading from the archive.
     */
    public static final Comparator<String> CODE_POINT_ORDER = new CodePointOrder();

    private static final class CodePointOrder implements Comparator<String> {
        @Override
        public int compare(String a, String b) {
            int n = Math.min(a.length(), b.length());
            for (int i = 0; i < n; i++) {
                char x = a.charAt(i);
                char y = b.charAt(i);
                if (x != y) {
                    return rank(x) - rank(y);
                }
            }
            return a.length() - b.length();
        }
    }

    /**
     * Entries by event ID in {@link #CODE_POINT_ORDER}. Not {@code Map.Entry.comparingByKey}: its
     * comparator is a serializable lambda, which no class-data-sharing archive holds, so a
     * short-lived tool spun a class for it at run time.
     */
    public static final Comparator<Map.Entry<String, Long>> BY_EVENT = new ByEvent();

    private static final class ByEvent implements Comparator<Map.Entry<String, Long>> {
        @Override
        public int compare(Map.Entry<String, Long> a, Map.Entry<String, Long> b) {
            return CODE_POINT_ORDER.compare(a.getKey(), b.getKey());
        }
    }

    private final IntervalCounts header;
    private final Spill spill;

    private SortedCounts(IntervalCounts header, Spill spill) {
        this.header = header;
        this.spill = spill;
    }

    /** Counts held in memory (a group read in one script). */
    public static SortedCounts inMemory(IntervalCounts counts) {
        return new SortedCounts(counts, null);
    }

    /**
     * The (group, interval), the times the counts cover and the late counts. Its
     * {@link IntervalCounts#last()} and {@link IntervalCounts#current()} are the counts for a group
     * read in one script, empty for one read in pages: visit the counts with {@link #forEach}.
     */
    public IntervalCounts header() {
        return header;
    }

    /** Whether the group was read in pages (its counts are in a temporary file). */
    public boolean paged() {
        return spill != null;
    }

    /**
     * Hands the counts of {@code last} (else the current interval) to {@code visitor}, in event-ID
     * order, each event once.
     *
     * @throws IOException when the visitor throws it, or the temporary file cannot be read
     */
    public void forEach(boolean last, CountVisitor visitor) throws IOException {
        if (spill == null) {
            SortedMap<String, Long> counts = last ? header.last() : header.current();
            List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
            entries.sort(BY_EVENT);
            for (Map.Entry<String, Long> e : entries) {
                visitor.count(e.getKey(), e.getValue());
            }
        } else {
            spill.forEach(last, visitor);
        }
    }

    /** Frees the temporary file, if any. */
    @Override
    public void close() {
        if (spill != null) {
            spill.close();
        }
    }

    private static int rank(char c) {
        if (c < Character.MIN_SURROGATE) {
            return c;
        }
        return Character.isSurrogate(c) ? c + 0x2000 : c - 0x800;
    }

    /** A spill whose counts are complete: the streamed counts with {@code header}. */
    public static SortedCounts paged(IntervalCounts header, Spill spill) {
        return new SortedCounts(header, spill);
    }

    /**
     * The counts of a big group on disk: {@link #add} collects up to {@code runSize} of them in
     * memory, then writes them sorted (and de-duplicated) as one run; {@link #forEach} merges the
     * runs. The file is deleted when opened (where the system allows it), so that nothing is left
     * behind however the process ends.
     */
    public static final class Spill implements Closeable {
        private static final int IN_LAST = 1;
        private static final int IN_CURRENT = 2;
        private static final int READ_BUFFER = 8 * 1024;

        private final int runSize;
        private final List<Entry> run = new ArrayList<>();
        private final List<long[]> runs = new ArrayList<>(); // {start, end} byte offsets
        /** The counts when they fitted in one run, sorted; else null. */
        private List<Entry> inMemory;
        private FileChannel file;
        private DataOutputStream out;
        private long written;

        public Spill(int runSize) {
            this.runSize = runSize;
        }

        /** One event: whether it is shown in each section, and its counts there. */
        public void add(String event, boolean inLast, long last, boolean inCurrent, long current) {
            if (!inLast && !inCurrent) {
                return;
            }
            run.add(new Entry(event.getBytes(StandardCharsets.UTF_8), (inLast ? IN_LAST : 0) | (inCurrent ? IN_CURRENT : 0),
                    last, current));
            if (run.size() >= runSize) {
                writeRun();
            }
        }

        /**
         * Ends the adding: what fits in one run stays in memory (sorted, each event once), else
         * the rest is written as the last run.
         */
        public void finish() {
            if (file == null) {
                run.sort(Spill::byName);
                List<Entry> unique = new ArrayList<>(run.size());
                for (Entry e : run) {
                    if (unique.isEmpty() || !Arrays.equals(unique.get(unique.size() - 1).name, e.name)) {
                        unique.add(e); // the first read of an event wins (the sort is stable)
                    }
                }
                run.clear();
                inMemory = unique;
                return;
            }
            if (!run.isEmpty()) {
                writeRun();
            }
            if (out != null) {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw failed("write", e);
                }
            }
        }

        /**
         * UTF-8 bytes compared unsigned, one after the other, are in code-point order: the order
         * of {@link #CODE_POINT_ORDER} without decoding (and several times faster than it).
         */
        private static int byName(Entry a, Entry b) {
            return Arrays.compareUnsigned(a.name, b.name);
        }

        private void writeRun() {
            run.sort(Spill::byName);
            try {
                if (file == null) {
                    Path path = Files.createTempFile("ecl-read-", ".tmp");
                    file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                            StandardOpenOption.DELETE_ON_CLOSE);
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException e) {
                        // the system keeps open files: DELETE_ON_CLOSE removes it at close()
                    }
                    out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(file), 64 * 1024));
                }
                long start = written;
                byte[] previous = null;
                for (Entry e : run) {
                    if (Arrays.equals(e.name, previous)) {
                        continue; // the first read of an event wins (the sort is stable)
                    }
                    previous = e.name;
                    byte[] name = e.name;
                    out.writeInt(name.length);
                    out.write(name);
                    out.writeByte(e.sections);
                    out.writeLong(e.last);
                    out.writeLong(e.current);
                    written += 4 + name.length + 1 + 16;
                }
                runs.add(new long[] {start, written});
            } catch (IOException e) {
                throw failed("write", e);
            }
            run.clear();
        }

        private static UncheckedIOException failed(String what, IOException e) {
            return new UncheckedIOException("cannot " + what + " the counts of a big group in a temporary file in "
                    + System.getProperty("java.io.tmpdir") + " (java.io.tmpdir): " + e.getMessage(), e);
        }

        void forEach(boolean last, CountVisitor visitor) throws IOException {
            int section = last ? IN_LAST : IN_CURRENT;
            if (inMemory != null) {
                for (Entry e : inMemory) {
                    if ((e.sections & section) != 0) {
                        visitor.count(new String(e.name, StandardCharsets.UTF_8), last ? e.last : e.current);
                    }
                }
                return;
            }
            PriorityQueue<RunReader> heads = new PriorityQueue<>(Math.max(1, runs.size()),
                    (a, b) -> Arrays.compareUnsigned(a.name, b.name));
            for (long[] r : runs) {
                RunReader reader = new RunReader(file, r[0], r[1]);
                if (reader.next()) {
                    heads.add(reader);
                }
            }
            byte[] previous = null;
            while (!heads.isEmpty()) {
                RunReader head = heads.poll();
                if (!Arrays.equals(head.name, previous)) {
                    previous = head.name;
                    if ((head.sections & section) != 0) {
                        visitor.count(new String(head.name, StandardCharsets.UTF_8), last ? head.last : head.current);
                    }
                }
                if (head.next()) {
                    heads.add(head);
                }
            }
        }

        @Override
        public void close() {
            run.clear();
            inMemory = null;
            if (file != null) {
                try {
                    file.close();
                } catch (IOException e) {
                    // the file is unlinked already, or deleted on close
                }
            }
        }

        private static final class Entry {
            /** The event ID in UTF-8. */
            final byte[] name;
            final int sections;
            final long last;
            final long current;

            Entry(byte[] name, int sections, long last, long current) {
                this.name = name;
                this.sections = sections;
                this.last = last;
                this.current = current;
            }
        }

        /** Reads one run back, entry by entry, from its own position in the shared file. */
        private static final class RunReader {
            private final DataInputStream in;
            private long left;
            byte[] name;
            int sections;
            long last;
            long current;

            RunReader(FileChannel file, long start, long end) {
                this.left = end - start;
                this.in = new DataInputStream(new BufferedInputStream(new Region(file, start, end), READ_BUFFER));
            }

            boolean next() throws IOException {
                if (left == 0) {
                    return false;
                }
                name = new byte[in.readInt()];
                in.readFully(name);
                sections = in.readByte();
                last = in.readLong();
                current = in.readLong();
                left -= 4 + name.length + 1 + 16;
                return true;
            }
        }

        /** Bytes {@code [start, end)} of a file, read at their position (the channel's own is left alone). */
        private static final class Region extends InputStream {
            private final FileChannel file;
            private final long end;
            private long position;

            Region(FileChannel file, long start, long end) {
                this.file = file;
                this.position = start;
                this.end = end;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position >= end) {
                    return -1;
                }
                int n = file.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
                if (n < 0) {
                    throw new EOFException("temporary file shorter than written");
                }
                position += n;
                return n;
            }
        }
    }
}
