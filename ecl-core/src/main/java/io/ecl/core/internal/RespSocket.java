package io.ecl.core.internal;

import io.ecl.core.RedisConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One plain TCP connection to a standalone Redis speaking RESP2, for a one-shot tool's few
 * commands on one thread ({@link RedisConnection#single}): {@code ecl-reader}'s read,
 * {@code ecl-log-event}'s ping, {@code ecl-master --check}. Jedis' client costs a new JVM about
 * 12 ms before its first command (its command interfaces, its connection's set-up, its version
 * read from its jar), more than the read itself; what these tools send needs none of it. Anything
 * else (pools, TLS, Sentinel, Cluster, a logger's writes) goes through Jedis.
 *
 * <p>It connects as Jedis' {@code Connection} does (each address of the host in turn, within
 * {@code timeout_ms}; TCP_NODELAY, keep-alive, the same socket timeout) and logs in with the
 * same commands (AUTH, SELECT, CLIENT SETNAME), but sends them in one write with the first
 * command: one round trip instead of up to four. Replies are decoded as {@code RedisConnection}
 * gives them: bulk strings as UTF-8 Strings, integers as Longs, arrays as Lists, nil as null; an
 * error reply as an {@link ErrorReply}. After a network failure the socket is closed and the next
 * command connects again.
 */
final class RespSocket implements AutoCloseable {
    /** The longest bulk string accepted (Redis' own proto-max-bulk-len default). */
    static final int MAX_BULK = 512 * 1024 * 1024;
    /** The deepest nesting of arrays accepted (ecl's scripts return two levels). */
    static final int MAX_DEPTH = 32;

    private final RedisConfig config;
    private final String clientName;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private boolean closed;

    RespSocket(RedisConfig config, String clientName) {
        this.config = config;
        this.clientName = clientName;
    }

    /** An error reply of Redis (the text after '-'): Redis ran nothing of the command. */
    static final class ErrorReply extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ErrorReply(String message) {
            super(message, null, false, false);
        }
    }

    /** The connection could not be made, or broke (the cause says how). */
    static final class Broken extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** False when nothing was sent (no connection); true when Redis may have run what was sent. */
        final boolean sent;

        Broken(IOException cause, boolean sent) {
            super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
            this.sent = sent;
        }
    }

    /**
     * Sends one command and returns its reply.
     *
     * @throws ErrorReply when Redis answers with an error (also a refused login)
     * @throws Broken when Redis cannot be reached or the connection breaks
     * @throws IllegalStateException after {@link #close()}, or when the reply is malformed
     */
    Object call(String... args) {
        Object reply = callAll(java.util.Collections.singletonList(args)).get(0);
        if (reply instanceof ErrorReply) {
            throw (ErrorReply) reply;
        }
        return reply;
    }

    /**
     * Sends {@code commands} in one write and returns their replies in order, an error reply as the
     * {@link ErrorReply} in its place. A refused login (or SELECT, CLIENT SETNAME), sent before
     * them on a new connection, is thrown: Redis then ran none of them.
     *
     * @throws ErrorReply when the login is refused
     * @throws Broken when Redis cannot be reached ({@link Broken#sent} false: nothing was sent) or the
     *     connection breaks (Redis may have run some of the commands)
     * @throws IllegalStateException after {@link #close()}, or when a reply is malformed
     */
    List<Object> callAll(List<String[]> commands) {
        if (closed) {
            throw new IllegalStateException("the Redis connection is closed");
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream(256);
        int handshake = 0;
        if (socket == null) {
            handshake = handshake(request);
            try {
                connect();
            } catch (IOException e) {
                throw new Broken(e, false);
            }
        }
        try {
            for (String[] c : commands) {
                command(request, c);
            }
            request.writeTo(out);
            out.flush();
            ErrorReply refused = null;
            // CLIENT SETNAME, the last of them, may be refused (an ACL user without +client):
            // Jedis sends it without checking the answer, and so does this.
            int checked = clientName != null ? handshake - 1 : handshake;
            for (int k = 0; k < handshake; k++) {
                Object r = read(0);
                if (r instanceof ErrorReply && refused == null && k < checked) {
                    refused = (ErrorReply) r;
                }
            }
            List<Object> replies = new ArrayList<>(commands.size());
            for (int k = 0; k < commands.size(); k++) {
                replies.add(read(0));
            }
            if (refused != null) {
                // The first refusal says why: a refused AUTH makes the commands after it NOAUTH.
                drop();
                throw refused;
            }
            return replies;
        } catch (IOException e) {
            drop();
            throw new Broken(e, true);
        } catch (RuntimeException e) {
            if (!(e instanceof ErrorReply)) {
                drop(); // a malformed reply: the stream is out of step
            }
            throw e;
        }
    }

    /**
     * AUTH, SELECT and CLIENT SETNAME as Jedis sends them (CLIENT SETNAME last: its answer is not
     * checked); the number of commands written.
     */
    private int handshake(ByteArrayOutputStream request) {
        int n = 0;
        if (config.password() != null) {
            if (config.username() != null) {
                command(request, "AUTH", config.username(), config.password());
            } else {
                command(request, "AUTH", config.password());
            }
            n++;
        }
        if (config.db() != 0) {
            command(request, "SELECT", Integer.toString(config.db()));
            n++;
        }
        if (clientName != null) {
            command(request, "CLIENT", "SETNAME", clientName);
            n++;
        }
        return n;
    }

    /**
     * Whether the JVM is told to reach sockets through a proxy (as {@code new Socket()} then does,
     * and Jedis' sockets with it). Without, the socket is made without the SOCKS layer, whose
     * proxy look-up on every connect costs a new JVM a dozen classes.
     */
    private static final boolean PROXIED = proxied(System.getProperties());

    /** {@link #PROXIED} for these system properties. */
    static boolean proxied(java.util.Properties system) {
        return system.getProperty("socksProxyHost") != null
                || "true".equalsIgnoreCase(system.getProperty("java.net.useSystemProxies"));
    }

    private void connect() throws IOException {
        InetAddress[] addresses = InetAddress.getAllByName(config.host());
        IOException failure = null;
        for (InetAddress a : addresses) {
            Socket s = PROXIED ? new Socket() : new Socket(java.net.Proxy.NO_PROXY);
            try {
                s.setReuseAddress(true);
                s.setKeepAlive(true);
                s.setTcpNoDelay(true);
                s.setSoLinger(true, 0);
                s.connect(new InetSocketAddress(a, config.port()), config.timeoutMillis());
                s.setSoTimeout(config.timeoutMillis());
                socket = s;
                out = s.getOutputStream();
                in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
                return;
            } catch (IOException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // not connected: nothing to release
                }
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure;
    }

    private static void command(ByteArrayOutputStream request, String... args) {
        header(request, '*', args.length);
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            header(request, '$', b.length);
            request.write(b, 0, b.length);
            request.write('\r');
            request.write('\n');
        }
    }

    private static void header(ByteArrayOutputStream request, char type, int n) {
        request.write(type);
        String digits = Integer.toString(n);
        for (int k = 0; k < digits.length(); k++) {
            request.write(digits.charAt(k));
        }
        request.write('\r');
        request.write('\n');
    }

    /** One reply; an error reply as an ErrorReply. */
    private Object read(int depth) throws IOException {
        int type = in.read();
        switch (type) {
            case '+':
                return line();
            case '-':
                return new ErrorReply(line());
            case ':':
                return number(line());
            case '$': {
                long n = number(line());
                if (n == -1) {
                    return null;
                }
                if (n < 0 || n > MAX_BULK) {
                    throw new IllegalStateException("Redis at " + config.address() + " sent a bulk string of " + n
                            + " bytes");
                }
                byte[] b = new byte[(int) n];
                readFully(b);
                if (in.read() != '\r' || in.read() != '\n') {
                    throw new IllegalStateException("Redis at " + config.address() + " sent a bulk string"
                            + " without its line end");
                }
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                long n = number(line());
                if (n == -1) {
                    return null;
                }
                if (n < 0 || n > Integer.MAX_VALUE - 8 || depth >= MAX_DEPTH) {
                    throw new IllegalStateException("Redis at " + config.address() + " sent an array of " + n
                            + " elements at depth " + depth);
                }
                List<Object> items = new ArrayList<>((int) Math.min(n, 1024));
                for (long k = 0; k < n; k++) {
                    items.add(read(depth + 1));
                }
                return items;
            }
            case -1:
                throw new EOFException("Unexpected end of stream.");
            default:
                throw new IllegalStateException("Redis at " + config.address() + " sent a reply of unknown type "
                        + (type >= 32 && type < 127 ? "'" + (char) type + "'" : "byte " + type));
        }
    }

    private void readFully(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException("Unexpected end of stream.");
            }
            off += n;
        }
    }

    /** A line up to CRLF (the CR and LF left out), as UTF-8. Status and error lines are short; 64 kB at most. */
    private String line() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream(32);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("Unexpected end of stream.");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IllegalStateException("Redis at " + config.address() + " sent CR without LF");
                }
                return s.toString(StandardCharsets.UTF_8);
            }
            if (s.size() >= 65_536) {
                throw new IllegalStateException("Redis at " + config.address() + " sent a line of more than 64 kB");
            }
            s.write(c);
        }
    }

    private long number(String line) {
        try {
            return Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Redis at " + config.address() + " sent '" + Printable.of(line)
                    + "' where a number belongs");
        }
    }

    private void drop() {
        Socket s = socket;
        socket = null;
        out = null;
        in = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // dropped either way
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        drop();
    }
}
