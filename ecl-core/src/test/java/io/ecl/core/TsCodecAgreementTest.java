package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.core.internal.LuaScript;
import io.ecl.core.internal.TsCodec;
import io.ecl.testing.EmbeddedRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The @ts rule has a Java home (TsCodec) and a Lua home (the prelude's fmt_secs, aligned and
 * python_ts). Over generated interval starts, lengths and @ts values as ecl and the Python master
 * write them, both must give identical answers.
 */
class TsCodecAgreementTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    /** Per case (ms, ts, len) in ARGV: fmt_secs(ms), aligned(ts, len) or 'nil', python_ts(ts, len) as 1/0. */
    private static final String PROBE = LuaScript.compose(String.join("\n",
            "local out = {}",
            "for i = 1, #ARGV, 3 do",
            "  local len = tonumber(ARGV[i + 2])",
            "  out[#out + 1] = fmt_secs(tonumber(ARGV[i]))",
            "  out[#out + 1] = tostring(aligned(ARGV[i + 1], len) or 'nil')",
            "  out[#out + 1] = python_ts(ARGV[i + 1], len) and 1 or 0",
            "end",
            "return out"));

    private static final long[] LENGTHS = {250, 1_000, 5_000, 60_000, 300_000, 3_600_000, 86_400_000};

    @Test
    void javaAndThePreludeFormatAlignAndRecognisePythonTsAlike() {
        Random random = new Random(20261130);
        List<String> args = new ArrayList<>();
        List<long[]> cases = new ArrayList<>();
        for (int n = 0; n < 3_000; n++) {
            long len = LENGTHS[random.nextInt(LENGTHS.length)];
            long ms = 1_600_000_000_000L + (long) (random.nextDouble() * 200_000_000_000L);
            long start = random.nextBoolean() ? ms - ms % len : ms;
            String ts;
            switch (random.nextInt(3)) {
                case 0: ts = TsCodec.format(start); break; // as ecl writes it
                case 1: ts = (ms / 1000) + "." + String.format("%06d", random.nextInt(1_000_000)); break; // Python's time.time()
                default: ts = Long.toString(ms / 1000); break;
            }
            args.add(Long.toString(start));
            args.add(ts);
            args.add(Long.toString(len));
            cases.add(new long[] {start, len});
        }
        List<?> reply = (List<?>) redis.client().eval(PROBE, List.of(), args);
        for (int k = 0; k < cases.size(); k++) {
            long start = cases.get(k)[0];
            long len = cases.get(k)[1];
            String ts = args.get(3 * k + 1);
            String what = "case " + k + ": start " + start + ", @ts '" + ts + "', length " + len;
            assertEquals(TsCodec.format(start), reply.get(3 * k), what + ": format");
            long aligned = TsCodec.aligned(ts, len);
            assertEquals(Long.toString(aligned), reply.get(3 * k + 1), what + ": aligned");
            assertEquals(TsCodec.writtenByPython(ts, aligned) ? 1L : 0L, reply.get(3 * k + 2), what + ": python_ts");
        }
    }
}
