package io.ecl.reader;

/**
 * Splits the stdin lines of {@code ecl-log-event ... -}: {@code EVENT [COUNT]}, separated by
 * whitespace like Python's {@code str.split()}. One instance is reused for every line, so a
 * line costs no allocation beyond its String (and the event's substring when the line holds more
 * than the bare event ID): this sits in a pipe behind {@code tail -F} of a busy access log.
 */
final class EventLineParser {
    /** What {@link #parse} found. */
    enum Result { EVENT, BLANK, MALFORMED }

    /** The event ID of the last line parsed as {@link Result#EVENT}. */
    String event;
    /** Its count (1 when the line has none). */
    long count;
    /** Why the last line was {@link Result#MALFORMED}. */
    String problem;

    Result parse(String line) {
        int n = line.length();
        int start = skipSpace(line, 0);
        if (start == n) {
            return Result.BLANK;
        }
        int end = skipToken(line, start);
        int countStart = skipSpace(line, end);
        if (countStart == n) {
            event = start == 0 && end == n ? line : line.substring(start, end);
            count = 1;
            return Result.EVENT;
        }
        int countEnd = skipToken(line, countStart);
        if (skipSpace(line, countEnd) != n) {
            problem = "expected 'EVENT [COUNT]', got more than two fields";
            return Result.MALFORMED;
        }
        if (!parseCount(line, countStart, countEnd)) {
            problem = "COUNT '" + line.substring(countStart, countEnd) + "' is "
                    + (overflow ? "beyond a 64-bit integer, the range of a Redis counter" : "not an integer");
            return Result.MALFORMED;
        }
        event = line.substring(start, end);
        return Result.EVENT;
    }

    /** The last COUNT refused was an integer out of range. */
    private boolean overflow;

    /** Parses an ASCII decimal integer with an optional sign into {@link #count}; false if it is not one. */
    private boolean parseCount(String s, int from, int to) {
        overflow = false;
        int i = from;
        char first = s.charAt(i);
        boolean negative = first == '-';
        if (negative || first == '+') {
            i++;
        }
        if (i == to) {
            return false;
        }
        long v = 0;
        for (int j = i; j < to; j++) {
            char c = s.charAt(j);
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + (c - '0');
        }
        if (to - i > 18) {
            // 19 digits and more may overflow: the rare slow path, which range-checks (sign included).
            try {
                count = Long.parseLong(s, from, to, 10);
                return true;
            } catch (NumberFormatException e) {
                overflow = true; // only digits here: too many of them
                return false;
            }
        }
        count = negative ? -v : v;
        return true;
    }

    private static int skipSpace(String s, int i) {
        int n = s.length();
        while (i < n && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipToken(String s, int i) {
        int n = s.length();
        while (i < n && !isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Python's str.isspace(): ASCII blanks and separators, NEL, and the Unicode space characters. */
    private static boolean isSpace(char c) {
        if (c <= ' ') {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
        }
        return c >= 0x85 && (c == 0x85 || Character.isSpaceChar(c));
    }
}
