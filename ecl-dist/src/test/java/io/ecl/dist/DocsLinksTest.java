package io.ecl.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README is the front door and docs/ the manual: every link from one page to a file of the
 * repository or to a heading of a page must lead somewhere, as GitHub renders them. Moving a heading
 * or a page without fixing its links fails here, naming the page, the line and the link.
 */
class DocsLinksTest {

    /** The repository root: ecl-dist's parent (surefire runs in the module's directory). */
    private static final Path ROOT = Paths.get(System.getProperty("ecl.root", "..")).toAbsolutePath().normalize();

    /** [text](target) or [text](target "title"); images too. Inline code is removed before. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");

    @Test
    void everyLocalLinkOfTheReadmeAndTheDocsPagesLeadsToAFileOrHeadingThatExists() {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        pages.addAll(markdownIn(ROOT.resolve("docs")));
        assertTrue(pages.size() > 1, "no pages under " + ROOT.resolve("docs"));
        List<String> broken = brokenLinks(pages);
        assertTrue(broken.isEmpty(), broken.size() + " broken link(s):\n" + String.join("\n", broken));
    }

    @Test
    void theReadmeLinksEveryDocsPage() {
        String readme = read(ROOT.resolve("README.md"));
        for (Path page : markdownIn(ROOT.resolve("docs"))) {
            String target = "](docs/" + page.getFileName() + ")";
            assertTrue(readme.contains(target), "README.md does not link " + ROOT.relativize(page));
        }
    }

    @Test
    void theReadmeShowsTheTestCommandThatContinuousIntegrationRuns() {
        List<String> ci = read(ROOT.resolve(".ci/run")).lines()
                .filter(l -> l.startsWith("mvn ")).toList();
        assertEquals(1, ci.size(), ".ci/run runs one mvn command: " + ci);
        assertTrue(read(ROOT.resolve("README.md")).lines().anyMatch(l -> l.equals(ci.get(0))),
                "README.md does not show the command .ci/run runs: " + ci.get(0));
    }

    @Test
    void anchorsFollowGitHubsRules() {
        assertEquals("from-package-to-graph-a-walkthrough", slug("From package to graph: a walkthrough"));
        assertEquals("the-proof-binecl-soak", slug("The proof: `bin/ecl-soak`"));
        assertEquals("ecl-log-event-5000000-distinct-ids-in-bounded-memory",
                slug("ecl-log-event: 5,000,000 distinct IDs in bounded memory"));
        assertEquals("log-direct-079-a-raw-incr-with-1-thread-052-with-4-target-09",
                slug("log() direct: 0.79× a raw INCR with 1 thread, 0.52× with 4 (target 0.9×)"));
        assertEquals("groupsname_events", slug("groups.<name>_events"));
    }

    @Test
    void aMissingFileAMissingHeadingAndARepeatedHeadingsSuffixAreTold(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.md");
        Path b = dir.resolve("b.md");
        Files.writeString(a, String.join("\n",
                "# A",
                "## Same", "## Same",
                "[ok](b.md#b-heading) [ok](#same-1) [ok](b.md) [web](https://example.org/x#y)",
                "[no file](c.md) [no heading](b.md#nothing)",
                "`[in code](nowhere.md)`",
                "```", "[in a fence](nowhere.md)", "```",
                "[no second suffix](#same-2)"));
        Files.writeString(b, "# B heading\n");
        assertEquals(List.of(
                        "a.md:5: c.md (no such file)",
                        "a.md:5: b.md#nothing (no heading 'nothing' in b.md)",
                        "a.md:10: #same-2 (no heading 'same-2' in a.md)"),
                brokenLinks(dir, List.of(a, b)));
    }

    // ------------------------------------------------------------------------------------------

    private static List<String> brokenLinks(List<Path> pages) {
        return brokenLinks(ROOT, pages);
    }

    /** One line per broken link: page (relative to root), line number, link and why. */
    static List<String> brokenLinks(Path root, List<Path> pages) {
        Map<Path, Set<String>> anchorCache = new HashMap<>();
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            String[] lines = read(page).split("\n", -1);
            boolean fence = false;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.stripLeading().startsWith("```")) {
                    fence = !fence;
                    continue;
                }
                if (fence) {
                    continue;
                }
                Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue;   // https:, mailto: ...
                    }
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    Path dest = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                    String where = root.relativize(page) + ":" + (i + 1) + ": " + target;
                    if (!Files.exists(dest)) {
                        broken.add(where + " (no such file)");
                    } else if (anchor != null) {
                        Set<String> anchors = anchorCache.computeIfAbsent(dest, DocsLinksTest::anchorsOf);
                        if (!anchors.contains(anchor)) {
                            broken.add(where + " (no heading '" + anchor + "' in " + root.relativize(dest) + ")");
                        }
                    }
                }
            }
        }
        return broken;
    }

    /** The anchors GitHub gives the headings of a markdown file (none for other files). */
    private static Set<String> anchorsOf(Path file) {
        Set<String> anchors = new LinkedHashSet<>();
        if (!file.toString().endsWith(".md") || Files.isDirectory(file)) {
            return anchors;
        }
        Map<String, Integer> seen = new HashMap<>();
        boolean fence = false;
        for (String line : read(file).split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fence = !fence;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (fence || !m.matches()) {
                continue;
            }
            String base = slug(m.group(1));
            int n = seen.merge(base, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? base : base + "-" + n);
        }
        return anchors;
    }

    /**
     * GitHub's rule: the heading's text (link text for links), lower case, every character that is
     * not a letter, a digit, a space, '-' or '_' removed, each space replaced by '-'.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                sb.appendCodePoint(c);
            } else if (c == ' ') {
                sb.append('-');
            }
        });
        return sb.toString();
    }

    private static List<Path> markdownIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
