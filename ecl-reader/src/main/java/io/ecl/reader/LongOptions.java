package io.ecl.reader;

import java.util.List;

/** Long options as picocli reads them with abbreviations allowed, for the tools' paths without picocli. */
final class LongOptions {
    private LongOptions() {
    }

    /**
     * The long option of {@code options} that {@code arg} abbreviates when it is the prefix of
     * exactly one (as picocli, with abbreviated options allowed, and Python's argparse read it),
     * else {@code arg}.
     */
    static String unabbreviated(String arg, List<String> options) {
        if (arg.length() <= 2 || !arg.startsWith("--") || arg.indexOf('=') >= 0 || options.contains(arg)) {
            return arg;
        }
        String match = null;
        for (String option : options) {
            if (option.startsWith(arg)) {
                if (match != null) {
                    return arg; // ambiguous: picocli says so
                }
                match = option;
            }
        }
        return match == null ? arg : match;
    }
}
