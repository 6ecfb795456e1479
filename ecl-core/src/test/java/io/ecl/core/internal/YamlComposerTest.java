package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.composer.ComposerException;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YamlComposer builds the node graph SnakeYAML's Composer builds (values, marks, anchors,
 * aliases, merge and null tags) and fails where it fails, with the same message and marks; the
 * tags it does not resolve (int, float, bool, timestamp, ...) are str.
 */
class YamlComposerTest {
    private static final Set<Tag> RESOLVED_AS_TEXT = Set.of(Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.TIMESTAMP, Tag.STR,
            new Tag("tag:yaml.org,2002:value"), new Tag("tag:yaml.org,2002:yaml"));

    private static final List<String> DOCUMENTS = List.of(
            "",
            "# only a comment\n",
            "redis: {host: localhost, port: 6379}\ngroups:\n  web:\n    events: [login, 'yes', \"on\", 404, 0x1F, ~, null, '', 1.10]\n"
                    + "    intervals: ['5m', 1h]\n    auto_declare_events: yes\n",
            "base: &b {intervals: [5m], sync: 1s}\ngroups:\n  a:\n    <<: *b\n    events: [x]\n  b:\n    '<<': *b\n  c: {<<: [*b], x: ~}\n",
            "a: &x 1\nb: *x\nc: *x\n",
            "a: !!str 12\nb: !custom x\nc: ! 12\nd: !!int '7'\ne: !!null ''\nf: \n? complex\n: key\n",
            "a: |\n  literal\n  text\nb: >\n  folded\n  text\nc: 2001-12-14\nd: 2001-12-14 21:59:43\ne: =\nf: .inf\n",
            "a: *nowhere\n",
            "a: 1\n---\nb: 2\n",
            "--- a\n...\n",
            "a: !<tag:example.com,2000:thing> x\n",
            "a: !!python/object:os.system x\n",
            "x: &r [1, *r]\n",
            "a: [" + "[".repeat(60) + "]".repeat(60) + "]\n",
            "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    + "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c,"
                    + " *c, *c, *c, *c, *c, *c, *c, *c]\n",
            "a: [1, 2\n",
            "a: b: c\n");

    private static String outcome(String yaml, boolean ours) {
        LoaderOptions options = new LoaderOptions();
        ParserImpl parser = new ParserImpl(new StreamReader(new StringReader(yaml)), options);
        try {
            Node root = ours ? new YamlComposer(parser, options).singleNode()
                    : new Composer(parser, new Resolver(), options).getSingleNode();
            StringBuilder b = new StringBuilder();
            describe(root, b, new ArrayList<>(), ours);
            return b.toString();
        } catch (MarkedYAMLException e) {
            return (e instanceof ComposerException ? "composer: " : e.getClass().getName() + ": ") + e.getContext() + " @" + e.getContextMark() + " / " + e.getProblem()
                    + " @" + e.getProblemMark();
        } catch (YAMLException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static void describe(Node n, StringBuilder b, List<Node> seen, boolean ours) {
        if (n == null) {
            b.append("null");
            return;
        }
        Tag tag = n.getTag();
        if (!ours && n instanceof ScalarNode && RESOLVED_AS_TEXT.contains(tag) && n.getTag() != null
                && ((ScalarNode) n).isPlain() && tag.equals(n.getTag()) && !explicit(n)) {
            tag = Tag.STR;
        }
        b.append('<').append(n.getClass().getSimpleName()).append(' ').append(tag).append(" anchor=").append(n.getAnchor())
                .append(" two-step=").append(n.isTwoStepsConstruction()).append(" at ").append(n.getStartMark().getIndex())
                .append('-').append(n.getEndMark() == null ? -1 : n.getEndMark().getIndex());
        if (seen.contains(n)) {
            b.append(" seen>");
            return;
        }
        seen.add(n);
        if (n instanceof ScalarNode) {
            b.append(" '").append(((ScalarNode) n).getValue()).append("' ").append(((ScalarNode) n).getScalarStyle());
        } else if (n instanceof SequenceNode) {
            b.append(' ').append(((SequenceNode) n).getFlowStyle());
            for (Node c : ((SequenceNode) n).getValue()) {
                describe(c, b, seen, ours);
            }
        } else {
            b.append(' ').append(((MappingNode) n).getFlowStyle()).append(" merged=").append(((MappingNode) n).isMerged());
            for (NodeTuple t : ((MappingNode) n).getValue()) {
                describe(t.getKeyNode(), b, seen, ours);
                describe(t.getValueNode(), b, seen, ours);
            }
        }
        b.append('>');
    }

    /** Whether SnakeYAML took the node's tag from the text (resolved is false then). */
    private static boolean explicit(Node n) {
        return n instanceof ScalarNode && !isResolved((ScalarNode) n);
    }

    private static boolean isResolved(ScalarNode n) {
        try {
            java.lang.reflect.Field f = Node.class.getDeclaredField("resolved");
            f.setAccessible(true);
            return f.getBoolean(n);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void composesWhatSnakeYamlComposesAndFailsWhereItFails() {
        List<String> differ = new ArrayList<>();
        for (String yaml : DOCUMENTS) {
            String theirs = outcome(yaml, false);
            String ours = outcome(yaml, true);
            if (!theirs.equals(ours)) {
                differ.add(yaml + "\n  SnakeYAML: " + theirs + "\n  ours:      " + ours);
            }
        }
        assertEquals("", String.join("\n", differ));
    }

    @Test
    void plainMergeKeyAndNullsGetTheirTagsQuotedOnesAreText() {
        assertEquals(Tag.MERGE, YamlComposer.implicitTag("<<", true));
        assertEquals(Tag.STR, YamlComposer.implicitTag("<<", false));
        for (String nothing : List.of("", "~", "null", "Null", "NULL")) {
            assertEquals(Tag.NULL, YamlComposer.implicitTag(nothing, true), nothing);
            assertEquals(Tag.STR, YamlComposer.implicitTag(nothing, false), nothing);
        }
        for (String text : List.of("nULL", "none", "yes", "404", "1.5", "2001-12-14")) {
            assertEquals(Tag.STR, YamlComposer.implicitTag(text, true), text);
        }
    }
}
