package io.ecl.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Lua script from {@code src/main/resources/lua/ecl}, called by EVALSHA: the one loader of ecl's
 * scripts. Each is sent as one source: a line defining {@code MARKER_TTL_MS} from
 * {@link Keys#MARKER_TTL_MILLIS}, then {@code prelude.lua} (the rules every script shares), then
 * the script. Its SHA-1 is computed locally, so no SCRIPT LOAD round trip is needed: a NOSCRIPT
 * answer (new or restarted Redis) is followed by one EVAL, which also caches the script on the
 * server. The source is read and hashed at first use, so a one-shot tool pays only for the
 * scripts it runs.
 */
public final class LuaScript {
    public static final LuaScript LOG = new LuaScript("log");
    public static final LuaScript ROTATE = new LuaScript("rotate");
    static final LuaScript READ = new LuaScript("read");
    static final LuaScript DIRECT = new LuaScript("direct");
    static final LuaScript CHECK = new LuaScript("check");
    static final LuaScript UNIQUE = new LuaScript("unique");
    public static final LuaScript ADOPT = new LuaScript("adopt");
    static final LuaScript TOTALS = new LuaScript("totals");

    /** Where the scripts live on the class path. */
    static final String RESOURCE_DIR = "/lua/ecl/";

    final String name;
    /** Read at first use; racing threads compute equal values. */
    private volatile String source;
    private volatile byte[] sourceBytes;
    /** Computed at first use of EVALSHA (a one-shot tool that sends the source never pays for it). */
    private volatile Digest digest;

    private LuaScript(String name) {
        this.name = name;
    }

    /** The SHA-1 of the source, in both forms the calls need. */
    private static final class Digest {
        final String sha;
        final byte[] shaBytes;

        Digest(String source) {
            this.sha = sha1(source);
            this.shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The whole source as sent with EVAL (prelude included). */
    String source() {
        String s = source;
        if (s == null) {
            s = compose(resource(name));
            source = s;
        }
        return s;
    }

    private byte[] sourceBytes() {
        byte[] b = sourceBytes;
        if (b == null) {
            b = source().getBytes(StandardCharsets.UTF_8);
            sourceBytes = b;
        }
        return b;
    }

    private Digest digest() {
        Digest d = digest;
        if (d == null) {
            d = new Digest(source());
            digest = d;
        }
        return d;
    }

    /** The SHA-1 EVALSHA names the script by. */
    String sha() {
        return digest().sha;
    }

    /** The generated constants, the prelude, then the script. */
    public static String compose(String script) {
        return "local MARKER_TTL_MS = " + Keys.MARKER_TTL_MILLIS + "\n" + resource("prelude") + "\n" + script;
    }

    public Object eval(UnifiedJedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha(), keys, args);
        } catch (JedisDataException e) {
            if (isNoScript(e)) {
                return jedis.eval(source(), keys, args);
            }
            throw e;
        }
    }

    /**
     * The hot-path form: {@code keyCount} keys then the arguments, already encoded, in one array
     * (Jedis writes them as they are: no list, no per-call string encoding).
     */
    public Object eval(UnifiedJedis jedis, int keyCount, byte[]... keysThenArgs) {
        try {
            return jedis.evalsha(digest().shaBytes, keyCount, keysThenArgs);
        } catch (JedisDataException e) {
            if (isNoScript(e)) {
                return jedis.eval(sourceBytes(), keyCount, keysThenArgs);
            }
            throw e;
        }
    }

    Response<Object> evalIn(AbstractPipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.evalsha(sha(), keys, args);
    }

    /** EVAL with the source, in a pipeline: caches the script on the server that runs it. */
    Response<Object> evalSourceIn(AbstractPipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.eval(source(), keys, args);
    }

    static boolean isNoScript(Throwable e) {
        return e instanceof JedisDataException && e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static String resource(String name) {
        String path = RESOURCE_DIR + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path, e);
        }
    }

    private static String sha1(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(40);
            for (byte x : d) {
                b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
