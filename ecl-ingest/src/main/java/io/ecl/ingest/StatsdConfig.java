package io.ecl.ingest;

import io.ecl.core.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The {@code statsd} section of the config file: where the listener listens and how metric names
 * map to groups. ecl-core's config loader leaves top-level sections it does not know to their
 * owners (Python ignores them too), so this section is read here, with the same strictness: an
 * unknown key or a bad value is a {@link ConfigException} naming file, line, key and value.
 *
 * <pre>
 * statsd:
 *   listen: 127.0.0.1:8125        # UDP and TCP; `ecl-reader serve --statsd HOST:PORT` overrides it
 *   receive_buffer: 33554432      # bytes of SO_RCVBUF asked for the UDP socket
 *   receiver_threads: 1
 *   sync_interval: 1              # seconds, for mapped groups that have no local counters
 *   default_mapping: true         # 'web.get' counts event 'get' of group 'web'
 *   map:                          # tried in order, before the default mapping
 *     - {match: 'myapp.http.*.requests', group: web, name: '$1'}
 * </pre>
 */
public final class StatsdConfig {
    static final int DEFAULT_RECEIVE_BUFFER = 32 * 1024 * 1024;
    /**
     * One: the socket's receive is the bottleneck and the JDK serialises it, so a second thread on
     * the same socket mostly adds wake-ups (1.6 µs of CPU per single-line datagram with one
     * thread, 2.2 to 3 µs with two, measured at 100,000 datagrams/s on 2 cores).
     */
    static final int DEFAULT_RECEIVER_THREADS = 1;
    static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

    private final InetSocketAddress listen;
    private final int receiveBuffer;
    private final int receiverThreads;
    private final Duration syncInterval;
    private final boolean defaultMapping;
    private final List<MappingRule> rules;

    private StatsdConfig(Builder b) {
        this.listen = b.listen;
        this.receiveBuffer = b.receiveBuffer;
        this.receiverThreads = b.receiverThreads;
        this.syncInterval = b.syncInterval;
        this.defaultMapping = b.defaultMapping;
        this.rules = List.copyOf(b.rules);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The address of {@code statsd.listen}, or null when the file does not set one. */
    public InetSocketAddress listen() {
        return listen;
    }

    public int receiveBuffer() {
        return receiveBuffer;
    }

    public int receiverThreads() {
        return receiverThreads;
    }

    public Duration syncInterval() {
        return syncInterval;
    }

    public boolean defaultMapping() {
        return defaultMapping;
    }

    public List<MappingRule> rules() {
        return rules;
    }

    /** A copy listening on {@code address} (the command line's {@code --statsd}). */
    public StatsdConfig withListen(InetSocketAddress address) {
        Builder b = toBuilder();
        b.listen = address;
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.listen = listen;
        b.receiveBuffer = receiveBuffer;
        b.receiverThreads = receiverThreads;
        b.syncInterval = syncInterval;
        b.defaultMapping = defaultMapping;
        b.rules.addAll(rules);
        return b;
    }

    /**
     * Reads the {@code statsd} section of a config file; the defaults when it has none.
     *
     * @throws ConfigException naming file, line, key and value
     */
    public static StatsdConfig read(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Like {@link #read(Path)} from YAML text; {@code source} names it in messages. */
    public static StatsdConfig parse(String yaml, String source) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (YAMLException e) {
            // ecl-core's loader reports the YAML problem itself, with its position.
            throw new ConfigException(source + ": invalid YAML: " + e.getMessage().replace('\n', ' '));
        }
        Builder b = new Builder();
        if (!(root instanceof MappingNode)) {
            return b.build();
        }
        for (NodeTuple t : ((MappingNode) root).getValue()) {
            if (t.getKeyNode() instanceof ScalarNode && "statsd".equals(((ScalarNode) t.getKeyNode()).getValue())) {
                new Reader(source).section(t.getValueNode(), b);
            }
        }
        return b.build();
    }

    /** Reads one section into a builder; each problem names the node it is about. */
    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        void section(Node node, Builder b) {
            if (isNull(node)) {
                return;
            }
            for (NodeTuple t : mapping(node, "statsd").getValue()) {
                String key = scalar(t.getKeyNode(), "a key of statsd");
                Node v = t.getValueNode();
                String what = "statsd." + key;
                switch (key) {
                    case "listen":
                        b.listen = address(v, what);
                        break;
                    case "receive_buffer":
                        b.receiveBuffer = (int) integer(v, what, 4096, Integer.MAX_VALUE);
                        break;
                    case "receiver_threads":
                        b.receiverThreads = (int) integer(v, what, 1, 64);
                        break;
                    case "sync_interval":
                        b.syncInterval = seconds(v, what);
                        break;
                    case "default_mapping":
                        b.defaultMapping = bool(v, what);
                        break;
                    case "map":
                        rules(v, b);
                        break;
                    default:
                        throw at(t.getKeyNode(), "unknown key statsd." + key + " (known: listen, receive_buffer,"
                                + " receiver_threads, sync_interval, default_mapping, map)");
                }
            }
        }

        private void rules(Node v, Builder b) {
            if (isNull(v)) {
                return;
            }
            if (!(v instanceof SequenceNode)) {
                throw at(v, "statsd.map must be a list of {match: PATTERN, group: GROUP, name: NAME}");
            }
            List<Node> items = ((SequenceNode) v).getValue();
            for (int i = 0; i < items.size(); i++) {
                String what = "statsd.map[" + i + "]";
                String match = null;
                String group = null;
                String name = null;
                Node item = items.get(i);
                for (NodeTuple t : mapping(item, what).getValue()) {
                    String key = scalar(t.getKeyNode(), "a key of " + what);
                    switch (key) {
                        case "match":
                            match = scalar(t.getValueNode(), what + ".match");
                            break;
                        case "group":
                            group = scalar(t.getValueNode(), what + ".group");
                            break;
                        case "name":
                            name = scalar(t.getValueNode(), what + ".name");
                            break;
                        default:
                            throw at(t.getKeyNode(), "unknown key " + what + "." + key + " (known: match, group, name)");
                    }
                }
                if (match == null || group == null) {
                    throw at(item, what + " needs 'match' and 'group'");
                }
                try {
                    b.rules.add(new MappingRule(match, group, name, where(item)));
                } catch (IllegalArgumentException e) {
                    throw at(item, what + ": " + e.getMessage());
                }
            }
        }

        private InetSocketAddress address(Node v, String what) {
            String s = scalar(v, what);
            try {
                return StatsdConfig.address(s);
            } catch (IllegalArgumentException e) {
                throw at(v, what + ": " + e.getMessage());
            }
        }

        private long integer(Node v, String what, long min, long max) {
            String s = scalar(v, what).replace("_", "");
            long n;
            try {
                n = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw at(v, what + ": expected a whole number but was '" + s + "'");
            }
            if (n < min || n > max) {
                throw at(v, what + ": " + n + " is out of range " + min + " to " + max);
            }
            return n;
        }

        private Duration seconds(Node v, String what) {
            String s = scalar(v, what);
            double d;
            try {
                d = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw at(v, what + ": expected seconds (e.g. 1 or 0.5) but was '" + s + "'");
            }
            if (!(d > 0) || d > 3600) {
                throw at(v, what + ": " + s + " must be more than 0 and at most 3600 seconds");
            }
            return Duration.ofNanos((long) (d * 1e9));
        }

        private boolean bool(Node v, String what) {
            String s = scalar(v, what).toLowerCase(Locale.ROOT);
            switch (s) {
                case "true":
                case "yes":
                case "on":
                    return true;
                case "false":
                case "no":
                case "off":
                    return false;
                default:
                    throw at(v, what + ": expected true or false but was '" + s + "'");
            }
        }

        private MappingNode mapping(Node v, String what) {
            if (!(v instanceof MappingNode)) {
                throw at(v, what + " must be a mapping (key: value)");
            }
            return (MappingNode) v;
        }

        private String scalar(Node v, String what) {
            if (!(v instanceof ScalarNode) || isNull(v)) {
                throw at(v, what + " must be a single value");
            }
            return ((ScalarNode) v).getValue();
        }

        private boolean isNull(Node v) {
            return v instanceof ScalarNode && v.getTag().getValue().endsWith(":null");
        }

        private String where(Node v) {
            return source + ":" + (v.getStartMark().getLine() + 1);
        }

        private ConfigException at(Node v, String message) {
            return new ConfigException(where(v) + ": " + message);
        }
    }

    /**
     * HOST:PORT or [IPV6]:PORT, port 0 to 65535 (0: any free one).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static InetSocketAddress address(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? "" : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            host = "";
        }
        int p = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
        if (host.isEmpty() || p < 0 || p > 65535) {
            throw new IllegalArgumentException("expected HOST:PORT (e.g. 127.0.0.1:8125) but was '" + value + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "' in '" + value + "'");
        }
    }

    /** Builds a {@link StatsdConfig} in code. */
    public static final class Builder {
        private InetSocketAddress listen;
        private int receiveBuffer = DEFAULT_RECEIVE_BUFFER;
        private int receiverThreads = DEFAULT_RECEIVER_THREADS;
        private Duration syncInterval = DEFAULT_SYNC_INTERVAL;
        private boolean defaultMapping = true;
        private final List<MappingRule> rules = new ArrayList<>();

        private Builder() {
        }

        public Builder listen(InetSocketAddress address) {
            this.listen = address;
            return this;
        }

        public Builder receiveBuffer(int bytes) {
            this.receiveBuffer = bytes;
            return this;
        }

        public Builder receiverThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("receiver threads must be at least 1");
            }
            this.receiverThreads = threads;
            return this;
        }

        public Builder syncInterval(Duration interval) {
            this.syncInterval = interval;
            return this;
        }

        public Builder defaultMapping(boolean on) {
            this.defaultMapping = on;
            return this;
        }

        /** A rule tried before the default mapping, in the order added; see {@link MappingRule}. */
        public Builder map(String match, String group, String name) {
            rules.add(new MappingRule(match, group, name, "code"));
            return this;
        }

        public StatsdConfig build() {
            return new StatsdConfig(this);
        }
    }
}
