package io.ecl.core.internal;

import io.ecl.core.ConfigException;
import io.ecl.core.EventCountLogger;
import io.ecl.core.RedisConfig;
import io.ecl.core.RedisDataException;
import io.ecl.core.RedisUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Jedis client of one Redis config, and the one place that turns Jedis errors into messages.
 *
 * <p>Sentinel and Cluster clients are made on first use (or by {@link #warmUp()} in the
 * background), not in the constructor: Jedis' clients of those topologies contact their servers
 * when they are built (and throw when none answers), while building a logger must do no I/O, so
 * that an app starts and logs to memory while Redis is down, whatever the topology. A failed
 * creation is retried at the next use. A standalone client connects only when used, so it is
 * made at once.
 */
public final class RedisConnection implements AutoCloseable {
    public final RedisConfig config;
    private final int poolSize;
    private final Object lock = new Object();
    private volatile UnifiedJedis jedis;
    private Connection plain;
    private RespSocket resp;
    private boolean closed;

    private final javax.net.ssl.SSLSocketFactory tlsSockets;

    /** @throws ConfigException when a TLS file of the config cannot be read or used */
    public RedisConnection(RedisConfig config, int poolSize) {
        this.config = config;
        this.poolSize = poolSize;
        this.tlsSockets = config.tls() ? TlsFiles.socketFactory(config) : null;
        if (!config.cluster() && !config.sentinel() && poolSize > 0) {
            // A standalone pooled client connects only when used: made now, its class loading
            // and set-up do not land on the flusher's first send, which would delay the
            // flusher's first epoch switches (and the attribution of counts at a boundary).
            jedis = create();
        }
    }

    /**
     * Makes the Sentinel or Cluster client in a background thread (they contact their servers
     * when made), so that the first send finds it ready; a failure is left to the first use.
     */
    public void warmUp() {
        if (jedis != null || !(config.cluster() || config.sentinel())) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                jedis();
            } catch (RuntimeException notYet) {
                // Redis is not reachable now: the flusher's first use tries again and reports it.
            }
        }, "ecl-connect");
        t.setDaemon(true);
        t.setContextClassLoader(null); // pins no application's class loader
        t.start();
    }

    /**
     * After a cluster pipeline met a redirection (MOVED, ASK) or a node that did not answer: asks
     * the cluster for its slot map again. Jedis' cluster pipeline neither follows redirections nor
     * refreshes the map (its single commands do both), so without this a flush keeps sending to a
     * node that no longer serves the slot after a failover or a resharding. A no-op elsewhere.
     */
    void clusterChanged() {
        UnifiedJedis j = jedis;
        if (j instanceof RedisClusterClient) {
            try {
                ((RedisClusterClient) j).refreshClusterTopology();
            } catch (JedisException notNow) {
                // No node answers: the next failed send asks again.
            }
        }
    }

    /**
     * A connection for one thread and a few commands (a command-line tool's single read): on a
     * standalone server, one plain connection instead of a pool, without the two CLIENT SETINFO
     * round trips: {@link #eval} and {@link #ping} go over a {@link RespSocket} (without TLS),
     * which connects again at the next command after a failure; {@link #call} (SCAN, SSCAN, MGET
     * of a read in pages, history, totals) over one Jedis connection of its own, made at its first
     * use and not made again after a failure. Sentinel and Cluster clients always pool (per node):
     * they get the pool of a one-thread reader, as {@code RedisReader.connect} has, since a pool of
     * size 0 would make every command wait {@code timeout_ms} for a connection that never comes.
     */
    public static RedisConnection single(RedisConfig config) {
        return new RedisConnection(config, config.cluster() || config.sentinel() ? SINGLE_THREAD_POOL : 0);
    }

    /**
     * Connections per node for one thread's commands: one in use, one more for the cluster
     * client's slot refresh or the Sentinel client's switch to a new master while it is held.
     */
    static final int SINGLE_THREAD_POOL = 2;

    /**
     * The client, made now if this is the first use.
     *
     * @throws JedisException when a Sentinel or Cluster client cannot be made because no server
     *     answers (as any other call would fail; the next use tries again)
     * @throws IllegalStateException after {@link #close()}
     */
    UnifiedJedis jedis() {
        UnifiedJedis j = jedis;
        if (j != null) {
            return j;
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the Redis connection is closed");
            }
            if (jedis == null) {
                jedis = create();
            }
            return jedis;
        }
    }

    private boolean isSingle() {
        return poolSize == 0 && !config.cluster() && !config.sentinel();
    }

    /**
     * A new connection of a direct-mode group's own ({@link DirectLink}), watching {@code tsKeys};
     * null on a Sentinel or Cluster set-up, whose groups call direct.lua through the pool (a
     * master can move there, and a held connection would not follow it).
     *
     * @param wait how the connection waits for a reply
     * @throws JedisException when Redis cannot be reached
     * @throws IllegalStateException after {@link #close()}
     */
    DirectLink directLink(byte[][] tsKeys, ReplyWait wait) {
        if (config.cluster() || config.sentinel()) {
            return null;
        }
        DirectLink link = JedisClients.directLink(config, tlsSockets, DIRECT_CLIENT_NAME, tsKeys, wait);
        synchronized (lock) {
            if (closed) {
                link.close();
                throw new IllegalStateException("the Redis connection is closed");
            }
            links.removeIf(l -> !l.usable());
            links.add(link);
        }
        return link;
    }

    /** The client name of a direct-mode group's own connection, as CLIENT LIST shows it. */
    public static final String DIRECT_CLIENT_NAME = "ecl-direct";

    /** The direct-mode groups' own connections, closed with this. */
    private final List<DirectLink> links = new java.util.ArrayList<>();

    /** Connections beyond the direct-mode call slots: the flusher's and readers'. */
    static final int SPARE_CONNECTIONS = 2;

    /**
     * True when {@code e} says that no pooled connection became free within timeout_ms: nothing was
     * sent, and Redis may be perfectly healthy (every connection busy).
     */
    static boolean isPoolExhausted(Throwable e) {
        return e instanceof JedisException && e.getCause() instanceof java.util.NoSuchElementException;
    }

    /** The client name of ecl's connections, as CLIENT LIST shows it. */
    static final String CLIENT_NAME = "ecl";

    private UnifiedJedis create() {
        if (isSingle()) {
            return JedisClients.single(plain());
        }
        // Direct-mode calls never hold more than poolSize (one per call slot); the spare ones keep
        // the flusher and readers from waiting behind them.
        return JedisClients.pooled(config, tlsSockets, poolSize + SPARE_CONNECTIONS);
    }

    /**
     * The one plain Jedis connection of {@link #single} (a TLS one, or the client of
     * {@link #call}), made on first use.
     */
    private Connection plain() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the Redis connection is closed");
            }
            if (plain == null) {
                plain = JedisClients.plain(config, tlsSockets);
            }
            return plain;
        }
    }

    /**
     * The plain socket of a {@link #single} connection to a standalone server without TLS, which
     * {@link #eval} and {@link #ping} use (see {@link RespSocket}); null for any other connection.
     */
    private RespSocket resp() {
        if (!isSingle() || config.tls()) {
            return null;
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the Redis connection is closed");
            }
            if (resp == null) {
                resp = new RespSocket(config, CLIENT_NAME);
            }
            return resp;
        }
    }

    /**
     * The plain socket of a {@link #single} connection to a standalone server without TLS, for a
     * one-shot tool's own commands ({@link OneShotWriter}); null for any other connection.
     */
    RespSocket plainSocket() {
        return resp();
    }

    /** What {@link RespSocket} threw, as the exception {@link #call} would give for Jedis' own. */
    RedisUnavailableException unavailable(RuntimeException e) {
        if (e instanceof RespSocket.ErrorReply && isKeyDataError(e.getMessage())) {
            return new RedisDataException(describe(e), e);
        }
        return new RedisUnavailableException(describe(e), e);
    }

    /**
     * EVAL of {@code script}; the reply as UnifiedJedis.eval gives it (bulk strings as Strings).
     * A {@link #single} connection to a standalone server sends it on the plain connection: the
     * client's command and reply classes are a good part of a one-shot tool's start-up.
     */
    Object eval(String script, List<String> keys, List<String> args) {
        if (!isSingle()) {
            return call(j -> j.eval(script, keys, args));
        }
        RespSocket socket = resp();
        if (socket != null) {
            String[] command = new String[3 + keys.size() + args.size()];
            int k = 0;
            command[k++] = "EVAL";
            command[k++] = script;
            command[k++] = Integer.toString(keys.size());
            for (String key : keys) {
                command[k++] = key;
            }
            for (String a : args) {
                command[k++] = a;
            }
            try {
                return socket.call(command);
            } catch (RespSocket.ErrorReply | RespSocket.Broken | IllegalStateException e) {
                throw unavailable(e);
            }
        }
        try {
            return decode(JedisClients.eval(plain(), script, keys, args));
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    /**
     * PING, for a tool that must fail fast before it logs (the logger itself keeps counts in
     * memory while Redis is away). A {@link #single} connection to a standalone server sends it
     * on the plain connection, without the client's command classes.
     *
     * @throws RedisUnavailableException with the one-line reason when Redis does not answer
     */
    public void ping() {
        if (!isSingle()) {
            call(j -> j.ping());
            return;
        }
        RespSocket socket = resp();
        if (socket != null) {
            try {
                socket.call("PING");
            } catch (RespSocket.ErrorReply | RespSocket.Broken | IllegalStateException e) {
                throw unavailable(e);
            }
            return;
        }
        try {
            JedisClients.ping(plain());
        } catch (JedisException e) {
            throw unavailable(e);
        }
    }

    /** Bulk strings to UTF-8 Strings, in nested lists too; integers and nulls as they are. */
    private static Object decode(Object reply) {
        if (reply instanceof byte[]) {
            return new String((byte[]) reply, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (reply instanceof List) {
            List<?> in = (List<?>) reply;
            List<Object> out = new ArrayList<>(in.size());
            for (Object o : in) {
                out.add(decode(o));
            }
            return out;
        }
        return reply;
    }

    /**
     * Hands every key matching the glob {@code pattern} to {@code eachKey}: SCAN ... COUNT 1000
     * until the cursor comes back to 0, each page one {@link #call} (a key may come twice, as
     * SCAN promises no more).
     */
    public void scan(String pattern, Consumer<String> eachKey) {
        ScanParams params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            String c = cursor;
            ScanResult<String> page = call(j -> j.scan(c, params));
            page.getResult().forEach(eachKey);
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    }

    /**
     * Runs {@code call}, turning a connection or login failure into a {@link RedisUnavailableException}.
     * A script refused because its group's slot is moving to another cluster node
     * ({@link #isSlotMoving}) is sent again for up to {@code timeout_ms}: Redis ran none of it, and
     * a slot moves in moments (reads and rotations wait for it rather than fail).
     */
    public <T> T call(Function<UnifiedJedis, T> call) {
        long deadline = System.nanoTime() + config.timeoutMillis() * 1_000_000L;
        while (true) {
            try {
                return call.apply(jedis());
            } catch (JedisDataException e) {
                if (!isSlotMoving(e) || System.nanoTime() - deadline > 0) {
                    throw unavailable(e);
                }
                try {
                    Thread.sleep(SLOT_MOVING_RETRY_MS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw unavailable(e);
                }
            } catch (JedisException e) {
                throw unavailable(e);
            }
        }
    }

    private static final long SLOT_MOVING_RETRY_MS = 20;

    /**
     * A script refused at its first line because a cluster is moving its group's slot to another
     * node: every script opens by touching two keys of the group that never exist, which Redis
     * answers inside a script with "non local key" while the slot is MIGRATING (ASK) or IMPORTING
     * (TRYAGAIN). Without it, a script would touch keys beyond KEYS[1] on a node that no longer
     * holds some of them, and stop half-way or write beside the moved keys.
     */
    static boolean isSlotMoving(JedisDataException e) {
        String m = e.getMessage();
        return m != null && m.contains("non local key in a cluster node");
    }

    /**
     * Error replies that mean Redis did not run the command, or stopped a script at its first
     * write, and may accept it later: login and permission errors, out of memory, a read-only
     * replica (after a failover), a server still loading, a busy script, cluster redirections, a
     * slot being moved ({@link #isSlotMoving}).
     * Counts refused this way are kept and sent again; other error replies are reported.
     */
    static boolean isRetryable(JedisDataException e) {
        return e instanceof JedisAccessControlException || isRetryable(e.getMessage());
    }

    /** {@link #isRetryable(JedisDataException)} for the text of an error reply. */
    static boolean isRetryable(String m) {
        if (m != null && m.contains("non local key in a cluster node")) {
            return true;
        }
        if (m == null) {
            return false;
        }
        for (String prefix : RETRYABLE) {
            // Redis 6 wraps an error raised inside a script: "ERR Error running script ...: -OOM ..."
            if (m.startsWith(prefix) || (m.startsWith("ERR Error running script") && m.contains(": -" + prefix))) {
                return true;
            }
        }
        return false;
    }

    private static final String[] RETRYABLE = {"NOAUTH", "WRONGPASS", "NOPERM", "OOM ", "READONLY",
            "LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK ", "NOREPLICAS"};

    /**
     * An error reply about what a key holds (a key of another type, a counter that is not an
     * integer or would overflow), also when raised inside a script: it concerns that key's
     * (group, interval) only.
     */
    static boolean isKeyDataError(JedisException e) {
        return e instanceof JedisDataException && !(e instanceof JedisAccessControlException)
                && isKeyDataError(e.getMessage());
    }

    /** {@link #isKeyDataError(JedisException)} for the text of an error reply. */
    static boolean isKeyDataError(String m) {
        if (m == null || isRetryable(m)) {
            return false;
        }
        return m.startsWith("WRONGTYPE") || m.contains(" -WRONGTYPE ") || m.contains(": WRONGTYPE ")
                || m.contains("not an integer") || m.contains("would overflow");
    }

    RedisUnavailableException unavailable(JedisException e) {
        if (isKeyDataError(e)) {
            // The data of one key, not the server: the caller isolates it (see RedisDataException).
            return new RedisDataException(describe(e), e);
        }
        return new RedisUnavailableException(describe(e), e);
    }

    /** True when a connection was made but a reply did not come within the socket timeout. */
    static boolean readTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException && !(t instanceof java.net.ConnectException)
                    && t.getMessage() != null && t.getMessage().contains("Read timed out")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** One line for a Jedis failure: what went wrong at host:port. */
    public String describe(Throwable e) {
        String where = "Redis at " + config.address();
        if (e instanceof JedisAccessControlException
                || (e.getMessage() != null && (e.getMessage().startsWith("WRONGPASS")
                        || e.getMessage().startsWith("NOAUTH")))) {
            return where + " refused the login: " + firstLine(e.getMessage())
                    + " (check redis.username / redis.password)";
        }
        if (isPoolExhausted(e)) {
            return "all " + (poolSize + SPARE_CONNECTIONS) + " connections to " + where + " were busy for "
                    + config.timeoutMillis() + " ms (ecl_redis.timeout_ms; more threads than connections"
                    + " wait for one; the pool size is set by EventCountLogger.Builder.poolSize)";
        }
        if (readTimedOut(e)) {
            // Connected, but no answer in time: "cannot connect" would send the user looking for a
            // firewall. A busy server or a request too big for the timeout (a huge group) does this.
            return where + " did not answer within " + config.timeoutMillis() + " ms (ecl_redis.timeout_ms):"
                    + " it is overloaded, or the request is too big for that timeout";
        }
        if (e instanceof RespSocket.Broken || e instanceof JedisConnectionException || causedByConnectionFailure(e)) {
            return "cannot connect to " + where + ": " + rootMessage(e) + tlsHint(e);
        }
        if (e instanceof JedisDataException && isSlotMoving((JedisDataException) e)) {
            return where + " is moving the slot of these keys to another node (resharding)"
                    + " and refuses them until it is done";
        }
        if ((e instanceof RespSocket.ErrorReply || e instanceof JedisDataException) && e.getMessage() != null
                && e.getMessage().startsWith("ERR DB index is out of range")) {
            return where + " has no database " + config.db() + " (redis.db; the server's 'databases' setting"
                    + " is lower): " + firstLine(e.getMessage());
        }
        if (e instanceof RespSocket.ErrorReply || e instanceof JedisDataException) {
            return where + " answered with an error: " + firstLine(e.getMessage());
        }
        return "error talking to " + where + ": " + rootMessage(e);
    }

    /** What to change when a TLS handshake fails, from the JDK's (terse) reason. */
    private String tlsHint(Throwable e) {
        if (!config.tls()) {
            return "";
        }
        String m = rootMessage(e);
        if (m.contains("certification path") || m.contains("PKIX")) {
            return " (the server's certificate is not signed by a CA in "
                    + (config.tlsCaFile() != null ? "redis.tls_ca_file" : "the JVM's trust store; set redis.tls_ca_file") + ")";
        }
        if (m.contains("certificate_required") || m.contains("bad_certificate")) {
            return config.tlsCertFile() == null
                    ? " (the server wants a client certificate: set redis.tls_cert_file and redis.tls_key_file)"
                    : " (the server does not accept the certificate in redis.tls_cert_file)";
        }
        if (config.tlsCertFile() == null && (m.contains("reset") || m.contains("Broken pipe") || m.contains("closed by the server"))) {
            return " (if the server checks client certificates, as Redis does by default, set"
                    + " redis.tls_cert_file and redis.tls_key_file)";
        }
        if (m.contains("subject alternative") || m.contains("hostname verification")) {
            return " (connect with a host name that the certificate names, or set redis.tls_verify_hostname: false)";
        }
        return "";
    }

    /** The cluster client wraps "no seed node answers" in a JedisClusterOperationException. */
    private static boolean causedByConnectionFailure(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof JedisConnectionException || t instanceof java.io.IOException) {
                return true;
            }
        }
        for (Throwable t : e.getSuppressed()) {
            if (t instanceof JedisConnectionException || t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        List<String> seen = new ArrayList<>();
        Throwable t = e;
        String best = null;
        while (t != null && seen.size() < 10) {
            if (t.getMessage() != null) {
                best = t instanceof java.net.UnknownHostException ? "unknown host " + t.getMessage()
                        : t.getMessage();
            }
            seen.add(String.valueOf(t));
            // Jedis 8 attaches the socket's own error (Connection refused, unknown host) as suppressed.
            Throwable next = t.getCause();
            if (next == null && t.getSuppressed().length > 0) {
                next = t.getSuppressed()[0];
            }
            t = next;
        }
        if ("Unexpected end of stream.".equals(best)) {
            best = "connection closed by the server or the network";
        }
        return firstLine(best == null ? e.getClass().getSimpleName() : best);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /**
     * Drops the client after a call was interrupted by something other than a Redis or network
     * error (an OutOfMemoryError while reading a pipeline's replies): Jedis then returns the
     * connection to the pool as if it were in step, with replies nobody read, which the next
     * command on it would take for its own. The next use makes a new client; calls running on
     * the old one finish or fail as on a lost connection.
     */
    void discard() {
        UnifiedJedis j;
        Connection c;
        RespSocket r;
        synchronized (lock) {
            if (closed) {
                return;
            }
            j = jedis;
            c = plain;
            r = resp;
            jedis = null;
            plain = null;
            resp = null;
        }
        if (r != null) {
            r.close();
        }
        try {
            if (j != null) {
                j.close();
            } else if (c != null) {
                c.close();
            }
        } catch (RuntimeException alreadyBroken) {
            // closing a client is best effort here: it is dropped either way
        }
    }

    @Override
    public void close() {
        UnifiedJedis j;
        Connection c;
        List<DirectLink> own;
        RespSocket r;
        synchronized (lock) {
            closed = true;
            j = jedis;
            c = plain;
            r = resp;
            resp = null;
            own = new java.util.ArrayList<>(links);
            links.clear();
        }
        for (DirectLink l : own) {
            l.close();
        }
        if (r != null) {
            r.close();
        }
        if (j != null) {
            j.close(); // closes plain too when it wraps it
        } else if (c != null) {
            c.close();
        }
    }
}
