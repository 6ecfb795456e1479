package io.ecl.core.internal;

import io.ecl.core.RedisConfig;
import java.util.List;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * How {@link RedisConnection} makes its Jedis clients and connections, kept apart from it so that
 * a one-shot tool's read over {@link RespSocket} links none of Jedis: the JVM checks at link time
 * that each client built here is the type the caller stores, which loads the client class with its
 * forty command interfaces (a few ms of a new JVM), whether or not the code ever runs.
 */
final class JedisClients {
    private JedisClients() {
    }

    /** TLS settings shared by the server's and the Sentinels' client configs. */
    private static void tls(RedisConfig config, javax.net.ssl.SSLSocketFactory tlsSockets,
            DefaultJedisClientConfig.Builder client) {
        client.ssl(config.tls());
        if (!config.tls()) {
            return;
        }
        if (tlsSockets != null) {
            client.sslSocketFactory(tlsSockets);
        }
        if (!config.tlsVerifyHostname()) {
            // Jedis checks the name ("HTTPS" endpoint identification) unless given parameters.
            client.sslParameters(new javax.net.ssl.SSLParameters());
        }
    }

    /**
     * The client config of the connections to the server (the Sentinels' own config aside).
     *
     * <p>RESP2, without HELLO: Jedis would open every connection with HELLO 3, which Redis 5
     * does not know (Jedis then falls back after a HELLO 2, refused too: two round trips lost per
     * connection); ecl needs nothing of RESP3 (its scripts return integers, strings and arrays).
     */
    private static DefaultJedisClientConfig.Builder clientConfig(RedisConfig config,
            javax.net.ssl.SSLSocketFactory tlsSockets) {
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .serverDefaultProtocol()
                .connectionTimeoutMillis(config.timeoutMillis())
                .socketTimeoutMillis(config.timeoutMillis())
                .database(config.db())
                .clientName(RedisConnection.CLIENT_NAME);
        tls(config, tlsSockets, client);
        if (config.username() != null) {
            client.user(config.username());
        }
        if (config.password() != null) {
            client.password(config.password());
        }
        return client;
    }

    /**
     * One plain connection (connected now) without the two CLIENT SETINFO round trips.
     * Pool-less: commons-pool2 and the pooled client's classes cost a new process more time than
     * its few commands.
     */
    static Connection plain(RedisConfig config, javax.net.ssl.SSLSocketFactory tlsSockets) {
        return new Connection(new HostAndPort(config.host(), config.port()),
                clientConfig(config, tlsSockets).clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build());
    }

    /** A direct-mode group's own connection, named {@code clientName} in CLIENT LIST. */
    static DirectLink directLink(RedisConfig config, javax.net.ssl.SSLSocketFactory tlsSockets, String clientName,
            byte[][] tsKeys, ReplyWait wait) {
        return new DirectLink(new HostAndPort(config.host(), config.port()),
                clientConfig(config, tlsSockets).clientName(clientName)
                        .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).build(),
                tsKeys, config.tls() ? ReplyWait.NEVER : wait);
    }

    /** A client of one connection, which it closes with itself (UnifiedJedis' constructor for this is protected). */
    private static final class SingleConnection extends UnifiedJedis {
        SingleConnection(Connection connection) {
            super(connection);
        }
    }

    /** A client over {@code plain} alone, closing it with itself. */
    static UnifiedJedis single(Connection plain) {
        return new SingleConnection(plain);
    }

    /**
     * A pooled client of the config's topology. Sentinel and Cluster clients contact their
     * servers now (and throw when none answers); a standalone one when used.
     *
     * @param maxConnections the pool's size (per node)
     */
    static UnifiedJedis pooled(RedisConfig config, javax.net.ssl.SSLSocketFactory tlsSockets, int maxConnections) {
        DefaultJedisClientConfig.Builder client = clientConfig(config, tlsSockets);
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(0);
        pool.setMaxWait(java.time.Duration.ofMillis(config.timeoutMillis()));
        pool.setTestWhileIdle(false);
        pool.setJmxEnabled(false);
        if (config.cluster()) {
            java.util.Set<HostAndPort> nodes = new java.util.LinkedHashSet<>();
            for (String s : config.nodes()) {
                HostPort hp = HostPort.parse(s, "redis.nodes");
                nodes.add(new HostAndPort(hp.host(), hp.port()));
            }
            // db is always 0 on a cluster (checked by RedisConfig); the pool is per node.
            client.database(0);
            return RedisClusterClient.builder()
                    .nodes(nodes)
                    .clientConfig(client.build())
                    .poolConfig(pool)
                    .build();
        } else if (config.sentinel()) {
            return sentinelClient(config, tlsSockets, client.build(), pool);
        } else {
            return RedisClient.builder()
                    .hostAndPort(config.host(), config.port())
                    .clientConfig(client.build())
                    .poolConfig(pool)
                    .build();
        }
    }

    /**
     * A client of the master that the Sentinels name. Password, user, db and TLS apply to the
     * master; the Sentinels get {@code sentinel_password} (if any) and the same TLS setting.
     */
    private static UnifiedJedis sentinelClient(RedisConfig config, javax.net.ssl.SSLSocketFactory tlsSockets,
            DefaultJedisClientConfig master, ConnectionPoolConfig pool) {
        java.util.Set<HostAndPort> sentinels = new java.util.LinkedHashSet<>();
        for (String s : config.sentinels()) {
            HostPort hp = HostPort.parse(s, "redis.sentinels");
            sentinels.add(new HostAndPort(hp.host(), hp.port()));
        }
        DefaultJedisClientConfig.Builder sentinel = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(config.timeoutMillis())
                .socketTimeoutMillis(config.timeoutMillis())
                .clientName("ecl-sentinel")
                // Not protocol(RESP2): that sends HELLO 2, which a Redis 5 Sentinel refuses.
                .serverDefaultProtocol();
        tls(config, tlsSockets, sentinel);
        if (config.sentinelPassword() != null) {
            sentinel.password(config.sentinelPassword());
        }
        return RedisSentinelClient.builder()
                .masterName(config.masterName())
                .sentinels(sentinels)
                .clientConfig(master)
                .sentinelClientConfig(sentinel.build())
                .poolConfig(pool)
                .build();
    }

    /** EVAL of {@code script} on a plain connection; the reply as Jedis gives it (bulk strings as byte[]). */
    static Object eval(Connection plain, String script, List<String> keys, List<String> args) {
        CommandArguments command = new CommandArguments(Protocol.Command.EVAL).add(script).add(keys.size());
        for (String k : keys) {
            command.key(k);
        }
        for (String a : args) {
            command.add(a);
        }
        return plain.executeCommand(command);
    }

    /** PING on a plain connection. */
    static void ping(Connection plain) {
        plain.executeCommand(new CommandArguments(Protocol.Command.PING));
    }
}
