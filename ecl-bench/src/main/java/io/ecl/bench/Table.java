package io.ecl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The suite's result: one markdown table, figure beside baseline, and numbered notes. */
final class Table {
    enum Verdict {
        MET("yes"), MISSED("**no**"), INFO("—"), SKIPPED("skipped"), FAILED("**failed**");

        final String text;

        Verdict(String text) {
            this.text = text;
        }
    }

    /** One figure. */
    static final class Row {
        final String figure;
        String value = "";
        String baseline = "";
        String ratio = "";
        final String target;
        Verdict verdict = Verdict.INFO;
        final List<String> notes = new ArrayList<>();

        Row(String figure, String target) {
            this.figure = figure;
            this.target = target;
        }

        Row value(String v) {
            value = v;
            return this;
        }

        Row baseline(String b) {
            baseline = b;
            return this;
        }

        Row ratio(double r) {
            ratio = Double.isNaN(r) ? "" : String.format(Locale.ROOT, "%.2f×", r);
            return this;
        }

        Row verdict(boolean met) {
            verdict = met ? Verdict.MET : Verdict.MISSED;
            return this;
        }

        Row verdict(Verdict v) {
            verdict = v;
            return this;
        }

        Row note(String n) {
            notes.add(n);
            return this;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    Row add(Row r) {
        rows.add(r);
        return r;
    }

    List<Row> rows() {
        return rows;
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| figure | value | baseline (same run) | ratio | target | met? |\n");
        b.append("|---|---|---|---|---|---|\n");
        int note = 0;
        List<String> notes = new ArrayList<>();
        for (Row r : rows) {
            StringBuilder refs = new StringBuilder();
            for (String n : r.notes) {
                note++;
                notes.add(note + ". " + n);
                refs.append(refs.length() == 0 ? " (" : ", ").append(note);
            }
            if (refs.length() > 0) {
                refs.append(')');
            }
            b.append("| ").append(cell(r.figure + refs)).append(" | ").append(cell(r.value))
                    .append(" | ").append(cell(r.baseline)).append(" | ").append(cell(r.ratio))
                    .append(" | ").append(cell(r.target)).append(" | ").append(r.verdict.text).append(" |\n");
        }
        if (!notes.isEmpty()) {
            b.append('\n');
            for (String n : notes) {
                b.append(n).append('\n');
            }
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /** A number with about three significant digits and thousands separators. */
    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return fmt(v, 0);
        }
        if (a >= 10) {
            return fmt(v, 1);
        }
        if (a >= 1) {
            return fmt(v, 2);
        }
        return fmt(v, 3);
    }
}
