package io.ecl.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses StatsD lines from a byte buffer and hands each sample to the {@link Sink}. One instance
 * per receiving thread (or TCP connection): not thread-safe, and it needs no lock, since the
 * state shared between threads lives in {@link NameState}.
 *
 * <p>The hot path (a known name, an integer count without sample rate) allocates nothing: the
 * name is looked up by its bytes in this instance's cache; only a name seen for the first time
 * by this instance is decoded into a String and resolved in the shared {@link NameTable}.
 *
 * <p>A line is {@code NAME:VALUE|TYPE[|@RATE][|#TAGS][|OTHER]...}, optionally followed by further
 * {@code :VALUE|TYPE[|@RATE]...} samples of the same name. Every line received is counted once,
 * as parsed, malformed (nothing of it is taken) or unmapped (no group takes the name).
 */
final class StatsdProcessor {
    static final int MAX_SAMPLES_PER_LINE = 64;
    /** Names cached per instance; the cache starts over when full (a flood of distinct names). */
    static final int MAX_CACHED = 1 << 16;
    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    private static final StatsdStats.Type[] TYPES = StatsdStats.Type.values();

    private final NameTable names;
    private final Sink sink;
    private final StatsdStats stats;

    private byte[][] keys = new byte[64][];
    private int[] hashes = new int[64];
    private NameState[] states = new NameState[64];
    private int cached;

    private final byte[] sampleType = new byte[MAX_SAMPLES_PER_LINE];
    private final long[] sampleLong = new long[MAX_SAMPLES_PER_LINE];
    private final double[] sampleDouble = new double[MAX_SAMPLES_PER_LINE];
    private final boolean[] sampleIsLong = new boolean[MAX_SAMPLES_PER_LINE];
    private final boolean[] sampleDelta = new boolean[MAX_SAMPLES_PER_LINE];
    private final double[] sampleRate = new double[MAX_SAMPLES_PER_LINE];
    private final int[] valueStart = new int[MAX_SAMPLES_PER_LINE];
    private final int[] valueEnd = new int[MAX_SAMPLES_PER_LINE];
    private long parsedLong;
    private double parsedDouble;

    StatsdProcessor(NameTable names, Sink sink, StatsdStats stats) {
        this.names = names;
        this.sink = sink;
        this.stats = stats;
    }

    /** Every line of {@code b[off, end)}, separated by '\n' (a '\r' before it is dropped); empty lines are skipped. */
    void process(byte[] b, int off, int end) {
        int i = off;
        while (i < end) {
            int nl = indexOf(b, (byte) '\n', i, end);
            int lineEnd = nl < 0 ? end : nl;
            int e = lineEnd > i && b[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (e > i) {
                line(b, i, e);
            }
            i = lineEnd + 1;
        }
    }

    /** One line, b[s, e), non-empty and without its line end. */
    void line(byte[] b, int s, int e) {
        stats.linesReceived.increment();
        int colon = indexOf(b, (byte) ':', s, e);
        if (colon < 0) {
            malformed(b, s, e, "no ':' between name and value");
            return;
        }
        if (colon == s) {
            malformed(b, s, e, "empty name");
            return;
        }
        int n = 0;
        int p = colon + 1;
        while (true) {
            if (n == MAX_SAMPLES_PER_LINE) {
                malformed(b, s, e, "more than " + MAX_SAMPLES_PER_LINE + " values in one line");
                return;
            }
            int bar = indexOf(b, (byte) '|', p, e);
            if (bar < 0) {
                malformed(b, s, e, "no '|TYPE' after the value");
                return;
            }
            if (bar == p) {
                malformed(b, s, e, "empty value");
                return;
            }
            int q = bar + 1;
            while (q < e && b[q] != '|' && b[q] != ':') {
                q++;
            }
            int type = type(b, bar + 1, q);
            if (type < 0) {
                malformed(b, s, e, "unknown type '" + new String(b, bar + 1, q - bar - 1, StandardCharsets.UTF_8)
                        + "' (c, s, ms, h, d or g)");
                return;
            }
            double rate = 1;
            while (q < e && b[q] == '|') {
                int fs = q + 1;
                if (fs < e && b[fs] == '@') {
                    int fe = fs + 1;
                    while (fe < e && b[fe] != '|' && b[fe] != ':') {
                        fe++;
                    }
                    if (!parseDouble(b, fs + 1, fe) || !(parsedDouble > 0 && parsedDouble <= 1)) {
                        malformed(b, s, e, "sample rate '" + new String(b, fs, fe - fs, StandardCharsets.UTF_8)
                                + "' is not a number more than 0 and at most 1");
                        return;
                    }
                    rate = parsedDouble;
                    q = fe;
                } else {
                    // DogStatsD tags (#k:v,...), timestamps (T...), container IDs (c:...): not used.
                    int fe = fs;
                    while (fe < e && b[fe] != '|') {
                        fe++;
                    }
                    if (fe == fs) {
                        malformed(b, s, e, "empty field after '|'");
                        return;
                    }
                    q = fe;
                }
            }
            if (!value(b, p, bar, type, n)) {
                malformed(b, s, e, "value '" + new String(b, p, bar - p, StandardCharsets.UTF_8) + "' of type '"
                        + TYPES[type].wire + "' is not a finite number");
                return;
            }
            sampleType[n] = (byte) type;
            sampleRate[n] = rate;
            valueStart[n] = p;
            valueEnd[n] = bar;
            n++;
            if (q >= e) {
                break;
            }
            p = q + 1; // b[q] is ':': another value of the same name
        }
        NameState st = lookup(b, s, colon);
        if (st.target == null) {
            stats.linesUnmapped.increment();
            return;
        }
        if (st.countProblem != null || st.uniqueProblem != null || st.valueProblem != null) {
            for (int k = 0; k < n; k++) {
                String refused = sampleType[k] == StatsdStats.Type.COUNTER.ordinal() ? st.countProblem
                        : sampleType[k] == StatsdStats.Type.SET.ordinal() ? st.uniqueProblem : st.valueProblem;
                if (refused != null) {
                    stats.linesUnmapped.increment();
                    if (st.firstUndeclared()) {
                        stats.newUnmappedName(NameTable.printable(st.metric), refused);
                    }
                    return;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            dispatch(st, b, k);
        }
        stats.linesParsed.increment();
    }

    private void dispatch(NameState st, byte[] b, int k) {
        StatsdStats.Type type = TYPES[sampleType[k]];
        stats.sample(type);
        switch (type) {
            case COUNTER:
                if (sampleIsLong[k] && sampleRate[k] == 1) {
                    if (sampleLong[k] != 0) {
                        sink.count(st.target, sampleLong[k]);
                    }
                } else {
                    double amount = (sampleIsLong[k] ? (double) sampleLong[k] : sampleDouble[k]) / sampleRate[k];
                    long whole = st.addCount(amount);
                    if (whole != 0) {
                        sink.count(st.target, whole);
                    }
                }
                break;
            case SET:
                sink.unique(st.target, new String(b, valueStart[k], valueEnd[k] - valueStart[k], StandardCharsets.UTF_8));
                break;
            case GAUGE:
                sink.value(st.target, st.gauge(sampleDouble[k], sampleDelta[k]));
                break;
            default:
                sink.value(st.target, sampleDouble[k]);
        }
    }

    /** Parses the value of sample {@code n} into the sample arrays; false when it is not valid for its type. */
    private boolean value(byte[] b, int s, int e, int type, int n) {
        if (type == StatsdStats.Type.SET.ordinal()) {
            return true;
        }
        if (type == StatsdStats.Type.COUNTER.ordinal() && parseLong(b, s, e)) {
            sampleIsLong[n] = true;
            sampleLong[n] = parsedLong;
            return true;
        }
        sampleIsLong[n] = false;
        if (!parseDouble(b, s, e) || !Double.isFinite(parsedDouble)) {
            return false;
        }
        sampleDouble[n] = parsedDouble;
        sampleDelta[n] = b[s] == '+' || b[s] == '-';
        return true;
    }

    /** c, s, ms, h, d, g as the ordinal of {@link StatsdStats.Type}; -1 for anything else. */
    private static int type(byte[] b, int s, int e) {
        int len = e - s;
        if (len == 1) {
            switch (b[s]) {
                case 'c':
                    return StatsdStats.Type.COUNTER.ordinal();
                case 's':
                    return StatsdStats.Type.SET.ordinal();
                case 'h':
                    return StatsdStats.Type.HISTOGRAM.ordinal();
                case 'd':
                    return StatsdStats.Type.DISTRIBUTION.ordinal();
                case 'g':
                    return StatsdStats.Type.GAUGE.ordinal();
                default:
                    return -1;
            }
        }
        if (len == 2 && b[s] == 'm' && b[s + 1] == 's') {
            return StatsdStats.Type.TIMER.ordinal();
        }
        return -1;
    }

    /** An optionally signed integer of at most 18 digits, into {@link #parsedLong}. */
    private boolean parseLong(byte[] b, int s, int e) {
        boolean negative = false;
        if (s < e && (b[s] == '-' || b[s] == '+')) {
            negative = b[s] == '-';
            s++;
        }
        if (s == e || e - s > 18) {
            return false;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            v = v * 10 + d;
        }
        parsedLong = negative ? -v : v;
        return true;
    }

    /**
     * A decimal number (sign, digits, optional fraction and exponent) into {@link #parsedDouble}.
     * Java's own forms that StatsD does not have (NaN, Infinity, hex, a 'd' or 'f' suffix) are refused.
     */
    private boolean parseDouble(byte[] b, int s, int e) {
        int i = s;
        boolean negative = false;
        if (i < e && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int fraction = 0;
        boolean dot = false;
        boolean simple = true;
        int start = i;
        for (; i < e; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                if (digits < 18) {
                    mantissa = mantissa * 10 + (c - '0');
                    if (mantissa != 0) {
                        digits++;
                    }
                    if (dot) {
                        fraction++;
                    }
                } else {
                    simple = false;
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else if (c == 'e' || c == 'E' || c == '+' || c == '-') {
                simple = false;
            } else {
                return false;
            }
        }
        if (i == start || (dot && i - start == 1)) {
            return false;
        }
        if (simple && mantissa < (1L << 53) && fraction < POW10.length) {
            double v = mantissa / POW10[fraction];
            parsedDouble = negative ? -v : v;
            return true;
        }
        try {
            parsedDouble = Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
            return true;
        } catch (NumberFormatException ex) {
            return false;
        }
    }

    private NameState lookup(byte[] b, int s, int e) {
        int h = 1;
        for (int i = s; i < e; i++) {
            h = 31 * h + b[i];
        }
        h ^= h >>> 16;
        int mask = keys.length - 1;
        int i = h & mask;
        for (byte[] k = keys[i]; k != null; k = keys[i]) {
            if (hashes[i] == h && Arrays.equals(k, 0, k.length, b, s, e)) {
                return states[i];
            }
            i = (i + 1) & mask;
        }
        NameState st = names.resolve(new String(b, s, e - s, StandardCharsets.UTF_8));
        if (cached >= MAX_CACHED) {
            Arrays.fill(keys, null);
            Arrays.fill(states, null);
            cached = 0;
        } else if (cached * 2 >= keys.length) {
            grow();
            mask = keys.length - 1;
        }
        i = h & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = Arrays.copyOfRange(b, s, e);
        hashes[i] = h;
        states[i] = st;
        cached++;
        return st;
    }

    private void grow() {
        byte[][] oldKeys = keys;
        int[] oldHashes = hashes;
        NameState[] oldStates = states;
        keys = new byte[oldKeys.length * 2][];
        hashes = new int[keys.length];
        states = new NameState[keys.length];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = oldHashes[j] & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                hashes[i] = oldHashes[j];
                states[i] = oldStates[j];
            }
        }
    }

    private void malformed(byte[] b, int s, int e, String problem) {
        stats.malformed(NameTable.printable(new String(b, s, Math.min(e - s, 400), StandardCharsets.UTF_8)), problem);
    }

    private static int indexOf(byte[] b, byte c, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
