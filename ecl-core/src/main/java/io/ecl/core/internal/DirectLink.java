package io.ecl.core.internal;

import java.util.Arrays;
import java.util.List;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A direct-mode group's own connection (standalone Redis), which keeps a WATCH on the group's
 * {@code cur:@ts} keys from one call to the next: optimistic concurrency, checked by Redis.
 *
 * <p>Every exchange ends with {@code WATCH} of the {@code @ts} keys and an {@code MGET} of them,
 * in the same round trip. The next call then knows what {@code @ts} held when the watch began
 * ({@link #armedWith}); when that is the interval it was logged in, it sends its increments as a
 * plain {@code MULTI}/{@code EXEC}, which Redis runs only if no {@code @ts} key was written since
 * the watch began, i.e. only if every interval is still the one the call was logged in: the
 * check direct.lua makes, without a script. EXEC answers nil when a rotation came in between, and
 * nothing was written.
 *
 * <p>Why: a script call costs Redis several times a plain command (the script's tables, the
 * closures of its definitions, a Lua-to-Redis crossing per command), and on a small machine that
 * time shows in every direct log(). Used by one thread at a time: {@link DirectWriter} hands each
 * of the group's senders in flight a connection of its own; not thread-safe.
 *
 * <p>The first reply of an exchange is waited for as {@link ReplyWait} says: polling the socket
 * for a few tens of µs while a CPU is spare, then the blocking read.
 */
final class DirectLink implements AutoCloseable {
    /** A Jedis connection whose buffered commands go out in one write (flush is protected). */
    private static final class Pipe extends Connection {
        private final ReplyWait.Link wait;
        /** The next read is the first of an exchange's replies. */
        boolean firstReply;

        Pipe(HostAndPort address, JedisClientConfig config, ReplyWait.Link wait) {
            super(address, config);
            this.wait = wait;
        }

        void send() {
            flush();
        }

        @Override
        protected Object protocolRead(redis.clients.jedis.util.RedisInputStream in, redis.clients.jedis.PushConsumerChain pushes) {
            if (firstReply) {
                firstReply = false;
                wait.before(in);
            }
            return super.protocolRead(in, pushes);
        }
    }

    private final Pipe pipe;
    /** The {@code @ts} keys watched. */
    private final byte[][] tsKeys;
    /** What the {@code @ts} keys held when the watch began, or null when no watch is known to hold. */
    private byte[][] armed;

    /**
     * @param wait how a reply is waited for ({@link ReplyWait#NEVER} on TLS)
     */
    DirectLink(HostAndPort address, JedisClientConfig config, byte[][] tsKeys, ReplyWait wait) {
        this.pipe = new Pipe(address, config, new ReplyWait.Link(wait));
        this.tsKeys = tsKeys;
    }

    /**
     * True when the watch holds and began with the {@code @ts} keys holding {@code starts} (as
     * ecl's master writes them): then an EXEC sent now runs only if they still do.
     */
    boolean armedWith(byte[][] starts) {
        byte[][] a = armed;
        if (a == null) {
            return false;
        }
        for (int i = 0; i < starts.length; i++) {
            if (!Arrays.equals(a[i], starts[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends {@code commands} then WATCH and MGET of the {@code @ts} keys (after UNWATCH unless the
     * commands end with EXEC), in one write, and reads
     * every reply: one round trip. Returns the replies to {@code commands}, an error as its
     * {@link JedisDataException} in its place (the stream stays in step). The watch is known to
     * hold afterwards only if the exchange ended normally.
     *
     * @throws JedisConnectionException when the connection failed: the link is closed, and whether
     *     Redis ran the commands is unknown
     */
    Object[] exchange(List<Command> commands) {
        armed = null;
        // EXEC ends every watch of the connection; without one, the watch begun by the exchange
        // before is still there, and WATCH adds to it without forgetting that a key was written
        // meanwhile (which would abort the next EXEC for nothing): UNWATCH first.
        boolean unwatch = commands.isEmpty() || commands.get(commands.size() - 1).name != Protocol.Command.EXEC;
        try {
            for (Command c : commands) {
                pipe.sendCommand(c.name, c.args);
            }
            if (unwatch) {
                pipe.sendCommand(Protocol.Command.UNWATCH);
            }
            pipe.sendCommand(Protocol.Command.WATCH, tsKeys);
            pipe.sendCommand(Protocol.Command.MGET, tsKeys);
            pipe.send();
            pipe.firstReply = true;
            Object[] replies = new Object[commands.size()];
            for (int i = 0; i < replies.length; i++) {
                replies[i] = reply();
            }
            if (unwatch) {
                reply();
            }
            Object watch = reply();
            Object ts = reply();
            if ("OK".equals(text(watch)) && ts instanceof List<?> values && values.size() == tsKeys.length) {
                byte[][] now = new byte[tsKeys.length][];
                for (int i = 0; i < now.length; i++) {
                    now[i] = values.get(i) instanceof byte[] b ? b : null;
                }
                armed = now;
            }
            return replies;
        } catch (JedisConnectionException e) {
            close();
            throw e;
        } catch (RuntimeException e) {
            // Anything else (a reply of a shape Jedis refuses) leaves the stream out of step.
            close();
            throw new JedisConnectionException("direct-mode connection closed after an unexpected failure: " + e, e);
        }
    }

    private Object reply() {
        try {
            return pipe.getUnflushedObject();
        } catch (JedisDataException e) {
            return e;
        }
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.US_ASCII) : String.valueOf(reply);
    }

    /** False once the connection failed or was closed: the group makes another. */
    boolean usable() {
        return !closed && !pipe.isBroken();
    }

    private volatile boolean closed;

    @Override
    public void close() {
        closed = true;
        armed = null;
        pipe.close();
    }

    /** One command of an exchange. */
    record Command(ProtocolCommand name, byte[]... args) {
        static Command of(ProtocolCommand name, byte[]... args) {
            return new Command(name, args);
        }
    }
}
