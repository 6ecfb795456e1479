package io.ecl.core;

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
 * A Lua script from {@code src/main/resources/lua}, called by EVALSHA. Its SHA-1 is computed
 * locally, so no SCRIPT LOAD round trip is needed: a NOSCRIPT answer (new or restarted Redis) is
 * followed by one EVAL, which also caches the script on the server.
 */
final class LuaScript {
    static final LuaScript LOG = withRotation("log");
    static final LuaScript ROTATE = withRotation("rotate");
    static final LuaScript READ = new LuaScript("read", resource("read"));
    static final LuaScript DIRECT = new LuaScript("direct", resource("direct"));

    final String name;
    final String source;
    final String sha;
    private final byte[] shaBytes;
    private final byte[] sourceBytes;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
        this.shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
        this.sourceBytes = source.getBytes(StandardCharsets.UTF_8);
    }

    private static LuaScript withRotation(String name) {
        return new LuaScript(name, resource("rotation") + "\n" + resource(name));
    }

    Object eval(UnifiedJedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisDataException e) {
            if (isNoScript(e)) {
                return jedis.eval(source, keys, args);
            }
            throw e;
        }
    }

    /**
     * The hot-path form: {@code keyCount} keys then the arguments, already encoded, in one array
     * (Jedis writes them as they are: no list, no per-call string encoding).
     */
    Object eval(UnifiedJedis jedis, int keyCount, byte[]... keysThenArgs) {
        try {
            return jedis.evalsha(shaBytes, keyCount, keysThenArgs);
        } catch (JedisDataException e) {
            if (isNoScript(e)) {
                return jedis.eval(sourceBytes, keyCount, keysThenArgs);
            }
            throw e;
        }
    }

    Response<Object> evalIn(AbstractPipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.evalsha(sha, keys, args);
    }

    /** EVAL with the source, in a pipeline: caches the script on the server that runs it. */
    Response<Object> evalSourceIn(AbstractPipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.eval(source, keys, args);
    }

    static boolean isNoScript(Throwable e) {
        return e instanceof JedisDataException && e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static String resource(String name) {
        String path = "/lua/" + name + ".lua";
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
