package io.ecl.core.internal.kinds;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * A HyperLogLog built in memory exactly as Redis builds one with {@code PFADD}: the same hash
 * (MurmurHash64A of the UTF-8 bytes, seed {@code 0xadc83b19}), the same 16,384 registers of 6 bits
 * (P = 14, standard error 0.81 %), the same register rule. Its {@link #toRedisDense() dense
 * encoding} is a valid Redis HLL string, so {@code PFMERGE} folds it into a key that other
 * processes fill with {@code PFADD} or with their own local sketches, and the result is the one
 * {@code PFADD} of every value would have made. Merging takes the maximum of each register, so
 * applying the same sketch twice changes nothing: a unique count needs no exactly-once marker.
 *
 * <p>{@link #add} is lock-free and allocates nothing for values of ASCII characters (the common
 * case: IDs, addresses, names); other strings are encoded to UTF-8 first. Registers are one byte
 * each in memory (16 KiB per sketch), updated with a compare-and-set only when a value raises one,
 * which after the first few thousand values is rare: most adds are a hash and one read.
 */
public final class RedisHll {
    /** Register index bits, as Redis's HLL_P. */
    static final int P = 14;
    static final int REGISTERS = 1 << P;
    /** Bits of the hash left for the run of zeros, as Redis's HLL_Q. */
    private static final int Q = 64 - P;
    private static final long SEED = 0xadc83b19L;
    private static final long M = 0xc6a4a7935bd1e995L;
    private static final int R = 47;
    private static final int HEADER = 16;
    /** Redis's HLL_DENSE_SIZE: the header and 16,384 registers of 6 bits. */
    public static final int DENSE_SIZE = HEADER + (REGISTERS * 6 + 7) / 8;
    private static final VarHandle REGISTER = MethodHandles.arrayElementVarHandle(byte[].class);

    private final byte[] registers = new byte[REGISTERS];

    /** Counts {@code value} (as {@code PFADD key value} would). */
    public void add(String value) {
        long hash = hashOf(value);
        int index = (int) (hash & (REGISTERS - 1));
        long rest = (hash >>> P) | (1L << Q);
        byte count = (byte) (Long.numberOfTrailingZeros(rest) + 1);
        byte old = (byte) REGISTER.getOpaque(registers, index);
        while (count > old) {
            byte seen = (byte) REGISTER.compareAndExchange(registers, index, old, count);
            if (seen == old) {
                return;
            }
            old = seen;
        }
    }

    /** True when nothing was added since it was made or last drained. */
    public boolean isEmpty() {
        for (byte r : registers) {
            if (r != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Moves this sketch's registers into {@code into} (register-wise maximum) and clears them. An
     * add racing the drain lands either in what is moved or in what stays: merging is idempotent,
     * so a value seen by both halves is still counted once.
     */
    public void drainInto(RedisHll into) {
        for (int i = 0; i < REGISTERS; i++) {
            byte r = (byte) REGISTER.getAndSet(registers, i, (byte) 0);
            if (r != 0) {
                into.raise(i, r);
            }
        }
    }

    /** Register-wise maximum with {@code other} (what {@code PFMERGE} does). */
    public void merge(RedisHll other) {
        for (int i = 0; i < REGISTERS; i++) {
            byte r = (byte) REGISTER.getOpaque(other.registers, i);
            if (r != 0) {
                raise(i, r);
            }
        }
    }

    private void raise(int index, byte count) {
        byte old = (byte) REGISTER.getOpaque(registers, index);
        while (count > old) {
            byte seen = (byte) REGISTER.compareAndExchange(registers, index, old, count);
            if (seen == old) {
                return;
            }
            old = seen;
        }
    }

    /**
     * The sketch as Redis stores a dense HLL: "HYLL", encoding 0 (dense), three unused bytes, the
     * cached cardinality marked invalid (Redis computes it at the next PFCOUNT), then the registers
     * packed 6 bits each, least significant bits first.
     */
    public byte[] toRedisDense() {
        byte[] out = new byte[DENSE_SIZE];
        out[0] = 'H';
        out[1] = 'Y';
        out[2] = 'L';
        out[3] = 'L';
        out[15] = (byte) 0x80;
        for (int i = 0; i < REGISTERS; i++) {
            int v = (byte) REGISTER.getOpaque(registers, i);
            if (v == 0) {
                continue;
            }
            int bit = i * 6;
            int b = HEADER + (bit >>> 3);
            int fb = bit & 7;
            out[b] |= (byte) (v << fb);
            if (fb > 2) {
                out[b + 1] |= (byte) (v >>> (8 - fb));
            }
        }
        return out;
    }

    /** The register {@code index} (tests compare it with what Redis holds). */
    int register(int index) {
        return registers[index];
    }

    /** Redis's hash of {@code value}: the floor of what {@link #add} costs. */
    public static long hashOf(String value) {
        return isAscii(value) ? hashAscii(value) : hash(value.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Redis's MurmurHash64A (hyperloglog.c) of the bytes of an ASCII string, read from its chars. */
    static long hashAscii(String s) {
        int len = s.length();
        long h = SEED ^ (len * M);
        int end = len - (len & 7);
        for (int i = 0; i < end; i += 8) {
            long k = (s.charAt(i) & 0xffL)
                    | (s.charAt(i + 1) & 0xffL) << 8
                    | (s.charAt(i + 2) & 0xffL) << 16
                    | (s.charAt(i + 3) & 0xffL) << 24
                    | (s.charAt(i + 4) & 0xffL) << 32
                    | (s.charAt(i + 5) & 0xffL) << 40
                    | (s.charAt(i + 6) & 0xffL) << 48
                    | (s.charAt(i + 7) & 0xffL) << 56;
            h = mixBlock(h, k);
        }
        int tail = len & 7;
        if (tail > 0) {
            for (int j = tail - 1; j >= 0; j--) {
                h ^= (s.charAt(end + j) & 0xffL) << (8 * j);
            }
            h *= M;
        }
        return finish(h);
    }

    /** Redis's MurmurHash64A of {@code data}. */
    static long hash(byte[] data) {
        int len = data.length;
        long h = SEED ^ (len * M);
        int end = len - (len & 7);
        for (int i = 0; i < end; i += 8) {
            long k = (data[i] & 0xffL)
                    | (data[i + 1] & 0xffL) << 8
                    | (data[i + 2] & 0xffL) << 16
                    | (data[i + 3] & 0xffL) << 24
                    | (data[i + 4] & 0xffL) << 32
                    | (data[i + 5] & 0xffL) << 40
                    | (data[i + 6] & 0xffL) << 48
                    | (data[i + 7] & 0xffL) << 56;
            h = mixBlock(h, k);
        }
        int tail = len & 7;
        if (tail > 0) {
            for (int j = tail - 1; j >= 0; j--) {
                h ^= (data[end + j] & 0xffL) << (8 * j);
            }
            h *= M;
        }
        return finish(h);
    }

    private static long mixBlock(long h, long k) {
        k *= M;
        k ^= k >>> R;
        k *= M;
        h ^= k;
        return h * M;
    }

    private static long finish(long h) {
        h ^= h >>> R;
        h *= M;
        h ^= h >>> R;
        return h;
    }
}
