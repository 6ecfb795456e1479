package io.ecl.ingest;

import io.ecl.core.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The {@code http_writes} section of a config file, which {@code ecl-reader serve} reads beside
 * the groups (the Python tools ignore it):
 * <pre>
 * http_writes:
 *   enabled: true                      # as --accept-writes
 *   token_file: /etc/ecl/write-token   # as --token-file; relative to the config file's directory
 * </pre>
 *
 * @param enabled whether serve takes writes
 * @param tokenFile the token file, or null
 */
public record HttpWritesConfig(boolean enabled, Path tokenFile) {
    /** Reads the section of {@code file}; not enabled when it has none. */
    public static HttpWritesConfig read(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir);
    }

    /** Like {@link #read}, from YAML text; {@code source} names it in messages, {@code dir} resolves a relative token_file. */
    public static HttpWritesConfig parse(String yaml, String source, Path dir) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (YAMLException e) {
            throw new ConfigException(source + ": invalid YAML: " + e.getMessage().replace('\n', ' '));
        }
        boolean enabled = false;
        Path token = null;
        if (!(root instanceof MappingNode top)) {
            return new HttpWritesConfig(false, null);
        }
        for (NodeTuple t : top.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k) || !k.getValue().equals("http_writes")) {
                continue;
            }
            if (!(t.getValueNode() instanceof MappingNode section)) {
                throw at(source, t.getValueNode(), "http_writes: expected a mapping with enabled and token_file");
            }
            for (NodeTuple e : section.getValue()) {
                String key = e.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
                Node v = e.getValueNode();
                if (!(v instanceof ScalarNode value)) {
                    throw at(source, v, "http_writes." + key + ": expected a single value");
                }
                switch (key) {
                    case "enabled" -> {
                        String b = value.getValue();
                        if (!b.equals("true") && !b.equals("false")) {
                            throw at(source, v, "http_writes.enabled: expected true or false, got '" + b + "'");
                        }
                        enabled = b.equals("true");
                    }
                    case "token_file" -> token = dir == null ? Path.of(value.getValue()) : dir.resolve(value.getValue());
                    default -> throw at(source, e.getKeyNode(), "http_writes." + key
                            + ": unknown key; expected enabled or token_file");
                }
            }
        }
        return new HttpWritesConfig(enabled, token);
    }

    private static ConfigException at(String source, Node node, String message) {
        return new ConfigException(source + ":" + (node.getStartMark().getLine() + 1) + ": " + message);
    }
}
