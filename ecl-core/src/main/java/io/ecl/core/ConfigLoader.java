package io.ecl.core;

import io.ecl.core.internal.HostPort;
import io.ecl.core.internal.Keys;
import io.ecl.core.internal.PyYaml;
import io.ecl.core.internal.YamlComposer;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
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

/**
 * Reads the Python version's YAML config. Works on SnakeYAML's node tree rather than on maps so
 * that every message can name the file and line of the bad value.
 */
final class ConfigLoader {
    /**
     * The largest config file read: a generous 4 MiB (about 300,000 declared events). Read into
     * memory whole and parsed into a node tree, a bigger file could exhaust a CLI's small heap;
     * a path such as /dev/zero would never end.
     */
    static final int MAX_CONFIG_BYTES = 4 << 20;

    private static final Set<String> TOP_KEYS = Set.of("redis", "ecl_redis", "groups", "history");
    /** The keys of the redis section that ecl reads; Python passes the section to redis-py's Redis(**redis). */
    private static final Set<String> REDIS_KEYS = Set.of("host", "port", "db", "password", "username",
            "socket_timeout", "socket_connect_timeout", "ssl", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile",
            "ssl_check_hostname");
    /**
     * Arguments of redis-py's Redis() that a config shared with Python may carry and that mean
     * nothing to ecl's connection: accepted without a word.
     */
    private static final Set<String> REDIS_PY_ONLY_KEYS = Set.of("client_name", "decode_responses", "encoding",
            "encoding_errors", "socket_keepalive", "socket_keepalive_options", "retry_on_timeout", "retry_on_error",
            "health_check_interval", "max_connections", "single_connection_client", "lib_name", "lib_version",
            "protocol");
    /** ecl's own connection keys: Python's client refuses them (TypeError), so they live in {@code ecl_redis}. */
    private static final Set<String> ECL_REDIS_KEYS = Set.of("url", "timeout_ms", "tls", "tls_ca_file",
            "tls_cert_file", "tls_key_file", "tls_verify_hostname", "sentinels", "master_name", "sentinel_password",
            "cluster", "nodes", "key_mode");
    private static final Set<String> REDIS_AND_ECL_KEYS = union(REDIS_KEYS, ECL_REDIS_KEYS);
    private static final Set<String> GROUP_KEYS = Set.of("events", "uniques", "values", "intervals", "auto_declare_events",
            "sync_interval", "sync_limit", "legacy_scan", "writers_rotate", "max_pending", "history", "description");

    private final String source;
    /** True: an invalid group is left out and recorded rather than failing the whole file. */
    private final boolean lenient;
    private final EclConfig.Builder config = EclConfig.builder();
    /** The redis and ecl_redis sections build one connection. */
    private final RedisConfig.Builder redis = RedisConfig.builder();
    private String url;
    private Node urlNode;
    private String urlWhat;
    private String certFile;
    private String keyFile;
    private Integer timeoutMillis;
    private Integer pythonTimeoutMillis;
    private RedisConfig.KeyMode keyMode = RedisConfig.KeyMode.PYTHON;
    /** The top-level {@code history}: what a group without its own keeps. */
    private int defaultHistory;

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private ConfigLoader(String source, boolean lenient) {
        this.source = source;
        this.lenient = lenient;
        config.source(source);
    }

    static EclConfig load(Path file, Map<String, String> env) {
        return load(file, env, false);
    }

    /**
     * Reads {@code file}; {@code lenient} leaves out each group that is invalid (recording why in
     * {@link EclConfig#invalidGroups()}) instead of refusing the whole file for it.
     */
    static EclConfig load(Path file, Map<String, String> env, boolean lenient) {
        return parse(read(file), file.toString(), env, lenient);
    }

    /** The file as text: at most {@link #MAX_CONFIG_BYTES}, UTF-8; each failure one line naming the file. */
    private static String read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
        } catch (IOException e) {
            throw readFailure(file, e);
        }
        if (bytes.length > MAX_CONFIG_BYTES) {
            throw new ConfigException(file + ": config file is larger than " + (MAX_CONFIG_BYTES >> 20)
                    + " MiB, the limit for a config file; is it the right file?");
        }
        return utf8(bytes, file.toString());
    }

    /** Why {@code file} cannot be read, in words: the JDK's messages are often only the path again. */
    static ConfigException readFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new ConfigException(file + ": config file not found");
        }
        if (e instanceof AccessDeniedException) {
            return new ConfigException(file + ": cannot read config file: permission denied (for user "
                    + System.getProperty("user.name") + ")");
        }
        if (Files.isDirectory(file)) {
            return new ConfigException(file + ": is a directory, not a config file");
        }
        String reason = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException) {
            reason = ((java.nio.file.FileSystemException) e).getReason();
        }
        return new ConfigException(file + ": cannot read config file: " + (reason == null ? e.toString() : reason));
    }

    /** Decodes strictly: a config in Latin-1 would otherwise name events other than those written. */
    private static String utf8(byte[] bytes, String source) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(source + ":" + line + ": the config is not UTF-8 text (byte "
                    + String.format("0x%02X", bytes[at] & 0xff) + "); save it as UTF-8,"
                    + " e.g. iconv -f latin1 -t utf-8");
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    static EclConfig parse(String yaml, String source, Map<String, String> env) {
        return parse(yaml, source, env, false);
    }

    static EclConfig parse(String yaml, String source, Map<String, String> env, boolean lenient) {
        if (yaml.length() > MAX_CONFIG_BYTES) {
            throw new ConfigException(source + ": the config is larger than " + (MAX_CONFIG_BYTES >> 20)
                    + " MiB, the limit for a config");
        }
        ConfigLoader loader = new ConfigLoader(source, lenient);
        EclConfig built;
        try {
            Node root = compose(yaml, source);
            if (root == null) {
                throw new ConfigException(source + ": the config is empty; it needs at least a 'groups' section");
            }
            loader.readRoot(root);
            built = loader.config.build();
        } catch (OutOfMemoryError e) {
            // Everything allocated here is garbage once this frame is left, so the JVM is fine
            // again; what the user needs is the cause and the remedy, not a heap dump's trace.
            throw new ConfigException(source + ": not enough memory to read this config ("
                    + yaml.length() / 1024 + " KiB); give the JVM more, e.g. JAVA_OPTS=-Xmx512m");
        }
        String envUrl = env.get(EclConfig.REDIS_URL_ENV);
        if (envUrl != null && !envUrl.isBlank()) {
            // The URL describes the whole connection: the file's db and credentials belong to the
            // file's server and must not follow to another one. Only the timeout has no URL form.
            // The key mode is the layout of the data, not part of the connection: it stays; so does cluster.
            // The TLS files (no URL form either) follow when the URL asks for TLS: they are
            // the site's CA and this host's client certificate rather than one server's.
            RedisConfig.Builder redis = RedisConfig.builder().timeoutMillis(built.redis().timeoutMillis())
                    .keyMode(built.redis().keyMode()).cluster(built.redis().cluster());
            try {
                redis.url(envUrl);
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

    private static Node compose(String yaml, String source) {
        try (Reader reader = new StringReader(yaml)) {
            LoaderOptions options = new LoaderOptions();
            options.setCodePointLimit(MAX_CONFIG_BYTES);
            // What Yaml.compose does, without making a Yaml: its constructor and representer (unused
            // here) start SnakeYAML's logging and through it java.util.logging, ~50 ms of a CLI's start;
            // nor its Resolver, whose regular expressions cost more than the rest (see YamlComposer).
            // Duplicate keys are found by entries(): SnakeYAML checks them only when constructing maps.
            return new YamlComposer(new ParserImpl(new StreamReader(reader), options), options).singleNode();
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = m == null ? source : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ConfigException(where + ": invalid YAML: " + oneLine(problem)
                    + (e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : ""));
        } catch (YAMLException | IOException e) {
            throw new ConfigException(source + ": invalid YAML: " + oneLine(e.getMessage()));
        }
    }

    private void readRoot(Node root) {
        MappingNode map = mapping(root, "the top level");
        Node groups = null;
        Node pythonRedis = null;
        Node eclRedis = null;
        for (NodeTuple t : entries(map, "", null)) {
            String key = key(t);
            switch (key) {
                case "redis":
                    pythonRedis = t.getValueNode();
                    break;
                case "ecl_redis":
                    eclRedis = t.getValueNode();
                    break;
                case "groups":
                    groups = t.getValueNode();
                    break;
                case "history":
                    defaultHistory = (int) integer(t.getValueNode(), "history", 0, GroupConfig.MAX_HISTORY);
                    break;
                default:
                    // Other tools keep their sections in a shared file: only a near miss is news.
                    if (closest(key, TOP_KEYS) != null) {
                        unknownKey(t, key, "", TOP_KEYS);
                    }
            }
        }
        // ecl_redis after redis, wherever it is written: its settings win.
        readRedis(pythonRedis, "redis");
        readRedis(eclRedis, "ecl_redis");
        buildRedis(pythonRedis != null ? pythonRedis : eclRedis);
        if (groups == null || isNull(groups)) {
            throw new ConfigException(source + ": no 'groups' section; the config must define at least one event group");
        }
        MappingNode groupMap = mapping(groups, "'groups'");
        Map<String, String> duplicates = lenient ? new LinkedHashMap<>() : null;
        for (NodeTuple t : entries(groupMap, "groups.", duplicates)) {
            readGroup(t);
        }
        if (duplicates != null) {
            // Loops rather than forEach(method reference): every tool reads a config, and linking
            // a lambda costs a new JVM more than the loop runs.
            for (Map.Entry<String, String> d : duplicates.entrySet()) {
                config.invalidGroup(d.getKey(), d.getValue());
            }
        }
    }

    /**
     * One of the two sections that describe the connection: {@code redis} (which Python passes to
     * redis-py as keyword arguments, so only keys redis-py accepts belong there) and
     * {@code ecl_redis} (ecl's own keys, which Python never reads). ecl's keys still work in
     * {@code redis}, with a warning, as they did before {@code ecl_redis} existed.
     */
    private void readRedis(Node node, String section) {
        if (node == null || isNull(node)) {
            return;
        }
        MappingNode map = mapping(node, "'" + section + "'");
        boolean python = section.equals("redis");
        for (NodeTuple t : entries(map, section + ".", null)) {
            String key = key(t);
            Node v = t.getValueNode();
            String what = section + "." + ConfigException.printable(key);
            if (python) {
                if (REDIS_PY_ONLY_KEYS.contains(key)) {
                    continue;
                }
                if (ECL_REDIS_KEYS.contains(key)) {
                    config.warning(where(t.getKeyNode()) + ": redis." + key + " is ecl's own key, and Python's redis"
                            + " client fails on it (TypeError: unexpected keyword argument); move it to the"
                            + " 'ecl_redis' section");
                } else if (!REDIS_KEYS.contains(key)) {
                    unknownKey(t, key, "redis.", REDIS_AND_ECL_KEYS);
                    continue;
                }
                if (key.equals("host") || key.equals("password") || key.equals("username")) {
                    pythonReadsTheSame(v, what);
                }
            } else if (!ECL_REDIS_KEYS.contains(key)) {
                if (REDIS_KEYS.contains(key) || REDIS_PY_ONLY_KEYS.contains(key)) {
                    config.warning(where(t.getKeyNode()) + ": ecl_redis." + key + " ignored: it belongs in the"
                            + " 'redis' section");
                } else {
                    unknownKey(t, key, "ecl_redis.", ECL_REDIS_KEYS);
                }
                continue;
            }
            try {
                switch (key) {
                    case "host": redis.host(string(v, what)); break;
                    case "port": redis.port((int) integer(v, what, 1, 65535)); break;
                    case "db": redis.db((int) integer(v, what, 0, Integer.MAX_VALUE)); break;
                    case "password": redis.password(isNull(v) ? null : string(v, what)); break;
                    case "username": redis.username(isNull(v) ? null : string(v, what)); break;
                    case "socket_timeout":
                    case "socket_connect_timeout":
                        // ecl has one timeout for both; the longer one, so neither cuts short what Python allows.
                        if (!isNull(v)) {
                            int millis = (int) seconds(v, what).toMillis();
                            pythonTimeoutMillis = pythonTimeoutMillis == null ? millis
                                    : Math.max(pythonTimeoutMillis, millis);
                        }
                        break;
                    case "ssl":
                    case "tls":
                        redis.tls(bool(v, what));
                        break;
                    case "ssl_ca_certs":
                    case "tls_ca_file":
                        redis.tlsCaFile(isNull(v) ? null : path(v, what));
                        break;
                    case "ssl_certfile":
                    case "tls_cert_file":
                        certFile = isNull(v) ? null : path(v, what);
                        break;
                    case "ssl_keyfile":
                    case "tls_key_file":
                        keyFile = isNull(v) ? null : path(v, what);
                        break;
                    case "ssl_check_hostname":
                    case "tls_verify_hostname":
                        redis.tlsVerifyHostname(bool(v, what));
                        break;
                    case "timeout_ms": timeoutMillis = (int) integer(v, what, 1, 3_600_000); break;
                    case "sentinels":
                        redis.sentinels(isNull(v) ? List.of() : hostPorts(v, what));
                        break;
                    case "master_name":
                        redis.masterName(isNull(v) ? null : string(v, what));
                        break;
                    case "sentinel_password":
                        redis.sentinelPassword(isNull(v) ? null : string(v, what));
                        break;
                    case "cluster":
                        redis.cluster(bool(v, what));
                        break;
                    case "nodes":
                        redis.nodes(isNull(v) ? List.of() : hostPorts(v, what));
                        break;
                    case "key_mode":
                        String mode = string(v, what);
                        switch (mode) {
                            case "python": keyMode = RedisConfig.KeyMode.PYTHON; break;
                            case "hashtag": keyMode = RedisConfig.KeyMode.HASHTAG; break;
                            default: throw at(v, what + ": " + ConfigException.printable(mode)
                                    + " is neither python nor hashtag");
                        }
                        break;
                    case "url":
                        url = string(v, what);
                        urlNode = v;
                        urlWhat = what;
                        break;
                    default:
                        throw new IllegalStateException("key without a reader: " + key);
                }
            } catch (ConfigException e) {
                throw e.getMessage().startsWith(source) ? e : at(v, e.getMessage());
            }
        }
    }

    private void buildRedis(Node node) {
        redis.tlsClientCertificate(certFile, keyFile).keyMode(keyMode);
        if (timeoutMillis != null || pythonTimeoutMillis != null) {
            redis.timeoutMillis(Math.max(1, timeoutMillis != null ? timeoutMillis : pythonTimeoutMillis));
        }
        if (url != null) {
            try {
                redis.url(url);
            } catch (ConfigException e) {
                throw at(urlNode, urlWhat + ": " + e.getMessage());
            }
        }
        try {
            config.redis(redis.build());
        } catch (ConfigException e) {
            throw node == null ? new ConfigException(source + ": " + e.getMessage()) : at(node, e.getMessage());
        }
    }

    private void readGroup(NodeTuple tuple) {
        if (!lenient) {
            config.group(group(tuple));
            return;
        }
        String name = tuple.getKeyNode() instanceof ScalarNode ? ((ScalarNode) tuple.getKeyNode()).getValue() : null;
        try {
            config.group(group(tuple));
        } catch (ConfigException e) {
            if (name == null) {
                throw e;
            }
            config.invalidGroup(name, e.getMessage());
        }
    }

    private GroupConfig group(NodeTuple tuple) {
        String name = key(tuple);
        Node node = tuple.getValueNode();
        String shown = "group '" + ConfigException.printable(name) + "'";
        GroupConfig.Builder group;
        try {
            pythonReadsTheSame(tuple.getKeyNode(), "group name");
            group = GroupConfig.builder(name);
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(source) ? e : at(tuple.getKeyNode(), e.getMessage());
        }
        MappingNode map = mapping(node, shown);
        group.history(defaultHistory);
        boolean hasEvents = false;
        boolean hasIntervals = false;
        for (NodeTuple t : entries(map, shown + ": ", null)) {
            String key = key(t);
            Node v = t.getValueNode();
            String what = shown + ": " + ConfigException.printable(key);
            try {
                switch (key) {
                    case "events":
                        hasEvents = true;
                        if (!isNull(v)) {
                            List<String> events = strings(v, what);
                            List<Node> items = ((SequenceNode) v).getValue();
                            for (int i = 0; i < items.size(); i++) {
                                pythonReadsTheSame(items.get(i), shown + ": event ID");
                            }
                            try {
                                group.events(events);
                            } catch (ConfigException e) {
                                throw at(items.get(events.indexOf(badEvent(events))), e.getMessage());
                            }
                        } else {
                            group.events(List.of());
                        }
                        break;
                    case "uniques":
                        if (!isNull(v)) {
                            List<String> names = strings(v, what);
                            List<Node> items = ((SequenceNode) v).getValue();
                            for (int i = 0; i < items.size(); i++) {
                                pythonReadsTheSame(items.get(i), shown + ": unique count name");
                                try {
                                    group.uniques(List.of(names.get(i)));
                                } catch (ConfigException e) {
                                    throw at(items.get(i), e.getMessage());
                                }
                            }
                        }
                        break;
                    case "values":
                        if (!isNull(v)) {
                            List<String> names = strings(v, what);
                            List<Node> items = ((SequenceNode) v).getValue();
                            for (int i = 0; i < items.size(); i++) {
                                pythonReadsTheSame(items.get(i), shown + ": value name");
                                try {
                                    group.values(List.of(names.get(i)));
                                } catch (ConfigException e) {
                                    throw at(items.get(i), e.getMessage());
                                }
                            }
                        }
                        break;
                    case "intervals":
                        hasIntervals = true;
                        List<String> intervals = strings(v, what);
                        for (int i = 0; i < intervals.size(); i++) {
                            try {
                                group.interval(Interval.parse(intervals.get(i)));
                            } catch (IllegalArgumentException e) {
                                throw at(((SequenceNode) v).getValue().get(i), shown + ": " + e.getMessage());
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
                    case "history":
                        group.history((int) integer(v, what, 0, GroupConfig.MAX_HISTORY));
                        break;
                    case "description":
                        break; // for the people reading the file
                    default:
                        unknownKey(t, key, shown + ": ", GROUP_KEYS);
                }
            } catch (ConfigException e) {
                throw e.getMessage().startsWith(source) ? e : at(v, e.getMessage());
            }
        }
        if (!hasEvents) {
            throw at(tuple.getKeyNode(), shown + ": missing 'events' (a list, may be empty: events: [])");
        }
        if (!hasIntervals) {
            throw at(tuple.getKeyNode(), shown + ": missing 'intervals' (e.g. intervals: ['5m'])");
        }
        try {
            if (keyMode == RedisConfig.KeyMode.HASHTAG) {
                String problem = Keys.hashtagGroupNameProblem(name);
                if (problem != null) {
                    throw new ConfigException(shown + ": " + problem);
                }
            }
            return group.build();
        } catch (ConfigException e) {
            throw at(tuple.getKeyNode(), e.getMessage());
        }
    }

    /** The first event ID the group builder refuses (to point at its line). */
    private static String badEvent(List<String> events) {
        for (String e : events) {
            if (Keys.eventIdProblem(e) != null) {
                return e;
            }
        }
        return events.get(0);
    }

    /**
     * A plain scalar that PyYAML reads as something other than its text ({@code yes} is True,
     * {@code 0x1F} is 31) would name another Redis key in Python: refused, with the quoted form.
     */
    private void pythonReadsTheSame(Node node, String what) {
        if (!(node instanceof ScalarNode) || !((ScalarNode) node).isPlain()) {
            return;
        }
        String text = ((ScalarNode) node).getValue();
        String python = PyYaml.differentReading(text);
        if (python != null) {
            throw at(node, what + " " + ConfigException.printable(text) + " is read by Python (PyYAML, YAML 1.1) as "
                    + python + ", so Python would use another Redis key; quote it: '"
                    + ConfigException.printable(text).replace("'", "''") + "'");
        }
    }

    /**
     * The entries of a mapping as a reader sees them: YAML merge keys ({@code <<: *base}, as
     * PyYAML applies them) resolved, the mapping's own keys winning over merged ones, and a key
     * written twice refused with both lines: YAML parsers keep one of the two without a word
     * (PyYAML the last), which silently drops a whole section. With {@code duplicates} given, a
     * duplicate is recorded there (name and message) and left out instead.
     */
    private List<NodeTuple> entries(MappingNode map, String context, Map<String, String> duplicates) {
        Map<String, NodeTuple> own = new LinkedHashMap<>();
        Map<String, NodeTuple> merged = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Node k = t.getKeyNode();
            if (Tag.MERGE.equals(k.getTag())) {
                merge(t.getValueNode(), merged, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
                continue;
            }
            String key = key(t);
            NodeTuple first = own.putIfAbsent(key, t);
            if (first != null) {
                String message = where(k) + ": " + ConfigException.printable(context + key)
                        + " is written twice (first at line " + (first.getKeyNode().getStartMark().getLine() + 1)
                        + "); YAML would keep only one of them";
                if (duplicates == null) {
                    throw new ConfigException(message);
                }
                duplicates.putIfAbsent(key, message);
            }
        }
        if (duplicates != null) {
            for (String d : duplicates.keySet()) {
                own.remove(d);
            }
        }
        if (merged.isEmpty()) {
            return new ArrayList<>(own.values());
        }
        merged.putAll(own);
        return new ArrayList<>(merged.values());
    }

    /** {@code <<: *a} or {@code <<: [*a, *b]}: earlier mappings win, as in PyYAML. */
    private void merge(Node value, Map<String, NodeTuple> into, Set<Node> seen) {
        if (value instanceof SequenceNode) {
            for (Node item : ((SequenceNode) value).getValue()) {
                if (!(item instanceof MappingNode)) {
                    throw at(item, "'<<' merges mappings, and this is " + describe(item));
                }
                merge(item, into, seen);
            }
            return;
        }
        if (!(value instanceof MappingNode)) {
            throw at(value, "'<<' merges a mapping (such as *anchor) or a list of them, not " + describe(value));
        }
        if (!seen.add(value)) {
            throw at(value, "'<<' merges a mapping into itself");
        }
        for (NodeTuple t : entries((MappingNode) value, "", null)) {
            into.putIfAbsent(key(t), t);
        }
    }

    private void unknownKey(NodeTuple t, String key, String context, Set<String> known) {
        String suggestion = closest(key, known);
        config.warning(where(t.getKeyNode()) + ": unknown key " + context + "'" + ConfigException.printable(key)
                + "' ignored"
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
            throw at(node, what + ": '" + ConfigException.printable(value) + "' is not a file name");
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
                HostPort.parse(out.get(i), what);
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
            throw at(node, what + ": '" + ConfigException.printable(text) + "' is not an integer");
        }
        if (value < min || value > max) {
            throw at(node, what + ": " + value + " is out of range (" + min + ".." + max + ")");
        }
        java.math.BigInteger python = ((ScalarNode) node).isPlain() ? PyYaml.integerValue(text) : null;
        if (python != null && !python.equals(java.math.BigInteger.valueOf(value))) {
            throw at(node, what + ": " + text + " is " + python + " to Python (PyYAML, YAML 1.1: a leading 0 is octal,"
                    + " 0x hex); write the number in plain decimal");
        }
        return value;
    }

    /**
     * true or false as PyYAML reads them (also yes/no, on/off in three spellings each). A quoted
     * 'false' is refused: Python reads any non-empty string as true.
     */
    private boolean bool(Node node, String what) {
        String text = scalarText(node, what, "true or false");
        if (!((ScalarNode) node).isPlain()) {
            throw at(node, what + ": '" + ConfigException.printable(text) + "' is quoted, which Python reads as true"
                    + " whatever it says; write " + ConfigException.printable(text) + " without quotes");
        }
        if (!PyYaml.isBoolean(text)) {
            throw at(node, what + ": '" + ConfigException.printable(text) + "' is not true or false");
        }
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": return true;
            default: return false;
        }
    }

    private Duration seconds(Node node, String what) {
        String text = scalarText(node, what, "a number of seconds");
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw at(node, what + ": '" + ConfigException.printable(text) + "' is not a number of seconds");
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
        return "'" + ConfigException.printable(((ScalarNode) node).getValue()) + "'";
    }

    private ConfigException at(Node node, String message) {
        // Whatever part of the message came from the file, it stays one line and shows what is there.
        return new ConfigException(where(node) + ": " + ConfigException.printable(message));
    }

    private String where(Node node) {
        return node == null || node.getStartMark() == null ? source
                : source + ":" + (node.getStartMark().getLine() + 1);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
