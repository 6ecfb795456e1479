package io.ecl.ingest;

import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import io.ecl.core.GroupConfig;

/**
 * Maps a StatsD metric name to a group of the config and a name inside it: the {@code statsd.map}
 * rules first, in order (the first that matches decides), then, unless turned off, the default:
 * the first dotted segment names the group and the rest the name ({@code web.get} is {@code get}
 * of {@code web}).
 */
final class NameMapper {
    /** The outcome for one metric name: a group and name, or why there is none. */
    record Mapping(String group, String name, String problem) {
        static Mapping none(String problem) {
            return new Mapping(null, null, problem);
        }
    }

    private final EclConfig config;
    private final StatsdConfig statsd;

    /**
     * @throws ConfigException when a rule names a group the config does not define
     */
    NameMapper(EclConfig config, StatsdConfig statsd) {
        this.config = config;
        this.statsd = statsd;
        for (MappingRule r : statsd.rules()) {
            if (config.group(r.group()) == null) {
                throw new ConfigException(r.where() + ": statsd.map: group '" + NameTable.printable(r.group())
                        + "' is not defined under groups");
            }
        }
    }

    Mapping map(String metric) {
        for (MappingRule r : statsd.rules()) {
            String name = r.apply(metric);
            if (name != null) {
                return checked(config.group(r.group()), name, "rule '" + r.match() + "' (" + r.where() + ")");
            }
        }
        if (!statsd.defaultMapping()) {
            return Mapping.none("no statsd.map rule matches it");
        }
        int dot = metric.indexOf('.');
        if (dot <= 0 || dot == metric.length() - 1) {
            return Mapping.none("no statsd.map rule matches it, and it is not GROUP.NAME");
        }
        GroupConfig g = config.group(metric.substring(0, dot));
        if (g == null) {
            return Mapping.none("no statsd.map rule matches it, and there is no group '" + metric.substring(0, dot)
                    + "'");
        }
        return checked(g, metric.substring(dot + 1), "the default mapping");
    }

    private static Mapping checked(GroupConfig g, String name, String by) {
        try {
            GroupConfig.checkEventId(name);
        } catch (ConfigException e) {
            return Mapping.none(by + " gives group '" + g.name() + "' an " + e.getMessage());
        }
        return new Mapping(g.name(), name, null);
    }
}
