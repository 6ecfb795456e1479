package io.ecl.reader;

import io.ecl.core.GroupConfig;
import io.ecl.core.Interval;
import io.ecl.core.IntervalCounts;
import io.ecl.core.RedisDataException;
import io.ecl.core.ValueStats;
import io.ecl.core.ops.CounterReader;
import io.ecl.core.ops.HistoryEntry;
import io.ecl.core.ops.Seconds;
import io.ecl.core.ops.StreamedCounts;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The machine-readable outputs of {@code ecl-reader --format}: JSON, Munin and the Prometheus text
 * exposition format 0.0.4. Hand-written (no JSON library): the values are strings, longs, booleans
 * and nulls only.
 */
final class Formats {
    private Formats() {
    }

    /** Which counts the user asked for: --last (default), --current or --both. */
    enum Sections {
        LAST, CURRENT, BOTH
    }

    /**
     * One read (group, interval) with the reader's verdict on staleness at the time of reading; or,
     * when a key of the pair holds data ecl cannot read, the error that names it (no counts).
     * The counts are visited with {@link #forEach}, in event-ID order, never all in memory for a
     * big group (see {@link StreamedCounts}); close it to free them.
     */
    static final class Read implements AutoCloseable {
        final String group;
        final Interval interval;
        /** The times and late counts (not the counts: see {@link #forEach}); null after an error. */
        final IntervalCounts counts;
        final boolean stale;
        final String error;
        private final StreamedCounts streamed;

        Read(StreamedCounts streamed, boolean stale) {
            this(streamed.header().group(), streamed.header().interval(), streamed, stale, null);
        }

        private Read(String group, Interval interval, StreamedCounts streamed, boolean stale, String error) {
            this.group = group;
            this.interval = interval;
            this.streamed = streamed;
            this.counts = streamed == null ? null : streamed.header();
            this.stale = stale;
            this.error = error;
        }

        /** True when the counts were read page by page: a group too big for one reply. */
        boolean paged() {
            return streamed != null && streamed.paged();
        }

        /** A (group, interval) that could not be read because of what a key holds. */
        static Read failed(String group, Interval interval, String error) {
            return new Read(group, interval, null, false, error);
        }

        /** The counts of the current interval (else the last one), in event-ID order (code points). */
        void forEach(boolean current, StreamedCounts.CountVisitor visitor) throws IOException {
            if (streamed == null) {
                return;
            }
            if (current) {
                streamed.forEachCurrent(visitor);
            } else {
                streamed.forEachLast(visitor);
            }
        }

        @Override
        public void close() {
            if (streamed != null) {
                streamed.close();
            }
        }
    }

    /** Closes every read (frees their temporary files). */
    static void closeAll(List<Read> reads) {
        for (Read r : reads) {
            r.close();
        }
    }

    // ---- value statistics ----

    /** The statistics ecl-reader prints per value, in this order, as {@code name.<stat>:number}. */
    static final String[] VALUE_STATS = {"count", "sum", "min", "max", "mean", "stddev", "p50", "p90", "p99", "p999"};

    /** The statistics of {@code v} in {@link #VALUE_STATS}' order; NaN where there is nothing to describe. */
    static Number[] valueStats(ValueStats v) {
        return new Number[] {v.count(), v.sum(), v.min(), v.max(), v.mean(), v.stddev(), v.p50(), v.p90(), v.p99(),
            v.p999()};
    }

    /** A statistic as ecl-reader prints it: a plain decimal, never an exponent; null for NaN. */
    static String decimal(Number n) {
        if (n instanceof Long l) {
            return Long.toString(l);
        }
        if (n instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return null;
        }
        return d == 0 ? "0" : BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** name.stat:number lines of each value, names sorted; statistics without a value (nothing recorded) are left out. */
    static void textValues(StringBuilder b, Map<String, ValueStats> values) {
        for (Map.Entry<String, ValueStats> e : values.entrySet()) {
            Number[] stats = valueStats(e.getValue());
            for (int i = 0; i < stats.length; i++) {
                String text = decimal(stats[i]);
                if (text != null) {
                    b.append(e.getKey()).append('.').append(VALUE_STATS[i]).append(':').append(text).append('\n');
                }
            }
        }
    }

    private static void jsonValues(StringBuilder b, Map<String, ValueStats> values) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, ValueStats> e : values.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            jsonString(b, e.getKey());
            b.append(":{");
            Number[] stats = valueStats(e.getValue());
            for (int i = 0; i < stats.length; i++) {
                String text = decimal(stats[i]);
                b.append(i == 0 ? "" : ",").append('"').append(VALUE_STATS[i]).append("\":").append(text == null ? "null" : text);
            }
            b.append(",\"invalid\":").append(e.getValue().invalid()).append('}');
        }
        b.append('}');
    }

    // ---- JSON ----

    /**
     * One JSON object for {@code r}: group, interval, interval_seconds, last and current
     * {start, end} (ISO-8601 UTC or null), then counts and late of the selected section
     * ({@code last_counts}, {@code current_counts}, {@code last_late}, {@code current_late} with
     * --both), stale, covers_several_intervals. A pair that could not be read is group, interval,
     * interval_seconds and error only.
     */
    static String json(Read r, Sections sections) {
        StringBuilder b = new StringBuilder(256);
        try {
            json(b, r, sections);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toString();
    }

    /** {@link #json(Read, Sections)} written to {@code out}, a count at a time. */
    static void json(Appendable out, Read r, Sections sections) throws IOException {
        if (r.error != null) {
            StringBuilder b = new StringBuilder(128).append("{\"group\":");
            jsonString(b, r.group);
            b.append(",\"interval\":");
            jsonString(b, r.interval.name());
            b.append(",\"interval_seconds\":").append(Seconds.format(r.interval.lengthMillis()));
            b.append(",\"error\":");
            jsonString(b, r.error);
            out.append(b.append('}'));
            return;
        }
        IntervalCounts c = r.counts;
        long length = c.interval().lengthMillis();
        Long cur = c.currentStartMillis();
        StringBuilder b = new StringBuilder(128);
        b.append("{\"group\":");
        jsonString(b, c.group());
        b.append(",\"interval\":");
        jsonString(b, c.interval().name());
        b.append(",\"interval_seconds\":").append(Seconds.format(length));
        b.append(",\"section\":");
        jsonString(b, sections.name().toLowerCase(java.util.Locale.ROOT));
        b.append(",\"last\":{\"start\":");
        jsonTime(b, c.lastStartMillis());
        b.append(",\"end\":");
        jsonTime(b, cur);
        b.append("},\"current\":{\"start\":");
        jsonTime(b, cur);
        b.append(",\"end\":");
        jsonTime(b, cur == null ? null : cur + length);
        b.append('}');
        if (sections == Sections.BOTH) {
            b.append(",\"last_counts\":");
            out.append(b);
            jsonCounts(out, r, false);
            b.setLength(0);
            b.append(",\"current_counts\":");
            out.append(b);
            jsonCounts(out, r, true);
            b.setLength(0);
            b.append(",\"last_late\":").append(c.lateInLast());
            b.append(",\"current_late\":").append(c.lateInCurrent());
            if (!c.lastUniques().isEmpty() || !c.currentUniques().isEmpty()) {
                b.append(",\"last_uniques\":");
                jsonCounts(b, c.lastUniques());
                b.append(",\"current_uniques\":");
                jsonCounts(b, c.currentUniques());
            }
            if (!c.lastValues().isEmpty() || !c.currentValues().isEmpty()) {
                b.append(",\"last_values\":");
                jsonValues(b, c.lastValues());
                b.append(",\"current_values\":");
                jsonValues(b, c.currentValues());
            }
        } else {
            boolean last = sections == Sections.LAST;
            b.append(",\"counts\":");
            out.append(b);
            jsonCounts(out, r, !last);
            b.setLength(0);
            b.append(",\"late\":").append(last ? c.lateInLast() : c.lateInCurrent());
            if (!c.lastUniques().isEmpty() || !c.currentUniques().isEmpty()) {
                b.append(",\"uniques\":");
                jsonCounts(b, last ? c.lastUniques() : c.currentUniques());
            }
            if (!c.lastValues().isEmpty() || !c.currentValues().isEmpty()) {
                b.append(",\"values\":");
                jsonValues(b, last ? c.lastValues() : c.currentValues());
            }
        }
        b.append(",\"stale\":").append(r.stale);
        b.append(",\"covers_several_intervals\":").append(c.lastCoversSeveralIntervals());
        out.append(b.append('}'));
    }

    /**
     * One writer's heartbeat as a JSON object (ecl-reader clients --format json, serve's
     * /api/v1/clients): instance, app, host, pid, beat_age_seconds, pending_events, dropped,
     * data_errors, last_delivery_age_seconds (null: nothing delivered yet), last_failure.
     */
    static void client(StringBuilder b, io.ecl.core.ops.Clients.Client c, long now) {
        b.append("{\"instance\":");
        jsonString(b, c.instance());
        b.append(",\"app\":");
        jsonString(b, c.app());
        b.append(",\"host\":");
        jsonString(b, c.host());
        b.append(",\"pid\":").append(c.pid())
                .append(",\"beat_age_seconds\":").append(Math.max(0, now - c.beatMillis()) / 1000)
                .append(",\"pending_events\":").append(c.pendingEvents())
                .append(",\"dropped\":").append(c.dropped())
                .append(",\"data_errors\":").append(c.dataErrors())
                .append(",\"last_delivery_age_seconds\":")
                .append(c.lastDeliveryMillis() == 0 ? "null" : Long.toString(Math.max(0, now - c.lastDeliveryMillis()) / 1000))
                .append(",\"last_failure\":");
        jsonString(b, c.lastFailure());
        b.append('}');
    }

    private static void jsonTime(StringBuilder b, Long epochMillis) {
        if (epochMillis == null) {
            b.append("null");
        } else {
            jsonString(b, Instant.ofEpochMilli(epochMillis).toString());
        }
    }

    /** A JSON object of a few counts held in memory (the unique counts), in event-ID order. */
    private static void jsonCounts(StringBuilder b, Map<String, Long> counts) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, Long> e : sorted(counts)) {
            if (!first) {
                b.append(',');
            }
            first = false;
            jsonString(b, e.getKey());
            b.append(':').append(e.getValue().longValue());
        }
        b.append('}');
    }

    private static void jsonCounts(Appendable out, Read r, boolean current) throws IOException {
        out.append('{');
        StringBuilder b = new StringBuilder(64);
        boolean[] first = {true};
        r.forEach(current, new StreamedCounts.CountVisitor() {
            @Override
            public void count(String event, long count) throws IOException {
                b.setLength(0);
                if (!first[0]) {
                    b.append(',');
                }
                first[0] = false;
                jsonString(b, event);
                out.append(b.append(':').append(count));
            }
        });
        out.append('}');
    }

    /**
     * A JSON string literal (RFC 8259): quote, backslash and control characters escaped; other
     * characters, non-ASCII included, as they are (the output is UTF-8). U+2028 and U+2029 are
     * escaped too, so the output is also valid JavaScript.
     */
    static void jsonString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (ch < 0x20 || ch == '\u2028' || ch == '\u2029') {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
            }
        }
        b.append('"');
    }

    // ---- Munin ----

    /**
     * {@code field.value N} lines of one section, field names cleaned by {@link #muninField};
     * every value is {@code U} (unknown) when {@code last} is stale, as no master is rotating.
     */
    static void munin(Appendable out, Read r, boolean current) throws IOException {
        if (r.error != null) {
            return; // no values: Munin shows the fields as unknown
        }
        StringBuilder b = new StringBuilder(64);
        // An anonymous class, not a lambda: Munin runs this every few minutes in a new JVM.
        StreamedCounts.CountVisitor field = new StreamedCounts.CountVisitor() {
            @Override
            public void count(String name, long count) throws IOException {
                b.setLength(0);
                b.append(muninField(name)).append(".value ");
                if (r.stale) {
                    b.append('U');
                } else {
                    b.append(count);
                }
                out.append(b.append('\n'));
            }
        };
        r.forEach(current, field);
        // the unique counts: fields of the same graph, after the events
        for (Map.Entry<String, Long> e : sorted(current ? r.counts.currentUniques() : r.counts.lastUniques())) {
            field.count(e.getKey(), e.getValue());
        }
    }

    /**
     * The Munin field name of an event ID (or of "GROUP_INTERVAL" for a multigraph), unique and
     * the same on every run, as the plugins in munin/ compute it:
     * <ul>
     * <li>the ID itself when Munin takes it as it is ({@code [A-Za-z_][A-Za-z0-9_]*});
     * <li>{@code _} before an ID that is valid but for a leading digit ({@code 404} is {@code _404}:
     * what Munin itself makes of it, so the graphs of numeric IDs kept from earlier versions go on);
     * <li>any other ID (an ID {@code _404} too, which would take {@code 404}'s field) is cleaned
     * (each character outside {@code [A-Za-z0-9_]} becomes {@code _}, a character beyond U+FFFF
     * too, a leading digit gets a {@code _} before it) and gets {@code _} and 8 hex digits of the
     * POSIX {@code cksum} of its UTF-8 bytes: {@code a-b}, {@code a.b} and {@code a_b} are three fields.
     * </ul>
     * The label of the field stays the original ID.
     */
    static String muninField(String name) {
        if (muninAsIs(name)) {
            return name;
        }
        if (!name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9' && muninAsIs("x" + name.substring(1))) {
            return "_" + name;
        }
        StringBuilder b = new StringBuilder(name.length() + 10);
        if (!name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9') {
            b.append('_');
        }
        // By code point, so that a character beyond U+FFFF is one '_', as sed does in the plugins.
        name.codePoints().forEach(cp -> b.append(
                (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_'
                        ? (char) cp : '_'));
        String hex = Long.toHexString(cksum(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return b.append('_').append("00000000", hex.length(), 8).append(hex).toString();
    }

    /** [A-Za-z_][A-Za-z0-9_]*, but not '_' and a digit: that is the field of the ID without the '_'. */
    private static boolean muninAsIs(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            if (!letter && !(digit && i > 0) || (i == 1 && digit && name.charAt(0) == '_')) {
                return false;
            }
        }
        return true;
    }

    private static final int[] CKSUM_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }
            CKSUM_TABLE[i] = c;
        }
    }

    /** The CRC of POSIX {@code cksum} (CRC-32/CKSUM: the bytes, then their count, complemented). */
    static long cksum(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc = (crc << 8) ^ CKSUM_TABLE[((crc >>> 24) ^ b) & 0xff];
        }
        for (long n = bytes.length; n != 0; n >>>= 8) {
            crc = (crc << 8) ^ CKSUM_TABLE[((crc >>> 24) ^ (int) n) & 0xff];
        }
        return ~crc & 0xffffffffL;
    }

    // ---- Prometheus ----

    /**
     * The text exposition format 0.0.4: families ecl_events, ecl_interval_start_seconds,
     * ecl_interval_stale (per group and interval, never with a section label) and
     * ecl_late_events, each with HELP and TYPE once and one sample per (group, interval[, event]).
     * With --both every sample has a {@code section} label ("last" or "current"). An interval
     * start that is not known (never rotated, or written by the Python master) has no sample.
     * ecl_interval_error is 1 for a (group, interval) that could not be read because a key holds
     * data ecl cannot read (it then has no other sample), else 0.
     * Written line by line to {@code out}, so that 500,000 events are never one string.
     */
    static void prometheus(Appendable out, List<Read> reads, Sections sections) throws IOException {
        List<Boolean> which = new ArrayList<>(2);
        if (sections != Sections.CURRENT) {
            which.add(false);
        }
        if (sections != Sections.LAST) {
            which.add(true);
        }
        boolean labelled = sections == Sections.BOTH;
        StringBuilder b = new StringBuilder(256);
        out.append("# HELP ecl_events Events counted in the interval (the last complete one unless section=\"current\").\n");
        out.append("# TYPE ecl_events gauge\n");
        for (Read r : reads) {
            if (r.error != null) {
                continue;
            }
            for (boolean current : which) {
                r.forEach(current, (event, count) -> {
                    b.setLength(0);
                    b.append("ecl_events");
                    labels(b, r, labelled, current);
                    b.setLength(b.length() - 1);
                    b.append(",event=");
                    labelValue(b, event);
                    b.append("} ").append(count).append('\n');
                    out.append(b);
                });
            }
        }
        uniquesFamily(out, b, reads, which, labelled);
        valuesFamilies(out, b, reads, which, labelled);
        out.append("# HELP ecl_interval_start_seconds Start of the interval the counts cover, in Unix seconds.\n");
        out.append("# TYPE ecl_interval_start_seconds gauge\n");
        for (Read r : reads) {
            if (r.error != null) {
                continue;
            }
            for (boolean current : which) {
                Long start = current ? r.counts.currentStartMillis() : r.counts.lastStartMillis();
                if (start != null) {
                    b.setLength(0);
                    b.append("ecl_interval_start_seconds");
                    labels(b, r, labelled, current);
                    b.append(' ').append(Seconds.format(start)).append('\n');
                    out.append(b);
                }
            }
        }
        out.append("# HELP ecl_interval_stale 1 when the last complete interval is stale: no master or"
                + " writer rotated it at its boundary, so its counts are old.\n");
        out.append("# TYPE ecl_interval_stale gauge\n");
        for (Read r : reads) {
            if (r.error == null) {
                b.setLength(0);
                b.append("ecl_interval_stale");
                labels(b, r, false, false);
                b.append(r.stale ? " 1\n" : " 0\n");
                out.append(b);
            }
        }
        out.append("# HELP ecl_interval_error 1 when the interval could not be read because a key of it holds"
                + " data ecl cannot read (ecl-reader names the key).\n");
        out.append("# TYPE ecl_interval_error gauge\n");
        for (Read r : reads) {
            b.setLength(0);
            b.append("ecl_interval_error");
            labels(b, r, false, false);
            b.append(r.error != null ? " 1\n" : " 0\n");
            out.append(b);
        }
        out.append("# HELP ecl_late_events Counts that reached Redis after their interval was closed,"
                + " counted in this one.\n");
        out.append("# TYPE ecl_late_events gauge\n");
        for (Read r : reads) {
            if (r.error != null) {
                continue;
            }
            for (boolean current : which) {
                b.setLength(0);
                b.append("ecl_late_events");
                labels(b, r, labelled, current);
                b.append(' ').append(current ? r.counts.lateInCurrent() : r.counts.lateInLast()).append('\n');
                out.append(b);
            }
        }
    }

    /**
     * ecl_unique_values: distinct values per (group, interval, name) as Redis's HyperLogLog
     * estimates them, a gauge; the family is left out when no group read has unique counts, so
     * that a config without them exposes what it always did.
     */
    private static void uniquesFamily(Appendable out, StringBuilder b, List<Read> reads, List<Boolean> which,
            boolean labelled) throws IOException {
        boolean any = false;
        for (Read r : reads) {
            if (r.error == null && (!r.counts.lastUniques().isEmpty() || !r.counts.currentUniques().isEmpty())) {
                if (!any) {
                    out.append("# HELP ecl_unique_values Distinct values logged in the interval (HyperLogLog estimate,"
                            + " standard error 0.81 %; the last complete interval unless section=\"current\").\n");
                    out.append("# TYPE ecl_unique_values gauge\n");
                    any = true;
                }
                for (boolean current : which) {
                    for (Map.Entry<String, Long> e : sorted(current ? r.counts.currentUniques() : r.counts.lastUniques())) {
                        b.setLength(0);
                        b.append("ecl_unique_values");
                        labels(b, r, labelled, current);
                        b.setLength(b.length() - 1);
                        b.append(",name=");
                        labelValue(b, e.getKey());
                        b.append("} ").append(e.getValue().longValue()).append('\n');
                        out.append(b);
                    }
                }
            }
        }
    }

    /**
     * Value statistics in the summary convention: ecl_value with a quantile label (0.5, 0.9, 0.99,
     * 0.999), ecl_value_sum and ecl_value_count; then ecl_value_min and ecl_value_max as gauges.
     * Left out when no group read has values. A value with nothing recorded has count and sum 0
     * and no quantile, min or max samples.
     */
    private static void valuesFamilies(Appendable out, StringBuilder b, List<Read> reads, List<Boolean> which,
            boolean labelled) throws IOException {
        boolean any = false;
        for (Read r : reads) {
            any |= r.error == null && (!r.counts.lastValues().isEmpty() || !r.counts.currentValues().isEmpty());
        }
        if (!any) {
            return;
        }
        out.append("# HELP ecl_value Statistics of the values recorded in the interval (quantiles within 1 %;"
                + " the last complete interval unless section=\"current\").\n");
        out.append("# TYPE ecl_value summary\n");
        String[] quantiles = {"0.5", "0.9", "0.99", "0.999"};
        for (Read r : reads) {
            if (r.error != null) {
                continue;
            }
            for (boolean current : which) {
                for (Map.Entry<String, ValueStats> e : (current ? r.counts.currentValues() : r.counts.lastValues()).entrySet()) {
                    ValueStats v = e.getValue();
                    double[] q = {v.p50(), v.p90(), v.p99(), v.p999()};
                    for (int i = 0; i < q.length; i++) {
                        String text = decimal(q[i]);
                        if (text != null) {
                            valueSample(out, b, "ecl_value", r, labelled, current, e.getKey(), quantiles[i], text);
                        }
                    }
                    valueSample(out, b, "ecl_value_sum", r, labelled, current, e.getKey(), null, decimal(v.sum()));
                    valueSample(out, b, "ecl_value_count", r, labelled, current, e.getKey(), null, Long.toString(v.count()));
                }
            }
        }
        for (String[] family : new String[][] {{"ecl_value_min", "The smallest value recorded in the interval."},
                {"ecl_value_max", "The largest value recorded in the interval."}}) {
            out.append("# HELP ").append(family[0]).append(' ').append(family[1]).append('\n');
            out.append("# TYPE ").append(family[0]).append(" gauge\n");
            boolean min = family[0].endsWith("min");
            for (Read r : reads) {
                if (r.error != null) {
                    continue;
                }
                for (boolean current : which) {
                    for (Map.Entry<String, ValueStats> e : (current ? r.counts.currentValues() : r.counts.lastValues()).entrySet()) {
                        String text = decimal(min ? e.getValue().min() : e.getValue().max());
                        if (text != null) {
                            valueSample(out, b, family[0], r, labelled, current, e.getKey(), null, text);
                        }
                    }
                }
            }
        }
    }

    private static void valueSample(Appendable out, StringBuilder b, String metric, Read r, boolean labelled,
            boolean current, String name, String quantile, String value) throws IOException {
        b.setLength(0);
        b.append(metric);
        labels(b, r, labelled, current);
        b.setLength(b.length() - 1);
        b.append(",name=");
        labelValue(b, name);
        if (quantile != null) {
            b.append(",quantile=\"").append(quantile).append('"');
        }
        b.append("} ").append(value).append('\n');
        out.append(b);
    }

    /**
     * One group's totals for ecl_events_total: every event's count since its totals were last reset,
     * read from the group's shortest interval (every interval counts the same events, and the
     * shortest closes the most often); or why the group has none in this output.
     */
    record Totals(String group, Interval interval, SortedMap<String, Long> counts, String leftOut) {
        static Totals leftOut(String group, Interval interval, String why) {
            return new Totals(group, interval, null, why);
        }

        /**
         * The totals of each of {@code groups}, one script call per group. A group whose counts
         * were read page by page ({@code reads}: too many events for one reply) is left out, as is a
         * group whose totals hold data ecl cannot read (named); Redis unreachable throws.
         */
        static List<Totals> readAll(CounterReader reader, java.util.Collection<GroupConfig> groups, List<Read> reads) {
            List<Totals> all = new ArrayList<>(groups.size());
            for (GroupConfig g : groups) {
                Interval shortest = g.intervals().get(0);
                for (Interval i : g.intervals()) {
                    if (i.lengthMillis() < shortest.lengthMillis()) {
                        shortest = i;
                    }
                }
                boolean paged = false;
                for (Read r : reads) {
                    paged |= r.group.equals(g.name()) && r.paged();
                }
                if (paged) {
                    all.add(leftOut(g.name(), shortest, "more events than one reply holds (the counts were"
                            + " read page by page); totals are exported for groups under 20,000 events"));
                    continue;
                }
                try {
                    all.add(new Totals(g.name(), shortest, reader.totals(g, shortest), null));
                } catch (RedisDataException e) {
                    all.add(leftOut(g.name(), shortest, e.getMessage()));
                }
            }
            return all;
        }
    }

    /**
     * The family ecl_events_total (a counter): per (group, event), what {@link Totals} holds.
     * Nothing at all when {@code totals} is empty, so outputs without totals stay as they were; a
     * group left out is named in a comment line, which Prometheus ignores.
     */
    static void totalsFamily(Appendable out, List<Totals> totals) throws IOException {
        if (totals.isEmpty()) {
            return;
        }
        out.append("# HELP ecl_events_total Events counted since the totals were last reset (ecl-master"
                + " --reset-totals): only grows, across rotations and restarts; use rate() or increase().\n");
        out.append("# TYPE ecl_events_total counter\n");
        StringBuilder b = new StringBuilder(256);
        for (Totals t : totals) {
            if (t.counts == null) {
                out.append("# ecl_events_total of group ").append(t.group.replace('\n', ' ')).append(" left out: ")
                        .append(t.leftOut.replace('\n', ' ')).append('\n');
                continue;
            }
            for (Map.Entry<String, Long> e : sorted(t.counts)) {
                b.setLength(0);
                b.append("ecl_events_total{group=");
                labelValue(b, t.group);
                b.append(",event=");
                labelValue(b, e.getKey());
                b.append("} ").append(e.getValue()).append('\n');
                out.append(b);
            }
        }
    }

    /** {@link #prometheus(Appendable, List, Sections)} as one string (small outputs, tests). */
    static String prometheus(List<Read> reads, Sections sections) {
        StringBuilder b = new StringBuilder(256);
        try {
            prometheus(b, reads, sections);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toString();
    }

    private static void labels(StringBuilder b, Read r, boolean labelled, boolean current) {
        b.append("{group=");
        labelValue(b, r.group);
        b.append(",interval=");
        labelValue(b, r.interval.name());
        if (labelled) {
            b.append(",section=\"").append(current ? "current" : "last").append('"');
        }
        b.append('}');
    }

    /** A label value of the exposition format: backslash, double quote and line feed escaped. */
    static void labelValue(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\') {
                b.append("\\\\");
            } else if (ch == '"') {
                b.append("\\\"");
            } else if (ch == '\n') {
                b.append("\\n");
            } else {
                b.append(ch);
            }
        }
        b.append('"');
    }

    // ---- history (ecl-reader --history, GET /api/v1/groups/G/I/history) ----

    /**
     * The closed intervals kept for a group's history, oldest first, as a JSON array (one object a
     * line): {@code start} and {@code end} (ISO-8601 UTC), {@code covers} (intervals spanned: more
     * than 1 after a catch-up rotation), {@code counts}, {@code uniques}, {@code values} (the
     * fields of --format json's values).
     */
    static String historyJson(List<HistoryEntry> entries) {
        StringBuilder b = new StringBuilder(128 + entries.size() * 128);
        b.append('[');
        for (int k = 0; k < entries.size(); k++) {
            HistoryEntry e = entries.get(k);
            b.append(k == 0 ? "\n" : ",\n").append("{\"start\":");
            jsonTime(b, e.startMillis());
            b.append(",\"end\":");
            jsonTime(b, e.endMillis());
            b.append(",\"covers\":").append(e.covers()).append(",\"counts\":");
            jsonCounts(b, e.counts());
            b.append(",\"uniques\":");
            jsonCounts(b, e.uniques());
            b.append(",\"values\":");
            jsonValues(b, e.values());
            b.append('}');
        }
        return b.append(entries.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    /**
     * The closed intervals as a table, oldest first: the interval start in {@code zone}'s ISO time
     * (followed by {@code xK} when it covers K intervals), then one column per event, per unique
     * count and per value's p50 and p99 ({@code -} where nothing was recorded); numbers aligned right.
     */
    static String historyTable(List<HistoryEntry> entries, ZoneId zone) {
        TreeSet<String> events = new TreeSet<>(StreamedCounts.CODE_POINT_ORDER);
        TreeSet<String> uniques = new TreeSet<>(StreamedCounts.CODE_POINT_ORDER);
        TreeSet<String> values = new TreeSet<>(StreamedCounts.CODE_POINT_ORDER);
        for (HistoryEntry e : entries) {
            events.addAll(e.counts().keySet());
            uniques.addAll(e.uniques().keySet());
            values.addAll(e.values().keySet());
        }
        List<String> header = new ArrayList<>();
        header.add("start");
        header.addAll(events);
        header.addAll(uniques);
        for (String v : values) {
            header.add(v + ".p50");
            header.add(v + ".p99");
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(header.toArray(new String[0]));
        for (HistoryEntry e : entries) {
            String[] row = new String[header.size()];
            int c = 0;
            row[c++] = OffsetDateTime.ofInstant(Instant.ofEpochMilli(e.startMillis()), zone)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + (e.covers() > 1 ? " x" + e.covers() : "");
            for (String ev : events) {
                row[c++] = Long.toString(e.counts().getOrDefault(ev, 0L));
            }
            for (String u : uniques) {
                row[c++] = Long.toString(e.uniques().getOrDefault(u, 0L));
            }
            for (String v : values) {
                ValueStats st = e.values().getOrDefault(v, ValueStats.EMPTY);
                String p50 = decimal(st.p50());
                String p99 = decimal(st.p99());
                row[c++] = p50 == null ? "-" : p50;
                row[c++] = p99 == null ? "-" : p99;
            }
            rows.add(row);
        }
        int[] width = new int[header.size()];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].codePointCount(0, row[c].length()));
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                int pad = width[c] - row[c].codePointCount(0, row[c].length());
                if (c == 0) {
                    b.append(row[c]).append(" ".repeat(pad));
                } else {
                    b.append("  ").append(" ".repeat(pad)).append(row[c]);
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Entries of a map held in memory (the unique counts) in code-point order, as the counts. */
    static List<Map.Entry<String, Long>> sorted(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        // Not Map.Entry.comparingByKey: its serializable lambda is spun at run time (no archive holds it).
        entries.sort(StreamedCounts.BY_EVENT);
        return entries;
    }
}
