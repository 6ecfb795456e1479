package io.ecl.core.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * How the Python version reads an unquoted (plain) YAML scalar: PyYAML's SafeLoader follows YAML
 * 1.1, so {@code yes}, {@code on}, {@code 0x1F}, {@code 00012} or {@code 1.10} are a boolean or a
 * number there, and Python builds its Redis keys from {@code str()} of that value ({@code True},
 * {@code 31}, {@code 10}, {@code 1.1}). ecl reads every name as the text written. Where the two
 * differ, one shared config would count one event under two keys; the config reader refuses such
 * a name and asks for quotes. The recognisers below match exactly what the regular expressions of
 * PyYAML's implicit resolvers ({@code resolver.py}) match, written out by hand: compiling those
 * expressions cost a command-line tool's start more than reading its whole config (PyYamlTest
 * checks the two against each other over generated cases). The conversions are those of its
 * {@code SafeConstructor}.
 */
public final class PyYaml {
    private PyYaml() {
    }

    /**
     * What Python makes of the plain scalar {@code text} where ecl reads the text itself: a
     * description such as {@code the boolean True}, or null when Python's {@code str()} of the
     * value is {@code text} again (a string, or a number written as Python prints it, like 404).
     */
    public static String differentReading(String text) {
        if (isBoolean(text)) {
            return "the boolean " + (isTrue(text) ? "True" : "False");
        }
        if (isFloat(text)) {
            String shown = floatText(text);
            return shown.equals(text) ? null : "the number " + shown;
        }
        if (isInt(text)) {
            BigInteger value = integer(text);
            if (value == null) {
                return "an integer it cannot read";
            }
            return value.toString().equals(text) ? null : "the integer " + value;
        }
        if (isNull(text)) {
            return "None (null)";
        }
        if (isDate(text)) {
            try {
                LocalDate.parse(text);
                return null; // str(date) is the ISO form again
            } catch (DateTimeException e) {
                return "a date it cannot read";
            }
        }
        if (isTimestamp(text)) {
            // str(datetime) is "YYYY-MM-DD HH:MM:SS" (then fraction, offset): the same only when written so.
            if (isPlainDateTime(text)) {
                try {
                    java.time.LocalDateTime.parse(text.replace(' ', 'T'));
                    return null;
                } catch (DateTimeException e) {
                    return "a date and time it cannot read";
                }
            }
            return "a date and time";
        }
        if (text.equals("=") || text.equals("<<")) {
            return "a YAML tag it cannot read";
        }
        return null;
    }

    /**
     * Whether PyYAML reads the plain scalar {@code text} as a boolean: {@code
     * yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF}.
     */
    public static boolean isBoolean(String text) {
        return isTrue(text) || oneOf(text, "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF");
    }

    private static boolean isTrue(String t) {
        return oneOf(t, "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON");
    }

    private static boolean oneOf(String t, String... words) {
        for (String w : words) {
            if (w.equals(t)) {
                return true;
            }
        }
        return false;
    }

    /** {@code ~|null|Null|NULL|} (the empty string too). */
    static boolean isNull(String t) {
        return t.isEmpty() || oneOf(t, "~", "null", "Null", "NULL");
    }

    /**
     * PyYAML's float: {@code [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?},
     * {@code \.[0-9_]+(?:[eE][-+][0-9]+)?}, {@code [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*},
     * {@code [-+]?\.(?:inf|Inf|INF)} or {@code \.(?:nan|NaN|NAN)}.
     */
    static boolean isFloat(String t) {
        int n = t.length();
        if (oneOf(t, ".nan", ".NaN", ".NAN")) {
            return true;
        }
        int i = sign(t, 0);
        if (oneOf(t.substring(i), ".inf", ".Inf", ".INF")) {
            return true;
        }
        if (i == 0 && n > 1 && t.charAt(0) == '.') {
            int j = digitsOrUnderscores(t, 1);
            return j > 1 && exponentToEnd(t, j);
        }
        if (i >= n || !digit(t.charAt(i))) {
            return false;
        }
        int j = digitsOrUnderscores(t, i + 1);
        if (j < n && t.charAt(j) == '.') {
            return exponentToEnd(t, digitsOrUnderscores(t, j + 1));
        }
        j = sexagesimalParts(t, j);
        return j > 0 && j < n && t.charAt(j) == '.' && digitsOrUnderscores(t, j + 1) == n;
    }

    /**
     * PyYAML's int: {@code [-+]?0b[0-1_]+}, {@code [-+]?0[0-7_]+}, {@code [-+]?(?:0|[1-9][0-9_]*)},
     * {@code [-+]?0x[0-9a-fA-F_]+} or {@code [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+}.
     */
    static boolean isInt(String t) {
        int n = t.length();
        int i = sign(t, 0);
        if (i >= n) {
            return false;
        }
        char c = t.charAt(i);
        if (c == '0') {
            if (i + 1 == n) {
                return true;
            }
            char kind = t.charAt(i + 1);
            int j = kind == 'b' || kind == 'x' ? i + 2 : i + 1;
            int from = j;
            while (j < n && (t.charAt(j) == '_' || (kind == 'b' ? t.charAt(j) == '0' || t.charAt(j) == '1'
                    : kind == 'x' ? hexDigit(t.charAt(j)) : t.charAt(j) >= '0' && t.charAt(j) <= '7'))) {
                j++;
            }
            return j > from && j == n;
        }
        if (c < '1' || c > '9') {
            return false;
        }
        int j = digitsOrUnderscores(t, i + 1);
        return j == n || sexagesimalParts(t, j) == n;
    }

    /** {@code [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]}. */
    static boolean isDate(String t) {
        return t.length() == 10 && date(t, 2) == 10;
    }

    /** {@code [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}}: how Python prints a datetime. */
    static boolean isPlainDateTime(String t) {
        return t.length() == 19 && date(t, 2) == 10 && t.charAt(10) == ' ' && digits(t, 11, 2) == 13
                && t.charAt(13) == ':' && digits(t, 14, 2) == 16 && t.charAt(16) == ':' && digits(t, 17, 2) == 19;
    }

    /**
     * PyYAML's timestamp (a bare date aside): {@code [0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
     * (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
     * (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?}.
     */
    static boolean isTimestamp(String t) {
        int n = t.length();
        int i = date(t, 1);
        if (i < 0 || i >= n) {
            return false;
        }
        if (t.charAt(i) == 'T' || t.charAt(i) == 't') {
            i++;
        } else {
            int j = blanks(t, i);
            if (j == i) {
                return false;
            }
            i = j;
        }
        i = oneOrTwoDigits(t, i);
        if (i < 0 || i >= n || t.charAt(i) != ':') {
            return false;
        }
        i = digits(t, i + 1, 2);
        if (i < 0 || i >= n || t.charAt(i) != ':') {
            return false;
        }
        i = digits(t, i + 1, 2);
        if (i < 0) {
            return false;
        }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && digit(t.charAt(i))) {
                i++;
            }
        }
        if (i == n) {
            return true;
        }
        i = blanks(t, i);
        if (i < n && t.charAt(i) == 'Z') {
            return i + 1 == n;
        }
        if (i >= n || (t.charAt(i) != '-' && t.charAt(i) != '+')) {
            return false;
        }
        i = oneOrTwoDigits(t, i + 1);
        if (i == n) {
            return true;
        }
        return i > 0 && t.charAt(i) == ':' && digits(t, i + 1, 2) == n;
    }

    /**
     * {@code [0-9]{4}-} then month and day of {@code minDigits} to 2 digits each, separated by
     * {@code -}: the index after the day, or -1.
     */
    private static int date(String t, int minDigits) {
        int i = digits(t, 0, 4);
        if (i < 0 || i >= t.length() || t.charAt(i) != '-') {
            return -1;
        }
        i = minDigits == 2 ? digits(t, i + 1, 2) : oneOrTwoDigits(t, i + 1);
        if (i < 0 || i >= t.length() || t.charAt(i) != '-') {
            return -1;
        }
        return minDigits == 2 ? digits(t, i + 1, 2) : oneOrTwoDigits(t, i + 1);
    }

    /** Exactly {@code count} digits from {@code i}: the index after them, or -1. */
    private static int digits(String t, int i, int count) {
        if (i + count > t.length()) {
            return -1;
        }
        for (int k = i; k < i + count; k++) {
            if (!digit(t.charAt(k))) {
                return -1;
            }
        }
        return i + count;
    }

    /** {@code [0-9][0-9]?} from {@code i}, the second digit taken when there: the index after, or -1. */
    private static int oneOrTwoDigits(String t, int i) {
        if (i >= t.length() || !digit(t.charAt(i))) {
            return -1;
        }
        return i + 1 < t.length() && digit(t.charAt(i + 1)) ? i + 2 : i + 1;
    }

    /** Past {@code [ \t]*}. */
    private static int blanks(String t, int i) {
        while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Past one {@code [-+]}, if there. */
    private static int sign(String t, int i) {
        return i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+') ? i + 1 : i;
    }

    /** Past {@code [0-9_]*}. */
    private static int digitsOrUnderscores(String t, int i) {
        while (i < t.length() && (digit(t.charAt(i)) || t.charAt(i) == '_')) {
            i++;
        }
        return i;
    }

    /**
     * Past {@code (?::[0-5]?[0-9])+} from {@code i}, or -1 when not one part is there. Each part
     * takes two digits when they are there: a part of one digit followed by a digit cannot be
     * followed by what must come next (a colon, a dot or the end).
     */
    private static int sexagesimalParts(String t, int i) {
        int n = t.length();
        int parts = 0;
        while (i < n && t.charAt(i) == ':') {
            int j = i + 1;
            if (j + 1 < n && t.charAt(j) >= '0' && t.charAt(j) <= '5' && digit(t.charAt(j + 1))) {
                j += 2;
            } else if (j < n && digit(t.charAt(j))) {
                j += 1;
            } else {
                return -1;
            }
            i = j;
            parts++;
        }
        return parts > 0 ? i : -1;
    }

    /** {@code (?:[eE][-+][0-9]+)?} from {@code i} to the end. */
    private static boolean exponentToEnd(String t, int i) {
        int n = t.length();
        if (i == n) {
            return true;
        }
        if ((t.charAt(i) != 'e' && t.charAt(i) != 'E') || i + 2 >= n
                || (t.charAt(i + 1) != '-' && t.charAt(i + 1) != '+')) {
            return false;
        }
        for (int k = i + 2; k < n; k++) {
            if (!digit(t.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean hexDigit(char c) {
        return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The value PyYAML gives the plain scalar {@code text}, or null when it is not an integer to PyYAML. */
    public static BigInteger integerValue(String text) {
        return isInt(text) ? integer(text) : null;
    }

    /** PyYAML's construct_yaml_int: underscores dropped; 0b binary, 0x hex, a leading 0 octal, a:b base 60. */
    private static BigInteger integer(String text) {
        String v = text.replace("_", "");
        boolean negative = v.startsWith("-");
        if (v.startsWith("-") || v.startsWith("+")) {
            v = v.substring(1);
        }
        BigInteger value;
        try {
            if (v.equals("0")) {
                value = BigInteger.ZERO;
            } else if (v.startsWith("0b")) {
                value = new BigInteger(v.substring(2), 2);
            } else if (v.startsWith("0x")) {
                value = new BigInteger(v.substring(2), 16);
            } else if (v.startsWith("0")) {
                value = new BigInteger(v, 8);
            } else if (v.indexOf(':') >= 0) {
                value = BigInteger.ZERO;
                for (String part : v.split(":")) {
                    value = value.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
                }
            } else {
                value = new BigInteger(v);
            }
        } catch (NumberFormatException e) {
            return null; // e.g. "0b_": Python fails to load the file
        }
        return negative ? value.negate() : value;
    }

    /** PyYAML's construct_yaml_float, then Python's repr() of the float. */
    private static String floatText(String text) {
        String v = text.replace("_", "").toLowerCase(java.util.Locale.ROOT);
        int sign = 1;
        if (v.startsWith("-") || v.startsWith("+")) {
            sign = v.startsWith("-") ? -1 : 1;
            v = v.substring(1);
        }
        double value;
        if (v.equals(".inf")) {
            value = sign * Double.POSITIVE_INFINITY;
        } else if (v.equals(".nan")) {
            value = Double.NaN;
        } else if (v.indexOf(':') >= 0) {
            double sum = 0;
            for (String part : v.split(":")) {
                sum = sum * 60 + Double.parseDouble(part);
            }
            value = sign * sum;
        } else {
            value = sign * Double.parseDouble(v);
        }
        return repr(value);
    }

    /** Python's repr() of a float: the shortest digits that read back the same; exponent below 1e-4 and from 1e16. */
    static String repr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == d) {
                shortest = rounded;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros().abs();
        String digits = shortest.unscaledValue().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int e = Math.abs(exponent);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
        }
        String plain = shortest.toPlainString();
        return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
    }
}
