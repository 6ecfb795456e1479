package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * PyYaml's hand-written recognisers match exactly what the regular expressions of PyYAML's
 * implicit resolvers (resolver.py, as compiled here) match: checked over hand-picked strings and
 * over every string a seeded generator makes from the characters those expressions name.
 */
class PyYamlTest {
    /** PyYAML's resolver.py, as the recognisers' documentation quotes it. */
    private static final Map<String, Pattern> SPEC = new LinkedHashMap<>();
    private static final Map<String, Predicate<String>> RECOGNISER = new LinkedHashMap<>();

    static {
        spec("bool", "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF", PyYaml::isBoolean);
        spec("float", "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
                + "|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
                + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
                + "|[-+]?\\.(?:inf|Inf|INF)"
                + "|\\.(?:nan|NaN|NAN)", PyYaml::isFloat);
        spec("int", "[-+]?0b[0-1_]+"
                + "|[-+]?0[0-7_]+"
                + "|[-+]?(?:0|[1-9][0-9_]*)"
                + "|[-+]?0x[0-9a-fA-F_]+"
                + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+", PyYaml::isInt);
        spec("null", "~|null|Null|NULL|", PyYaml::isNull);
        spec("date", "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]", PyYaml::isDate);
        spec("timestamp", "[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
                + "(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
                + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?", PyYaml::isTimestamp);
        spec("plain date-time", "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}", PyYaml::isPlainDateTime);
    }

    private static void spec(String name, String regex, Predicate<String> recogniser) {
        SPEC.put(name, Pattern.compile(regex));
        RECOGNISER.put(name, recogniser);
    }

    private static List<String> disagreements(Iterable<String> cases) {
        List<String> wrong = new ArrayList<>();
        for (String t : cases) {
            for (String name : SPEC.keySet()) {
                boolean expected = SPEC.get(name).matcher(t).matches();
                if (RECOGNISER.get(name).test(t) != expected) {
                    wrong.add(name + " '" + t + "': expected " + expected);
                }
            }
        }
        return wrong;
    }

    @Test
    void recognisersAgreeWithPyYamlsExpressionsOnHandPickedScalars() {
        List<String> cases = List.of("", "~", "null", "Null", "nULL", "yes", "YES", "yEs", "on", "Off", "0", "-0", "+0",
                "00", "007", "008", "0_7", "0b", "0b1", "0b102", "-0b_", "0x", "0x1F", "0xg", "0X1F", "12", "1_000",
                "_1", "1:20", "1:60", "1:5:09", "1:", "190:20:30", "0:20", "1.", "1.5", "-1.5e+3", "1.5e3", "1e+3",
                ".5", "._", ".", "-.5", ".inf", "-.Inf", "+.INF", ".iNf", ".nan", "-.nan", "1:20.5", "1:20:", "1:2:.5",
                "2001-12-14", "2001-1-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
                "2001-12-14\t21:59:43", "2001-12-14 21:59:43", "2001-12-1421:59:43", "2001-12-14T21:59:43Z",
                "2001-12-14T21:59:43 Z", "2001-12-14T21:59:43 ", "2001-12-14T21:59:43+5:3", "2001-12-14T21:59:43.+05",
                "2001-12-14  1:59:43", "2001-12-14 21:5:43", "20011-12-14", "login", "404", "4O4", "1.10", "=", "<<");
        assertEquals(List.of(), disagreements(cases));
    }

    @Test
    void recognisersAgreeWithPyYamlsExpressionsOnGeneratedScalars() {
        // Every character the expressions name, a few they do not; short strings, and strings
        // built from the pieces the expressions are made of, so that long matches occur too.
        String chars = "0123456789_-+.:eEbxXaAfFgTtZ \tinfINFnaNyesYESoOlu~=<";
        String[] pieces = {"0", "1", "5", "7", "9", "12", "60", "_", "-", "+", ".", ":", "e+", "E-", "0b", "0x", "1F",
            "2001", "-12", "-1", "T", "t", " ", "\t", "Z", ":30", ".inf", ".nan", "yes", "no", "null", "~"};
        Random random = new Random(15);
        List<String> cases = new ArrayList<>();
        for (int k = 0; k < 200_000; k++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(9);
            for (int i = 0; i < length; i++) {
                if (k % 2 == 0) {
                    b.append(chars.charAt(random.nextInt(chars.length())));
                } else {
                    b.append(pieces[random.nextInt(pieces.length)]);
                }
            }
            cases.add(b.toString());
        }
        assertEquals(List.of(), disagreements(cases));
    }
}
