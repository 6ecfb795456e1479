package io.ecl.core;

import io.ecl.core.internal.Keys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration: how to reach Redis and the event groups. Read from the Python
 * version's YAML file unchanged ({@link #load(Path)}) or built in code ({@link #builder()}).
 * Validated when created; a problem is a {@link ConfigException} with a one-line message.
 */
public final class EclConfig {
    /** Environment variable whose {@code redis://} URL overrides the file's {@code redis} section. */
    public static final String REDIS_URL_ENV = "ECL_REDIS_URL";

    private final RedisConfig redis;
    private final Map<String, GroupConfig> groups;
    private final List<String> warnings;
    private final Map<String, String> invalidGroups;
    private final String source;

    private EclConfig(RedisConfig redis, Map<String, GroupConfig> groups, List<String> warnings,
            Map<String, String> invalidGroups, String source) {
        this.redis = redis;
        this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        this.warnings = List.copyOf(warnings);
        this.invalidGroups = Collections.unmodifiableMap(new LinkedHashMap<>(invalidGroups));
        this.source = source;
        if (redis.keyMode() == RedisConfig.KeyMode.HASHTAG) {
            for (String name : this.groups.keySet()) {
                String problem = Keys.hashtagGroupNameProblem(name);
                if (problem != null) {
                    throw new ConfigException((source == null ? "" : source + ": ") + "group '"
                            + ConfigException.printable(name) + "': " + problem);
                }
            }
        }
    }

    /**
     * Reads a YAML config file and applies {@value #REDIS_URL_ENV} when it is set.
     *
     * @throws ConfigException naming the file (and line) when it cannot be read or is invalid
     */
    public static EclConfig load(Path file) {
        return ConfigLoader.load(file, System.getenv());
    }

    /** Like {@link #load(Path)} with an explicit environment (for tests and embedding). */
    public static EclConfig load(Path file, Map<String, String> env) {
        return ConfigLoader.load(file, env);
    }

    /**
     * Like {@link #load(Path, Map)}, for tools that read some groups: a group that is invalid
     * does not make the whole file invalid. It is left out of {@link #groups()}, and
     * {@link #invalidGroups()} says why. What concerns every group (YAML syntax, the Redis
     * sections) still fails the whole file. Whatever gates a start (a daemon, a config check)
     * uses {@link #load(Path, Map)}.
     */
    public static EclConfig loadSkippingInvalidGroups(Path file, Map<String, String> env) {
        return ConfigLoader.load(file, env, true);
    }

    /** Parses YAML text; {@code sourceName} is used in messages. No environment is applied. */
    public static EclConfig parse(String yaml, String sourceName) {
        return ConfigLoader.parse(yaml, sourceName, Map.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    public RedisConfig redis() {
        return redis;
    }

    /** The groups in config order. */
    public Collection<GroupConfig> groups() {
        return groups.values();
    }

    /** The group called {@code name}, or null. */
    public GroupConfig group(String name) {
        return groups.get(name);
    }

    /**
     * The group called {@code name}.
     *
     * @throws ConfigException "Group 'NAME' not found in configuration", the words of the Python
     *     tools, which every ecl tool prints too
     */
    public GroupConfig requireGroup(String name) {
        GroupConfig g = group(name);
        if (g == null) {
            throw new ConfigException("Group '" + ConfigException.printable(name) + "' not found in configuration");
        }
        return g;
    }

    /** Warnings found while reading (unknown keys and the like), one line each. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The groups left out by {@link #loadSkippingInvalidGroups}, each with its one-line error
     * (file:line and the problem), in file order; always empty otherwise.
     */
    public Map<String, String> invalidGroups() {
        return invalidGroups;
    }

    /** Where the config came from (a file name, or "code"). */
    public String source() {
        return source;
    }

    /** A copy with another Redis configuration. */
    public EclConfig withRedis(RedisConfig redis) {
        return new EclConfig(redis, groups, warnings, invalidGroups, source);
    }

    /** Builds an {@link EclConfig} in code. */
    public static final class Builder {
        private RedisConfig redis = RedisConfig.defaults();
        private final Map<String, GroupConfig> groups = new LinkedHashMap<>();
        private final List<String> warnings = new ArrayList<>();
        private final Map<String, String> invalidGroups = new LinkedHashMap<>();
        private String source = "code";

        private Builder() {
        }

        public Builder redis(RedisConfig redis) {
            this.redis = redis;
            return this;
        }

        public Builder group(GroupConfig group) {
            if (groups.putIfAbsent(group.name(), group) != null) {
                throw new ConfigException("group '" + ConfigException.printable(group.name()) + "' is defined twice");
            }
            return this;
        }

        Builder warning(String warning) {
            warnings.add(warning);
            return this;
        }

        Builder invalidGroup(String name, String problem) {
            invalidGroups.putIfAbsent(name, problem);
            return this;
        }

        Builder source(String source) {
            this.source = source;
            return this;
        }

        public EclConfig build() {
            return new EclConfig(redis, groups, warnings, invalidGroups, source);
        }
    }
}
