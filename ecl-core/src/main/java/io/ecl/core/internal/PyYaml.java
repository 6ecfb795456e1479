package io.ecl.core.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.regex.Pattern;

/**
 * How the Python version reads an unquoted (plain) YAML scalar: PyYAML's SafeLoader follows YAML
 * 1.1, so {@code yes}, {@code on}, {@code 0x1F}, {@code 00012} or {@code 1.10} are a boolean or a
 * number there, and Python builds its Redis keys from {@code str()} of that value ({@code True},
 * {@code 31}, {@code 10}, {@code 1.1}). ecl reads every name as the text written. Where the two
 * differ, one shared config would count one event under two keys; the config reader refuses such
 * a name and asks for quotes. The patterns are PyYAML's implicit resolvers ({@code resolver.py}),
 * the conversions those of its {@code SafeConstructor}.
 */
public final class PyYaml {
    private static final Pattern BOOL = Pattern.compile(
            "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    private static final Pattern TRUE = Pattern.compile("yes|Yes|YES|true|True|TRUE|on|On|ON");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
            + "|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
            + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
            + "|[-+]?\\.(?:inf|Inf|INF)"
            + "|\\.(?:nan|NaN|NAN)");
    private static final Pattern INT = Pattern.compile("[-+]?0b[0-1_]+"
            + "|[-+]?0[0-7_]+"
            + "|[-+]?(?:0|[1-9][0-9_]*)"
            + "|[-+]?0x[0-9a-fA-F_]+"
            + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern DATE = Pattern.compile("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
            + "(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
            + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");
    private static final Pattern PLAIN_DATE_TIME = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}");
    private static final Pattern NOT_CONSTRUCTED = Pattern.compile("=|<<");

    private PyYaml() {
    }

    /**
     * What Python makes of the plain scalar {@code text} where ecl reads the text itself: a
     * description such as {@code the boolean True}, or null when Python's {@code str()} of the
     * value is {@code text} again (a string, or a number written as Python prints it, like 404).
     */
    public static String differentReading(String text) {
        if (BOOL.matcher(text).matches()) {
            return "the boolean " + (TRUE.matcher(text).matches() ? "True" : "False");
        }
        if (FLOAT.matcher(text).matches()) {
            String shown = floatText(text);
            return shown.equals(text) ? null : "the number " + shown;
        }
        if (INT.matcher(text).matches()) {
            BigInteger value = integer(text);
            if (value == null) {
                return "an integer it cannot read";
            }
            return value.toString().equals(text) ? null : "the integer " + value;
        }
        if (NULL.matcher(text).matches()) {
            return "None (null)";
        }
        if (DATE.matcher(text).matches()) {
            try {
                LocalDate.parse(text);
                return null; // str(date) is the ISO form again
            } catch (DateTimeException e) {
                return "a date it cannot read";
            }
        }
        if (TIMESTAMP.matcher(text).matches()) {
            // str(datetime) is "YYYY-MM-DD HH:MM:SS" (then fraction, offset): the same only when written so.
            if (PLAIN_DATE_TIME.matcher(text).matches()) {
                try {
                    java.time.LocalDateTime.parse(text.replace(' ', 'T'));
                    return null;
                } catch (DateTimeException e) {
                    return "a date and time it cannot read";
                }
            }
            return "a date and time";
        }
        if (NOT_CONSTRUCTED.matcher(text).matches()) {
            return "a YAML tag it cannot read";
        }
        return null;
    }

    /** Whether PyYAML reads the plain scalar {@code text} as a boolean. */
    public static boolean isBoolean(String text) {
        return BOOL.matcher(text).matches();
    }

    /** The value PyYAML gives the plain scalar {@code text}, or null when it is not an integer to PyYAML. */
    public static BigInteger integerValue(String text) {
        return INT.matcher(text).matches() ? integer(text) : null;
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
