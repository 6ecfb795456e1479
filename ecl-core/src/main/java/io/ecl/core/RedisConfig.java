package io.ecl.core;

import io.ecl.core.internal.HostPort;
import io.ecl.core.internal.Keys;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Where Redis is and how to log in. Immutable; {@link #toString()} never shows the password.
 */
public final class RedisConfig {
    public static final String DEFAULT_HOST = "localhost";
    public static final int DEFAULT_PORT = 6379;
    static final int DEFAULT_TIMEOUT_MILLIS = 2000;

    private final String host;
    private final int port;
    private final int db;
    private final String username;
    private final String password;
    private final boolean tls;
    private final String tlsCaFile;
    private final String tlsCertFile;
    private final String tlsKeyFile;
    private final boolean tlsVerifyHostname;
    private final int timeoutMillis;
    private final List<String> sentinels;
    private final String masterName;
    private final String sentinelPassword;
    private final boolean cluster;
    private final List<String> nodes;
    private final KeyMode keyMode;

    /** How key names are formed; see {@link Keys}. */
    public enum KeyMode {
        /** {@code <group>:<interval>:...}, the Python version's names. */
        PYTHON,
        /** {@code {<group>}:<interval>:...}: a Redis Cluster hash tag puts a group in one slot. Python cannot read these. */
        HASHTAG
    }

    private RedisConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.db = b.db;
        this.username = b.username;
        this.password = b.password;
        this.tls = b.tls;
        this.tlsCaFile = b.tlsCaFile;
        this.tlsCertFile = b.tlsCertFile;
        this.tlsKeyFile = b.tlsKeyFile;
        this.tlsVerifyHostname = b.tlsVerifyHostname;
        this.timeoutMillis = b.timeoutMillis;
        this.sentinels = List.copyOf(b.sentinels);
        this.masterName = b.masterName;
        this.sentinelPassword = b.sentinelPassword;
        this.cluster = b.cluster;
        this.nodes = List.copyOf(b.nodes);
        this.keyMode = b.keyMode;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of the Python version: localhost:6379, db 0. */
    public static RedisConfig defaults() {
        return builder().build();
    }

    /**
     * Parses {@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://} for TLS.
     *
     * @throws ConfigException naming the URL (password masked) when it is malformed
     */
    public static RedisConfig fromUrl(String url) {
        return builder().url(url).build();
    }

    public String host() { return host; }
    public int port() { return port; }
    public int db() { return db; }
    /** The ACL user name, or null for the default user. */
    public String username() { return username; }
    /** The password, or null. */
    public String password() { return password; }
    public boolean tls() { return tls; }

    /** PEM file of the CA certificates to trust instead of the JVM's, or null. */
    public String tlsCaFile() { return tlsCaFile; }

    /** PEM client certificate (chain) for servers that check clients, or null. */
    public String tlsCertFile() { return tlsCertFile; }

    /** PKCS#8 PEM private key of {@link #tlsCertFile()}, or null. */
    public String tlsKeyFile() { return tlsKeyFile; }

    /** Whether the server certificate must name the host connected to (default true). */
    public boolean tlsVerifyHostname() { return tlsVerifyHostname; }
    /** Connect and socket timeout. */
    public int timeoutMillis() { return timeoutMillis; }

    /** The Sentinels ({@code host:port}) to ask for the master, empty when Redis is a single server. */
    public List<String> sentinels() { return sentinels; }
    /** The Sentinel name of the master, or null. */
    public String masterName() { return masterName; }
    /** The password of the Sentinels themselves (not of the master), or null. */
    public String sentinelPassword() { return sentinelPassword; }
    /** Whether Redis is a Redis Cluster. */
    public boolean cluster() { return cluster; }
    /** The cluster's seed nodes ({@code host:port}); when empty, host:port is the one seed. */
    public List<String> nodes() { return nodes.isEmpty() ? List.of(hostPort(host, port)) : nodes; }
    public KeyMode keyMode() { return keyMode; }
    /** Whether the master is found through Sentinel. */
    public boolean sentinel() { return !sentinels.isEmpty(); }

    /** {@code host:port}, as error messages show it; for Sentinel, the master name and the Sentinels. */
    public String address() {
 if (cluster) {
            return "cluster " + String.join(",", nodes());
        }
        if (sentinel()) {
            return "master '" + masterName + "' of Sentinel " + String.join(",", sentinels);
        }
        return hostPort(host, port);
    }

    static String hostPort(String host, int port) {
        return new HostPort(host, port).toString();
    }


    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.db = db;
        b.username = username;
        b.password = password;
        b.tls = tls;
        b.tlsCaFile = tlsCaFile;
        b.tlsCertFile = tlsCertFile;
        b.tlsKeyFile = tlsKeyFile;
        b.tlsVerifyHostname = tlsVerifyHostname;
        b.timeoutMillis = timeoutMillis;
        b.sentinels = List.copyOf(sentinels);
        b.masterName = masterName;
        b.sentinelPassword = sentinelPassword;
        b.cluster = cluster;
        b.nodes = List.copyOf(nodes);
        b.keyMode = keyMode;
        return b;
    }

    @Override
    public String toString() {
        if (cluster) {
            return "redis-cluster://" + String.join(",", nodes()) + (tls ? " (tls)" : "") + " key_mode hashtag";
        }
        if (sentinel()) {
            return "redis-sentinel://" + (username != null || password != null
                    ? (username == null ? "" : username) + (password == null ? "" : ":***") + "@" : "")
                    + String.join(",", sentinels) + "/" + masterName + "/" + db + (tls ? " (tls)" : "");
        }
        return (tls ? "rediss://" : "redis://")
                + (username != null || password != null
                        ? (username == null ? "" : username) + (password == null ? "" : ":***") + "@" : "")
                + address() + "/" + db;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RedisConfig)) {
            return false;
        }
        RedisConfig r = (RedisConfig) o;
        return port == r.port && db == r.db && tls == r.tls && timeoutMillis == r.timeoutMillis
                && Objects.equals(tlsCaFile, r.tlsCaFile) && Objects.equals(tlsCertFile, r.tlsCertFile)
                && Objects.equals(tlsKeyFile, r.tlsKeyFile) && tlsVerifyHostname == r.tlsVerifyHostname
                && host.equals(r.host) && Objects.equals(username, r.username)
                && Objects.equals(password, r.password) && sentinels.equals(r.sentinels)
                && Objects.equals(masterName, r.masterName)
                && Objects.equals(sentinelPassword, r.sentinelPassword)
                && cluster == r.cluster && nodes.equals(r.nodes) && keyMode == r.keyMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, db, username, tls);
    }

    /** Builds a {@link RedisConfig}; every setting is optional. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int db;
        private String username;
        private String password;
        private boolean tls;
        private String tlsCaFile;
        private String tlsCertFile;
        private String tlsKeyFile;
        private boolean tlsVerifyHostname = true;
        private int timeoutMillis = DEFAULT_TIMEOUT_MILLIS;
        private List<String> sentinels = List.of();
        private String masterName;
        private String sentinelPassword;
        private boolean cluster;
        private List<String> nodes = List.of();
        private KeyMode keyMode = KeyMode.PYTHON;

        private Builder() {
        }

        /** Redis is a Redis Cluster; needs {@code keyMode(HASHTAG)}. */
        public Builder cluster(boolean cluster) {
            this.cluster = cluster;
            return this;
        }

        /** Seed nodes of the cluster, each {@code host:port} (default: host:port). */
        public Builder nodes(List<String> nodes) {
            for (String s : nodes) {
                HostPort.parse(s, "redis.nodes");
            }
            this.nodes = List.copyOf(nodes);
            return this;
        }

        public Builder keyMode(KeyMode keyMode) {
            this.keyMode = Objects.requireNonNull(keyMode);
            return this;
        }

        /** The Sentinels to ask for the master, each {@code host:port}; needs {@link #masterName}. */
        public Builder sentinels(List<String> sentinels) {
            for (String s : sentinels) {
                HostPort.parse(s, "redis.sentinels");
            }
            this.sentinels = List.copyOf(sentinels);
            return this;
        }

        public Builder masterName(String masterName) {
            if (masterName != null && masterName.isBlank()) {
                throw new ConfigException("redis.master_name: must not be empty");
            }
            this.masterName = masterName;
            return this;
        }

        public Builder sentinelPassword(String sentinelPassword) {
            this.sentinelPassword = sentinelPassword;
            return this;
        }

        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new ConfigException("redis.host: must not be empty");
            }
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new ConfigException("redis.port: " + port + " is not a port number (1-65535)");
            }
            this.port = port;
            return this;
        }

        public Builder db(int db) {
            if (db < 0) {
                throw new ConfigException("redis.db: " + db + " must not be negative");
            }
            this.db = db;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** PEM CA certificates to trust instead of the JVM's (needs {@code tls}). */
        public Builder tlsCaFile(String file) {
            this.tlsCaFile = file;
            return this;
        }

        /** PEM client certificate and its PKCS#8 PEM key, for {@code tls-auth-clients} (needs {@code tls}). */
        public Builder tlsClientCertificate(String certFile, String keyFile) {
            this.tlsCertFile = certFile;
            this.tlsKeyFile = keyFile;
            return this;
        }

        /** False to accept a server certificate that does not name the host (default true). */
        public Builder tlsVerifyHostname(boolean verify) {
            this.tlsVerifyHostname = verify;
            return this;
        }

        public Builder timeoutMillis(int timeoutMillis) {
            if (timeoutMillis <= 0) {
                throw new ConfigException("ecl_redis.timeout_ms: " + timeoutMillis + " must be positive");
            }
            this.timeoutMillis = timeoutMillis;
            return this;
        }

        /** Sets host, port, db, user, password and TLS from a {@code redis://} or {@code rediss://} URL. */
        public Builder url(String url) {
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new ConfigException("invalid Redis URL '" + ConfigException.printable(mask(url)) + "': "
                        + e.getReason());
            }
            String scheme = uri.getScheme();
            if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
                throw new ConfigException("invalid Redis URL '" + mask(url)
                        + "': the scheme must be redis:// or rediss://");
            }
            if (uri.getHost() == null) {
                throw new ConfigException("invalid Redis URL '" + ConfigException.printable(mask(url)) + "': "
                        + authorityProblem(uri.getRawAuthority()));
            }
            host(uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                    : uri.getHost());
            port(uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort());
            tls("rediss".equalsIgnoreCase(scheme));
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
                String pass = colon < 0 ? null : userInfo.substring(colon + 1);
                if (colon < 0) {
                    // redis://secret@host is how many tools write a password without a user.
                    pass = user;
                    user = "";
                }
                username(user.isEmpty() ? null : decode(user));
                password(pass == null ? null : decode(pass));
            }
            String path = uri.getPath();
            if (path != null && path.length() > 1) {
                try {
                    db(Integer.parseInt(path.substring(1)));
                } catch (NumberFormatException e) {
                    throw new ConfigException("invalid Redis URL '" + mask(url) + "': database '"
                            + path.substring(1) + "' is not a number");
                }
            }
            return this;
        }

        /**
         * @throws ConfigException when Sentinels are given without a master name or the other way round
         */
        public RedisConfig build() {
            if (!sentinels.isEmpty() && masterName == null) {
                throw new ConfigException("redis.sentinels is set but redis.master_name is not:"
                        + " Sentinel needs the name of the master to find (e.g. master_name: mymaster)");
            }
            if (sentinels.isEmpty() && masterName != null) {
                throw new ConfigException("redis.master_name is set but redis.sentinels is not:"
                        + " list the Sentinels to ask, e.g. sentinels: ['10.0.0.1:26379', '10.0.0.2:26379']");
            }
            if (cluster && keyMode != KeyMode.HASHTAG) {
                throw new ConfigException("ecl_redis.cluster: true needs ecl_redis.key_mode: hashtag: rotation and"
                        + " logging change all keys of a group in one script, so they must share one cluster slot"
                        + " ({group} hash tag); note that Python clients cannot read hashtag keys");
            }
            if (cluster && !sentinels.isEmpty()) {
                throw new ConfigException("redis.cluster and redis.sentinels cannot be combined");
            }
            if (!cluster && !nodes.isEmpty()) {
                throw new ConfigException("redis.nodes is set but redis.cluster is not true");
            }
            if (cluster && db != 0) {
                throw new ConfigException("redis.db: a Redis Cluster has only db 0");
            }
            if ((tlsCertFile == null) != (tlsKeyFile == null)) {
                throw new ConfigException(tlsCertFile == null
                        ? "redis.tls_key_file is set but redis.tls_cert_file is not: a client key needs its certificate"
                        : "redis.tls_cert_file is set but redis.tls_key_file is not: a client certificate needs its key");
            }
            if (!tls && (tlsCaFile != null || tlsCertFile != null)) {
                throw new ConfigException("redis." + (tlsCaFile != null ? "tls_ca_file" : "tls_cert_file")
                        + " is set but TLS is off: add tls: true (or use a rediss:// URL)");
            }
            if (sentinels.isEmpty() && sentinelPassword != null) {
                throw new ConfigException("redis.sentinel_password is set but redis.sentinels is not");
            }
            return new RedisConfig(this);
        }

        /**
         * Why java.net.URI found no host in {@code authority} ({@code [user[:password]@]host[:port]}):
         * it then parses nothing, so "no host" alone would hide a typo in the port.
         */
        private static String authorityProblem(String authority) {
            if (authority == null || authority.isEmpty()) {
                return "no host";
            }
            String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort;
            if (colon >= 0 && hostPort.indexOf(']', colon) < 0) {
                String port = hostPort.substring(colon + 1);
                host = hostPort.substring(0, colon);
                if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return "the port '" + ConfigException.printable(port) + "' is not a number";
                }
            }
            if (host.isEmpty()) {
                return "no host";
            }
            return "'" + ConfigException.printable(host) + "' is not a valid host name"
                    + " (letters, digits, '-' and '.'; [...] around an IPv6 address)";
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
    }

    /** Hides the password of a Redis URL for messages. */
    static String mask(String url) {
        if (url == null) {
            return null;
        }
        // Up to the last '@': a password typed with a raw '@' or '/' must not show in messages either.
        int scheme = url.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int at = url.lastIndexOf('@');
        if (at < start) {
            return url;
        }
        int colon = url.indexOf(':', start);
        String user = colon >= 0 && colon < at ? url.substring(start, colon + 1) : "";
        return url.substring(0, start) + user + "***" + url.substring(at);
    }
}
