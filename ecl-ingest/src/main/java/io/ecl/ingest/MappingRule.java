package io.ecl.ingest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code statsd.map} entry: metric names matching {@code match} go to {@code group}, under the
 * name {@code name}.
 *
 * <p>{@code match} is the metric name with wildcards: {@code *} stands for one or more characters
 * other than '.', i.e. (part of) one dotted segment; {@code **} for one or more of any character.
 * Everything else matches itself. {@code name} may use {@code $1} ... {@code $9} for what the
 * wildcards matched, in order, and {@code $0} for the whole metric name; without {@code name},
 * what the wildcards matched joined with '.' (the whole metric name when {@code match} has no
 * wildcard).
 */
public final class MappingRule {
    private final String match;
    private final String group;
    private final String name;
    private final String where;
    private final Pattern pattern;
    private final int wildcards;

    MappingRule(String match, String group, String name, String where) {
        if (match.isEmpty()) {
            throw new IllegalArgumentException("match must not be empty");
        }
        this.match = match;
        this.group = group;
        this.name = name;
        this.where = where;
        StringBuilder re = new StringBuilder();
        int n = 0;
        int literal = 0;
        for (int i = 0; i < match.length(); i++) {
            if (match.charAt(i) == '*') {
                if (i > literal) {
                    re.append(Pattern.quote(match.substring(literal, i)));
                }
                if (i + 1 < match.length() && match.charAt(i + 1) == '*') {
                    re.append("(.+)");
                    i++;
                } else {
                    re.append("([^.]+)");
                }
                n++;
                literal = i + 1;
            }
        }
        if (literal < match.length()) {
            re.append(Pattern.quote(match.substring(literal)));
        }
        this.pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
        this.wildcards = n;
        if (name != null) {
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) == '$') {
                    if (i + 1 >= name.length() || !Character.isDigit(name.charAt(i + 1))
                            || name.charAt(i + 1) - '0' > n) {
                        throw new IllegalArgumentException("name '" + name + "': '$' must be followed by 0"
                                + (n > 0 ? " to " + n : "") + " (" + n + " wildcard" + (n == 1 ? "" : "s")
                                + " in '" + match + "')");
                    }
                }
            }
        }
    }

    public String match() {
        return match;
    }

    public String group() {
        return group;
    }

    /** The name template, or null for the default. */
    public String name() {
        return name;
    }

    /** Where the rule was written (file:line), for messages. */
    String where() {
        return where;
    }

    /** The name inside the group for {@code metric}, or null when the rule does not match it. */
    String apply(String metric) {
        Matcher m = pattern.matcher(metric);
        if (!m.matches()) {
            return null;
        }
        if (name == null) {
            if (wildcards == 0) {
                return metric;
            }
            StringBuilder b = new StringBuilder();
            for (int g = 1; g <= wildcards; g++) {
                b.append(g > 1 ? "." : "").append(m.group(g));
            }
            return b.toString();
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '$') {
                b.append(m.group(name.charAt(++i) - '0'));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
