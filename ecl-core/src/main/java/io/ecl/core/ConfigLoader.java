package io.ecl.core;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads the Python version's YAML config. Works on SnakeYAML's node tree rather than on maps so
 * that every message can name the file and line of the bad value.
 */
final class ConfigLoader {
    private static final Set<String> TOP_KEYS = Set.of("redis", "groups");
    private static final Set<String> REDIS_KEYS =
            Set.of("host", "port", "db", "password", "username", "tls", "url", "timeout_ms",
                    "tls_ca_file", "tls_cert_file", "tls_key_file", "tls_verify_hostname",
                    "sentinels", "master_name", "sentinel_password", "cluster", "nodes", "key_mode");
    private static final Set<String> GROUP_KEYS = Set.of("events", "intervals", "auto_declare_events",
            "sync_interval", "sync_limit", "legacy_scan", "writers_rotate", "max_pending");

    private final String source;
    private final EclConfig.Builder config = EclConfig.builder();

    private ConfigLoader(String source) {
        this.source = source;
        config.source(source);
    }

    static EclConfig load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": config file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
        }
        return parse(text, file.toString(), env);
    }

    static EclConfig parse(String yaml, String source, Map<String, String> env) {
        ConfigLoader loader = new ConfigLoader(source);
        Node root;
        try (Reader reader = new StringReader(yaml)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            // What Yaml.compose does, without making a Yaml: its constructor and representer (unused
            // here) start SnakeYAML's logging and through it java.util.logging, ~50 ms of a CLI's start.
            root = new Composer(new ParserImpl(new StreamReader(reader), options), new Resolver(), options).getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = m == null ? source : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ConfigException(where + ": invalid YAML: " + oneLine(problem)
                    + (e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : ""));
        } catch (YAMLException | IOException e) {
            throw new ConfigException(source + ": invalid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            throw new ConfigException(source + ": the config is empty; it needs at least a 'groups' section");
        }
        loader.readRoot(root);
        String url = env.get(EclConfig.REDIS_URL_ENV);
        EclConfig built = loader.config.build();
        if (url != null && !url.isBlank()) {
            // The URL describes the whole connection: the file's db and credentials belong to the
            // file's server and must not follow to another one. Only the timeout has no URL form.
            // The key mode is the layout of the data, not part of the connection: it stays; so does cluster.
            // The TLS files (no URL form either) follow when the URL asks for TLS: they are
            // the site's CA and this host's client certificate rather than one server's.
            RedisConfig.Builder redis = RedisConfig.builder().timeoutMillis(built.redis().timeoutMillis())
                    .keyMode(built.redis().keyMode()).cluster(built.redis().cluster());
            try {
                redis.url(url);
            } catch (ConfigException e) {
                throw new ConfigException(EclConfig.REDIS_URL_ENV + ": " + e.getMessage());
            }
            if (redis.build().tls()) {
                redis.tlsCaFile(built.redis().tlsCaFile())
                        .tlsClientCertificate(built.redis().tlsCertFile(), built.redis().tlsKeyFile())
                        .tlsVerifyHostname(built.redis().tlsVerifyHostname());
            }
            built = built.withRedis(redis.build());
        }
        return built;
    }

    private void readRoot(Node root) {
        MappingNode map = mapping(root, "the top level");
        Node groups = null;
        for (NodeTuple t : map.getValue()) {
            String key = key(t);
            switch (key) {
                case "redis":
                    readRedis(t.getValueNode());
                    break;
                case "groups":
                    groups = t.getValueNode();
                    break;
                default:
                    unknownKey(t, key, "", TOP_KEYS);
            }
        }
        if (groups == null || isNull(groups)) {
            throw new ConfigException(source + ": no 'groups' section; the config must define at least one event group");
        }
        MappingNode groupMap = mapping(groups, "'groups'");
        for (NodeTuple t : groupMap.getValue()) {
            readGroup(t);
        }
    }

    private void readRedis(Node node) {
        if (isNull(node)) {
            return;
        }
        MappingNode map = mapping(node, "'redis'");
        RedisConfig.Builder redis = RedisConfig.builder();
        String url = null;
        Node urlNode = null;
        String certFile = null;
        String keyFile = null;
        for (NodeTuple t : map.getValue()) {
            String key = key(t);
            Node v = t.getValueNode();
            try {
                switch (key) {
                    case "host": redis.host(string(v, "redis.host")); break;
                    case "port": redis.port((int) integer(v, "redis.port", 1, 65535)); break;
                    case "db": redis.db((int) integer(v, "redis.db", 0, Integer.MAX_VALUE)); break;
                    case "password": redis.password(isNull(v) ? null : string(v, "redis.password")); break;
                    case "username": redis.username(isNull(v) ? null : string(v, "redis.username")); break;
                    case "tls": redis.tls(bool(v, "redis.tls")); break;
                    case "tls_ca_file": redis.tlsCaFile(isNull(v) ? null : path(v, "redis.tls_ca_file")); break;
                    case "tls_cert_file": certFile = isNull(v) ? null : path(v, "redis.tls_cert_file"); break;
                    case "tls_key_file": keyFile = isNull(v) ? null : path(v, "redis.tls_key_file"); break;
                    case "tls_verify_hostname": redis.tlsVerifyHostname(bool(v, "redis.tls_verify_hostname")); break;
                    case "timeout_ms": redis.timeoutMillis((int) integer(v, "redis.timeout_ms", 1, 3_600_000)); break;
                    case "sentinels":
                        redis.sentinels(isNull(v) ? List.of() : hostPorts(v, "redis.sentinels"));
                        break;
                    case "master_name":
                        redis.masterName(isNull(v) ? null : string(v, "redis.master_name"));
                        break;
                    case "sentinel_password":
                        redis.sentinelPassword(isNull(v) ? null : string(v, "redis.sentinel_password"));
                        break;
                    case "cluster":
                        redis.cluster(bool(v, "redis.cluster"));
                        break;
                    case "nodes":
                        redis.nodes(isNull(v) ? List.of() : hostPorts(v, "redis.nodes"));
                        break;
                    case "key_mode":
                        String mode = string(v, "redis.key_mode");
                        switch (mode) {
                            case "python": redis.keyMode(RedisConfig.KeyMode.PYTHON); break;
                            case "hashtag": redis.keyMode(RedisConfig.KeyMode.HASHTAG); break;
                            default: throw at(v, "redis.key_mode: '" + mode + "' is neither python nor hashtag");
                        }
                        break;
                    case "url":
                        url = string(v, "redis.url");
                        urlNode = v;
                        break;
                    default:
                        unknownKey(t, key, "redis.", REDIS_KEYS);
                }
            } catch (ConfigException e) {
                throw e.getMessage().startsWith(source) ? e : at(v, e.getMessage());
            }
        }
        redis.tlsClientCertificate(certFile, keyFile);
        if (url != null) {
            try {
                redis.url(url);
            } catch (ConfigException e) {
                throw at(urlNode, "redis.url: " + e.getMessage());
            }
        }
        try {
            config.redis(redis.build());
        } catch (ConfigException e) {
            throw at(node, e.getMessage());
        }
    }

    private void readGroup(NodeTuple tuple) {
        String name = key(tuple);
        Node node = tuple.getValueNode();
        GroupConfig.Builder group;
        try {
            group = GroupConfig.builder(name);
        } catch (ConfigException e) {
            throw at(tuple.getKeyNode(), e.getMessage());
        }
        MappingNode map = mapping(node, "group '" + name + "'");
        boolean hasEvents = false;
        boolean hasIntervals = false;
        for (NodeTuple t : map.getValue()) {
            String key = key(t);
            Node v = t.getValueNode();
            String what = "group '" + name + "': " + key;
            try {
                switch (key) {
                    case "events":
                        hasEvents = true;
                        group.events(isNull(v) ? List.of() : strings(v, what));
                        break;
                    case "intervals":
                        hasIntervals = true;
                        List<String> intervals = strings(v, what);
                        for (int i = 0; i < intervals.size(); i++) {
                            try {
                                group.interval(Interval.parse(intervals.get(i)));
                            } catch (IllegalArgumentException e) {
                                throw at(((SequenceNode) v).getValue().get(i), "group '" + name + "': " + e.getMessage());
                            }
                        }
                        break;
                    case "auto_declare_events":
                        group.autoDeclareEvents(bool(v, what));
                        break;
                    case "sync_interval":
                        group.syncInterval(isNull(v) ? null : seconds(v, what));
                        break;
                    case "sync_limit":
                        group.syncLimit(isNull(v) ? 0 : integer(v, what, 1, Long.MAX_VALUE));
                        break;
                    case "legacy_scan":
                        group.legacyScan(bool(v, what));
                        break;
                    case "writers_rotate":
                        group.writersRotate(bool(v, what));
                        break;
                    case "max_pending":
                        group.maxPending((int) integer(v, what, 1, Integer.MAX_VALUE));
                        break;
                    default:
                        unknownKey(t, key, "group '" + name + "': ", GROUP_KEYS);
                }
            } catch (ConfigException e) {
                throw e.getMessage().startsWith(source) ? e : at(v, e.getMessage());
            }
        }
        if (!hasEvents) {
            throw at(tuple.getKeyNode(), "group '" + name + "': missing 'events' (a list, may be empty: events: [])");
        }
        if (!hasIntervals) {
            throw at(tuple.getKeyNode(), "group '" + name + "': missing 'intervals' (e.g. intervals: ['5m'])");
        }
        try {
            config.group(group.build());
        } catch (ConfigException e) {
            throw at(tuple.getKeyNode(), e.getMessage());
        }
    }

    private void unknownKey(NodeTuple t, String key, String context, Set<String> known) {
        String suggestion = closest(key, known);
        config.warning(where(t.getKeyNode()) + ": unknown key " + context + "'" + key + "' ignored"
                + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?"));
    }

    /** The known key nearest to {@code key} (edit distance, '-' read as '_'), or null when none is close. */
    static String closest(String key, Set<String> known) {
        String k = key.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(k, candidate);
            if (d < bestDistance || (d == bestDistance && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // --- typed reads of nodes; each failure names file, line, key and value ---

    private String key(NodeTuple t) {
        Node k = t.getKeyNode();
        if (!(k instanceof ScalarNode)) {
            throw at(k, "keys must be plain names");
        }
        return ((ScalarNode) k).getValue();
    }

    private MappingNode mapping(Node node, String what) {
        if (!(node instanceof MappingNode)) {
            throw at(node, what + " must be a mapping of keys to values, not " + describe(node));
        }
        return (MappingNode) node;
    }

    private String string(Node node, String what) {
        if (!(node instanceof ScalarNode) || isNull(node)) {
            throw at(node, what + ": expected a string, got " + describe(node));
        }
        return ((ScalarNode) node).getValue();
    }

    /**
     * A file named in the config: relative to the config file's directory (as the service's
     * working directory is nobody's business), and readable now, so a typo is one error at start.
     */
    private String path(Node node, String what) {
        String value = string(node, what);
        Path p;
        try {
            p = Path.of(value);
            if (!p.isAbsolute()) {
                Path dir = Path.of(source).toAbsolutePath().getParent();
                p = dir == null ? p.toAbsolutePath() : dir.resolve(p);
            }
        } catch (java.nio.file.InvalidPathException e) {
            throw at(node, what + ": '" + value + "' is not a file name");
        }
        if (!Files.isRegularFile(p)) {
            throw at(node, what + ": " + p + ": no such file");
        }
        if (!Files.isReadable(p)) {
            throw at(node, what + ": " + p + ": not readable by this user");
        }
        return p.toString();
    }

    private List<String> strings(Node node, String what) {
        if (!(node instanceof SequenceNode)) {
            throw at(node, what + ": expected a list such as ['a', 'b'], got " + describe(node));
        }
        List<String> out = new ArrayList<>();
        for (Node item : ((SequenceNode) node).getValue()) {
            if (!(item instanceof ScalarNode) || isNull(item)) {
                throw at(item, what + ": list items must be strings, got " + describe(item));
            }
            out.add(((ScalarNode) item).getValue());
        }
        return out;
    }

    /** {@code redis.sentinels} or {@code redis.nodes}: a list of host:port, each checked at its own line. */
    private List<String> hostPorts(Node node, String what) {
        List<String> out = strings(node, what);
        if (out.isEmpty()) {
            throw at(node, what + ": the list is empty; name at least one server as host:port");
        }
        for (int i = 0; i < out.size(); i++) {
            try {
                RedisConfig.parseHostPort(out.get(i), what);
            } catch (ConfigException e) {
                throw at(((SequenceNode) node).getValue().get(i), e.getMessage());
            }
        }
        return out;
    }

    private long integer(Node node, String what, long min, long max) {
        String text = scalarText(node, what, "an integer");
        long value;
        try {
            value = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw at(node, what + ": '" + text + "' is not an integer");
        }
        if (value < min || value > max) {
            throw at(node, what + ": " + value + " is out of range (" + min + ".." + max + ")");
        }
        return value;
    }

    private boolean bool(Node node, String what) {
        String text = scalarText(node, what, "true or false").toLowerCase(Locale.ROOT);
        switch (text) {
            case "true": case "yes": case "on": return true;
            case "false": case "no": case "off": return false;
            default: throw at(node, what + ": '" + text + "' is not true or false");
        }
    }

    private Duration seconds(Node node, String what) {
        String text = scalarText(node, what, "a number of seconds");
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw at(node, what + ": '" + text + "' is not a number of seconds");
        }
        if (value.signum() <= 0) {
            throw at(node, what + ": " + text + " must be greater than zero");
        }
        if (value.compareTo(BigDecimal.valueOf(86_400)) > 0) {
            throw at(node, what + ": " + text + " seconds is more than a day");
        }
        long nanos = value.movePointRight(9).longValue();
        if (nanos < 1_000_000) {
            throw at(node, what + ": " + text + " is shorter than a millisecond");
        }
        return Duration.ofNanos(nanos);
    }

    private String scalarText(Node node, String what, String expected) {
        if (!(node instanceof ScalarNode) || isNull(node)) {
            throw at(node, what + ": expected " + expected + ", got " + describe(node));
        }
        return ((ScalarNode) node).getValue().trim();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    private ConfigException at(Node node, String message) {
        return new ConfigException(where(node) + ": " + message);
    }

    private String where(Node node) {
        return node == null || node.getStartMark() == null ? source
                : source + ":" + (node.getStartMark().getLine() + 1);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
