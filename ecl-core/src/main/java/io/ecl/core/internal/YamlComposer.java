package io.ecl.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.ComposerException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;

/**
 * SnakeYAML's {@code Composer} (the node graph of one document from the parser's events, with its
 * anchors, aliases, limits and error messages), without its {@code Resolver}: that class compiles
 * about ten regular expressions when first used, which cost a command-line tool's start more than
 * reading its whole config, for tags the config reader does not look at. The config reader reads
 * every scalar as its text (and checks plain ones against PyYAML's reading, see {@link PyYaml});
 * the only implicit tags it needs are those of a merge key ({@code <<}) and of null ({@code ~},
 * {@code null}, {@code Null}, {@code NULL} or nothing), resolved here as SnakeYAML's resolver does.
 * Every other plain scalar gets {@code tag:yaml.org,2002:str}, where SnakeYAML would give an int,
 * float, bool or timestamp tag. Comments are not composed ({@link LoaderOptions#isProcessComments}
 * is left off), nor merges ({@link LoaderOptions#isMergeOnCompose}): the config reader applies them.
 */
public final class YamlComposer {
    private final Parser parser;
    private final LoaderOptions options;
    private final Map<String, Node> anchors = new HashMap<>();
    private final Set<Node> recursiveNodes = new HashSet<>();
    private int nonScalarAliasesCount;
    private int nestingDepth;

    public YamlComposer(Parser parser, LoaderOptions options) {
        if (options.isProcessComments() || options.isMergeOnCompose()) {
            throw new IllegalArgumentException("comments and merges on compose are not composed here");
        }
        this.parser = parser;
        this.options = options;
    }

    /** The stream's one document, or null when it has none; as {@code Composer.getSingleNode}. */
    public Node singleNode() {
        parser.getEvent(); // stream start
        Node document = null;
        if (!parser.checkEvent(Event.ID.StreamEnd)) {
            document = node();
        }
        if (!parser.checkEvent(Event.ID.StreamEnd)) {
            Event event = parser.getEvent();
            Mark contextMark = document != null ? document.getStartMark() : null;
            throw new Refused("expected a single document in the stream", contextMark, "but found another document",
                    event.getStartMark());
        }
        parser.getEvent(); // stream end
        return document;
    }

    private Node node() {
        parser.getEvent(); // document start
        Node node = compose(null);
        parser.getEvent(); // document end
        anchors.clear();
        recursiveNodes.clear();
        return node;
    }

    private Node compose(Node parent) {
        if (parent != null) {
            recursiveNodes.add(parent);
        }
        Node node;
        if (parser.checkEvent(Event.ID.Alias)) {
            AliasEvent event = (AliasEvent) parser.getEvent();
            String anchor = event.getAnchor();
            if (!anchors.containsKey(anchor)) {
                throw new Refused("found undefined alias " + anchor, event.getStartMark());
            }
            node = anchors.get(anchor);
            if (!(node instanceof ScalarNode)) {
                nonScalarAliasesCount++;
                if (nonScalarAliasesCount > options.getMaxAliasesForCollections()) {
                    throw new YAMLException("Number of aliases for non-scalar nodes exceeds the specified max="
                            + options.getMaxAliasesForCollections());
                }
            }
            if (recursiveNodes.remove(node)) {
                node.setTwoStepsConstruction(true);
            }
        } else {
            String anchor = ((NodeEvent) parser.peekEvent()).getAnchor();
            if (nestingDepth > options.getNestingDepthLimit()) {
                throw new YAMLException("Nesting Depth exceeded max " + options.getNestingDepthLimit());
            }
            nestingDepth++;
            if (parser.checkEvent(Event.ID.Scalar)) {
                node = scalar(anchor);
            } else if (parser.checkEvent(Event.ID.SequenceStart)) {
                node = sequence(anchor);
            } else {
                node = mapping(anchor);
            }
            nestingDepth--;
        }
        recursiveNodes.remove(parent);
        return node;
    }

    private Node scalar(String anchor) {
        ScalarEvent ev = (ScalarEvent) parser.getEvent();
        String tag = ev.getTag();
        boolean resolved = false;
        Tag nodeTag;
        if (tag == null || tag.equals("!")) {
            nodeTag = implicitTag(ev.getValue(), ev.getImplicit().canOmitTagInPlainScalar());
            resolved = true;
        } else {
            nodeTag = explicitTag(tag, ev.getStartMark());
        }
        Node node = new ScalarNode(nodeTag, resolved, ev.getValue(), ev.getStartMark(), ev.getEndMark(),
                ev.getScalarStyle());
        anchor(anchor, node);
        return node;
    }

    private Node sequence(String anchor) {
        SequenceStartEvent start = (SequenceStartEvent) parser.getEvent();
        String tag = start.getTag();
        boolean resolved = tag == null || tag.equals("!");
        Tag nodeTag = resolved ? Tag.SEQ : explicitTag(tag, start.getStartMark());
        List<Node> children = new ArrayList<>();
        SequenceNode node = new SequenceNode(nodeTag, resolved, children, start.getStartMark(), null,
                start.getFlowStyle());
        anchor(anchor, node);
        while (!parser.checkEvent(Event.ID.SequenceEnd)) {
            children.add(compose(node));
        }
        node.setEndMark(parser.getEvent().getEndMark());
        return node;
    }

    private Node mapping(String anchor) {
        MappingStartEvent start = (MappingStartEvent) parser.getEvent();
        String tag = start.getTag();
        boolean resolved = tag == null || tag.equals("!");
        Tag nodeTag = resolved ? Tag.MAP : explicitTag(tag, start.getStartMark());
        List<NodeTuple> children = new ArrayList<>();
        MappingNode node = new MappingNode(nodeTag, resolved, children, start.getStartMark(), null,
                start.getFlowStyle());
        anchor(anchor, node);
        while (!parser.checkEvent(Event.ID.MappingEnd)) {
            Node key = compose(node);
            if (key.getTag().equals(Tag.MERGE)) {
                node.setMerged(true);
            }
            children.add(new NodeTuple(key, compose(node)));
        }
        node.setEndMark(parser.getEvent().getEndMark());
        return node;
    }

    private void anchor(String anchor, Node node) {
        if (anchor != null) {
            node.setAnchor(anchor);
            anchors.put(anchor, node);
        }
    }

    private Tag explicitTag(String tag, Mark mark) {
        Tag t = new Tag(tag);
        if (t.isCustomGlobal() && !options.getTagInspector().isGlobalTagAllowed(t)) {
            throw new Refused("Global tag is not allowed: " + tag, mark);
        }
        return t;
    }

    /**
     * The tag of a scalar without one: merge and null as SnakeYAML's resolver gives them (for a
     * plain scalar), str for the rest.
     */
    static Tag implicitTag(String value, boolean plain) {
        if (plain) {
            if (value.equals("<<")) {
                return Tag.MERGE;
            }
            if (value.isEmpty() || value.equals("~") || value.equals("null") || value.equals("Null")
                    || value.equals("NULL") || value.equals(" ")) {
                return Tag.NULL;
            }
        }
        return Tag.STR;
    }

    /** SnakeYAML's composer's errors, with their marks, as it throws them. */
    private static final class Refused extends ComposerException {
        private static final long serialVersionUID = 1L;

        Refused(String context, Mark contextMark, String problem, Mark problemMark) {
            super(context, contextMark, problem, problemMark);
        }

        Refused(String problem, Mark problemMark) {
            super(problem, problemMark);
        }
    }
}
