package io.ecl.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks what {@code mvn package} built in ecl-dist: the tarball (its layout, that every jar a tool
 * jar's manifest names is there exactly once, and that the unpacked tools run from another working
 * directory) and the Debian package (with dpkg-deb; skipped with a message where there is none).
 * Runs in {@code mvn verify} through maven-failsafe-plugin, after the package phase.
 */
class DistributionIT {

    private static final String NAME = property("ecl.dist.name");
    private static final String VERSION = property("ecl.dist.version");
    private static final Path TARBALL = Paths.get(property("ecl.dist.tarball"));
    private static final Path DEB = Paths.get(property("ecl.dist.deb"));
    private static final Path ROOT = Paths.get(property("ecl.root"));
    private static final Path WORK = Paths.get(property("ecl.dist.work"));

    /** The systemd units: config/NAME in the tarball, /lib/systemd/system/NAME in the .deb. */
    private static final List<String> UNITS = List.of("ecl-master.service", "ecl-reader-serve.service");

    /** The tools shipped; bin/ecl-soak and bin/ecl-demo are not (their jars are not in the distribution). */
    private static final List<String> TOOL_LINKS = List.of("ecl-master", "ecl-reader", "ecl-log-event");

    /** Never shipped: the demo, and the embedded Redis server (12 MB of binaries) only it and the tests use. */
    private static final List<String> NOT_SHIPPED = List.of("embedded-redis", "ecl-demo", "ecl-soak");

    /** Each short-lived tool and its main class, which its class-data-sharing archive must hold. */
    private static final Map<String, String> MAIN_CLASSES = Map.of("ecl-reader", "io.ecl.reader.ReaderCommand",
            "ecl-log-event", "io.ecl.reader.LogEventCommand", "ecl-master", "io.ecl.master.MasterCommand");

    private static Path unpacked;

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("system property " + name
                    + " is not set; run this test with: mvn -pl ecl-dist -am verify");
        }
        return value;
    }

    @BeforeAll
    static void unpackTarball() throws Exception {
        assertTrue(Files.isRegularFile(TARBALL), TARBALL + " was not built");
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        Path dir = Files.createDirectories(WORK.resolve("tarball"));
        run(WORK, List.of("tar", "-xzf", TARBALL.toString(), "-C", dir.toString()), 0);
        unpacked = dir.resolve(NAME);
    }

    // ---------------------------------------------------------------- tarball

    @Test
    void tarballHasOneTopDirectoryNamedAfterTheVersion() throws Exception {
        List<String> entries = lines(run(WORK, List.of("tar", "-tzf", TARBALL.toString()), 0));
        assertFalse(entries.isEmpty(), "empty tarball");
        for (String entry : entries) {
            assertTrue(entry.startsWith(NAME + "/"), "entry outside " + NAME + "/: " + entry);
        }
        assertEquals("ecl-" + VERSION, NAME);
        assertEquals("ecl-" + VERSION + ".tar.gz", TARBALL.getFileName().toString());
    }

    @Test
    void tarballHasLauncherLinksConfigMuninReadmeAndDocs() throws Exception {
        Path tool = unpacked.resolve("bin/ecl-tool");
        assertTrue(Files.isRegularFile(tool, java.nio.file.LinkOption.NOFOLLOW_LINKS), "bin/ecl-tool");
        assertExecutable(tool);
        for (String link : TOOL_LINKS) {
            Path p = unpacked.resolve("bin").resolve(link);
            assertTrue(Files.isSymbolicLink(p), "bin/" + link + " is not a symlink");
            assertEquals("ecl-tool", Files.readSymbolicLink(p).toString(), "bin/" + link + " target");
            assertExecutable(p);
        }
        for (String absent : List.of("ecl-soak", "ecl-demo")) {
            assertFalse(Files.exists(unpacked.resolve("bin").resolve(absent), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    "bin/" + absent + " is shipped, but its jar is not");
        }
        for (String f : List.of("config/ecl.example.yml", "config/ecl-master.service", "config/ecl-reader-serve.service",
                "config/logback.xml", "README.md", "docs/install-and-operate.md")) {
            assertTrue(Files.isRegularFile(unpacked.resolve(f)), f + " missing");
            assertSameContent(ROOT.resolve(f), unpacked.resolve(f));
        }
        for (String f : List.of("munin/ecl_", "munin/ecl_fixed", "munin/ecl_dynamic")) {
            assertTrue(Files.isRegularFile(unpacked.resolve(f)), f + " missing");
            assertExecutable(unpacked.resolve(f));
        }
        assertSameContent(ROOT.resolve("bin/ecl-tool"), tool);
    }

    @Test
    void tarballShipsTheLicense() throws IOException {
        assertTrue(Files.isRegularFile(ROOT.resolve("LICENSE")), "LICENSE missing at the repository root");
        assertSameContent(ROOT.resolve("LICENSE"), unpacked.resolve("LICENSE"));
    }

    @Test
    void toolJarsAreInLibAndEveryDependencyOnceInLibLib() throws Exception {
        Path lib = unpacked.resolve("lib");
        Set<String> toolJars = listNames(lib, p -> Files.isRegularFile(p) && p.toString().endsWith(".jar"));
        assertEquals(new TreeSet<>(List.of("ecl-master.jar", "ecl-reader.jar")), toolJars, "jars in lib/");

        Set<String> named = new TreeSet<>();
        for (String jar : toolJars) {
            String classPath = manifest(lib.resolve(jar)).getValue(Attributes.Name.CLASS_PATH);
            assertTrue(classPath != null && !classPath.isBlank(), jar + " has no Class-Path");
            for (String entry : classPath.trim().split("\\s+")) {
                // Class-Path entries are relative to the jar: lib/x.jar next to lib/ecl-reader.jar is lib/lib/x.jar.
                Path dep = lib.resolve(entry);
                assertTrue(Files.isRegularFile(dep), jar + " needs " + entry + ", not found at " + unpacked.relativize(dep));
                named.add(dep.getFileName().toString());
            }
        }
        Set<String> deps = listNames(lib.resolve("lib"), Files::isRegularFile);
        assertEquals(named, deps, "lib/lib/ must hold exactly the jars the tool jars name");

        // Once: no artifact in two versions.
        Map<String, String> byArtifact = new HashMap<>();
        for (String dep : deps) {
            String artifact = dep.replaceFirst("-\\d[^-]*(-[^-]+)?\\.jar$", "");
            String previous = byArtifact.put(artifact, dep);
            assertEquals(null, previous, "two versions of " + artifact + ": " + previous + " and " + dep);
        }
        assertTrue(deps.contains("ecl-core-" + VERSION + ".jar"), "ecl-core missing from lib/lib: " + deps);
        assertTrue(deps.contains("ecl-ingest-" + VERSION + ".jar"), "ecl-ingest (serve --statsd) missing from lib/lib: "
                + deps);
    }

    @Test
    void tarballShipsNeitherTheDemoNorEmbeddedRedis() throws Exception {
        List<String> entries = lines(run(WORK, List.of("tar", "-tzf", TARBALL.toString()), 0));
        for (String entry : entries) {
            for (String name : NOT_SHIPPED) {
                assertFalse(entry.contains(name), "the tarball ships " + entry);
            }
        }
        Path lib = unpacked.resolve("lib");
        for (String jar : List.of("ecl-master.jar", "ecl-reader.jar")) {
            String classPath = manifest(lib.resolve(jar)).getValue(Attributes.Name.CLASS_PATH);
            for (String name : NOT_SHIPPED) {
                assertFalse(classPath.contains(name), jar + "'s runtime class path names " + name + ": " + classPath);
            }
        }
    }

    @Test
    void tarballShipsEachToolsClassListAndArchive() throws Exception {
        List<String> entries = lines(run(WORK, List.of("tar", "-tzf", TARBALL.toString()), 0));
        for (Map.Entry<String, String> tool : MAIN_CLASSES.entrySet()) {
            Path list = unpacked.resolve("lib").resolve(tool.getKey() + ".classlist");
            assertTrue(Files.isRegularFile(list), list + " missing");
            assertTrue(Files.readAllLines(list).contains(tool.getValue().replace('.', '/')),
                    list + " lacks " + tool.getValue());
            for (String suffix : List.of(".jsa", ".jsa.jvm")) {
                assertTrue(entries.contains(NAME + "/lib/" + tool.getKey() + suffix), tool.getKey() + suffix + " missing");
            }
        }
    }

    @Test
    void unpackedToolsUseTheShippedArchivesFromTheFirstRun() throws Exception {
        // Unpacked elsewhere than where the build made the archives, and no make-cds.
        Path dir = freshUnpack("shipped-archives/some/other/place");
        for (Map.Entry<String, String> tool : MAIN_CLASSES.entrySet()) {
            assertTrue(mainClassFromArchive(dir.resolve("bin").resolve(tool.getKey()), tool.getValue()),
                    tool.getKey() + " ran without the archive the tarball ships");
        }
    }

    @Test
    void sourceTreeToolsUseTheArchivesTheBuildMadeFromTheirFirstRun() throws Exception {
        // `mvn package` (this module's cds-archives step) made them: the first run maps them.
        for (Map.Entry<String, String> tool : MAIN_CLASSES.entrySet()) {
            assertTrue(mainClassFromArchive(ROOT.resolve("bin").resolve(tool.getKey()), tool.getValue()),
                    tool.getKey() + " in the source tree ran without its archive");
        }
    }

    @Test
    void shortLivedToolsMapTheirArchiveWithoutRelocatingIt() throws Exception {
        // JDK builds that relocate every archive by default spend 6-7 ms patching its pointers.
        for (String tool : List.of("ecl-reader", "ecl-log-event")) {
            Path log = Files.createTempFile(WORK, "cds", ".log");
            String out = run(WORK, List.of(ROOT.resolve("bin").resolve(tool).toString(), "--version"), 0,
                    Map.of("JAVA_OPTS", "-Xlog:cds=info:file=" + log), true);
            assertEquals(tool + " " + VERSION, out.strip(), tool + " --version");
            List<String> lines = Files.readAllLines(log);
            Files.delete(log);
            assertTrue(lines.stream().anyMatch(l -> l.contains("Mapped static  region #0")), tool + ": no archive mapped");
            assertTrue(lines.stream().noneMatch(l -> l.contains("ArchiveRelocationMode == 1")), tool + " relocated its archive");
        }
    }

    @Test
    void unpackedToolsUseTheirArchivesFromTheFirstRunAfterMakeCds() throws Exception {
        Path dir = freshUnpack("make-cds");
        assertEquals("", run(WORK, List.of(dir.resolve("bin/ecl-tool").toString(), "make-cds"), 0));
        for (Map.Entry<String, String> tool : MAIN_CLASSES.entrySet()) {
            assertTrue(Files.isRegularFile(dir.resolve("lib").resolve(tool.getKey() + ".jsa")), tool.getKey());
            assertTrue(mainClassFromArchive(dir.resolve("bin").resolve(tool.getKey()), tool.getValue()),
                    tool.getKey() + " ran without its archive after make-cds");
        }
    }

    @Test
    void anArchiveOfAnotherJdkIsIgnoredSilentlyAndRemadeInTheBackground() throws Exception {
        Path dir = freshUnpack("other-jdk");
        Path reader = dir.resolve("bin/ecl-reader");
        // Without any archive (as from a build that skipped them): the run is silent, and the archive follows.
        Files.delete(dir.resolve("lib/ecl-reader.jsa"));
        Files.delete(dir.resolve("lib/ecl-reader.jsa.jvm"));
        assertFalse(mainClassFromArchive(reader, MAIN_CLASSES.get("ecl-reader")));
        Path jvm = dir.resolve("lib/ecl-reader.jsa.jvm");
        awaitFile(jvm);
        String home = Files.readString(jvm);
        assertTrue(mainClassFromArchive(reader, MAIN_CLASSES.get("ecl-reader")), "the remade archive is used");

        // As after a JDK upgrade or a switch to another JDK: the archive was made by another java.
        Files.writeString(jvm, "/nonexistent/jdk\n");
        assertFalse(mainClassFromArchive(reader, MAIN_CLASSES.get("ecl-reader")), "a mismatched archive was used");
        awaitRemade(jvm, home);
        assertTrue(mainClassFromArchive(reader, MAIN_CLASSES.get("ecl-reader")), "the remade archive is used");

        // As when the tarball's archive meets another build of the JDK at the build's path, one
        // installed before the archive was made: the same java.home, another build in its release file.
        assertTrue(home.contains("\nJAVA_RUNTIME_VERSION="), home);
        Files.writeString(jvm, home.substring(0, home.indexOf('\n')) + "\nJAVA_RUNTIME_VERSION=\"0-another-build\"\n");
        assertFalse(mainClassFromArchive(reader, MAIN_CLASSES.get("ecl-reader")), "an archive of another build was used");
        awaitRemade(jvm, home);
        assertTrue(mainClassFromArchive(reader, MAIN_CLASSES.get("ecl-reader")), "the remade archive is used");
    }

    private static void awaitRemade(Path jvm, String home) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(jvm).equals(home) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(home, Files.readString(jvm), "the archive was not remade for this JDK");
    }

    @Test
    void unpackedToolsPrintTheirVersionFromAnotherDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(WORK.resolve("elsewhere"));
        for (String tool : List.of("ecl-reader", "ecl-master", "ecl-log-event")) {
            String out = run(elsewhere, List.of(unpacked.resolve("bin").resolve(tool).toString(), "--version"), 0);
            assertEquals(tool + " " + VERSION, out.strip(), tool + " --version");
        }
        // Second run of the reader: the class-data archive of the first run is used.
        String again = run(elsewhere, List.of(unpacked.resolve("bin/ecl-reader").toString(), "--version"), 0);
        assertEquals("ecl-reader " + VERSION, again.strip());
    }

    @Test
    void unpackedReaderRunsThroughASymlinkOnThePath() throws Exception {
        // As after `ln -s $PWD/bin/ecl-reader /usr/local/bin/`: the launcher follows the link chain.
        Path pathDir = Files.createDirectories(WORK.resolve("path-bin"));
        Path link = pathDir.resolve("ecl-reader");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, unpacked.resolve("bin/ecl-reader"));
        String out = run(WORK, List.of(link.toString(), "--version"), 0);
        assertEquals("ecl-reader " + VERSION, out.strip());
    }

    @Test
    void systemdUnitsPassSystemdAnalyzeVerify() throws Exception {
        boolean present = onPath("systemd-analyze");
        if (!present) {
            System.err.println("SKIPPED: systemd-analyze is not installed here, so the units are not verified");
        }
        Assumptions.assumeTrue(present, "systemd-analyze not found");
        for (String name : UNITS) {
            // The units name the installed paths /usr/bin/ecl-*, which this machine need not have:
            // point them at the unpacked launcher, as the package's /usr/bin links would.
            String unit = Files.readString(unpacked.resolve("config").resolve(name))
                    .replace("/usr/bin/ecl-master", unpacked.resolve("bin/ecl-master").toString())
                    .replace("/usr/bin/ecl-reader", unpacked.resolve("bin/ecl-reader").toString());
            assertTrue(unit.contains(unpacked.resolve("bin").toString()), name + " starts no ecl tool");
            Path copy = WORK.resolve(name);
            Files.writeString(copy, unit);
            // Findings such as "Invalid environment assignment, ignoring" go to stderr with exit code 0.
            String out = run(WORK, List.of("sh", "-c", "systemd-analyze verify \"$1\" 2>&1", "sh", copy.toString()), 0);
            assertEquals("", out.strip(), name + ": systemd-analyze verify printed findings");
        }
    }

    // ---------------------------------------------------------------- .deb

    @Test
    void debControlNamesPackageVersionJavaAndScripts() throws Exception {
        assumeDpkgDeb();
        String info = run(WORK, List.of("dpkg-deb", "-I", DEB.toString()), 0);
        assertTrue(info.contains(" Package: ecl\n"), info);
        assertTrue(info.contains(" Version: " + VERSION + "\n"), info);
        assertTrue(info.contains(" Architecture: all\n"), info);
        assertTrue(info.contains(" Depends: openjdk-17-jre-headless | java17-runtime-headless\n"), info);
        for (String script : List.of("postinst", "prerm", "postrm", "conffiles")) {
            assertTrue(info.contains(" " + script + " "), script + " missing from the control archive:\n" + info);
        }
        Path control = WORK.resolve("deb-control");
        deleteRecursively(control);
        run(WORK, List.of("dpkg-deb", "-e", DEB.toString(), control.toString()), 0);
        assertEquals("/etc/ecl/config.yml", Files.readString(control.resolve("conffiles")).strip());
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("adduser --system") && postinst.contains("useradd --system"), "postinst creates the user");
        assertTrue(postinst.contains("systemctl daemon-reload"), "postinst reloads systemd");
        String postinstCode = postinst.lines().filter(l -> !l.strip().startsWith("#")).collect(Collectors.joining("\n"));
        assertFalse(postinstCode.matches("(?s).*systemctl\\s+(enable|start)\\b.*"),
                "postinst must not enable or start ecl-master");
        String prerm = Files.readString(control.resolve("prerm"));
        String postrm = Files.readString(control.resolve("postrm"));
        for (String unit : UNITS) {
            assertTrue(prerm.matches("(?s).*systemctl stop [^\n]*" + unit + ".*"), "prerm stops " + unit);
            assertTrue(prerm.matches("(?s).*systemctl disable [^\n]*" + unit + ".*"), "prerm disables " + unit);
            assertTrue(postinst.matches("(?s).*systemctl try-restart [^\n]*" + unit + ".*"),
                    "postinst restarts a running " + unit + " on upgrade");
            assertTrue(postrm.contains("/etc/systemd/system/multi-user.target.wants/" + unit),
                    "postrm forgets the enablement of " + unit + " on purge");
        }
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertExecutable(control.resolve(script));
            run(WORK, List.of("sh", "-n", control.resolve(script).toString()), 0);
        }
    }

    @Test
    void debPostinstMakesTheArchivesForTheInstalledJdk() throws Exception {
        assumeDpkgDeb();
        Path control = WORK.resolve("deb-control-cds");
        deleteRecursively(control);
        run(WORK, List.of("dpkg-deb", "-e", DEB.toString(), control.toString()), 0);
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("\n        /usr/share/ecl/bin/ecl-tool make-cds || true\n"), postinst);
        // Again when a JDK is installed or upgraded: dpkg runs `postinst triggered` for files under /usr/lib/jvm.
        assertEquals("interest-noawait /usr/lib/jvm", Files.readString(control.resolve("triggers")).strip());
        assertTrue(postinst.matches("(?s).*\\n    triggered\\)\\n[^;]*/usr/share/ecl/bin/ecl-tool make-cds \\|\\| true\\n.*"),
                postinst);
        String prerm = Files.readString(control.resolve("prerm"));
        assertTrue(prerm.contains("rm -f /usr/share/ecl/lib/*.jsa /usr/share/ecl/lib/*.jsa.jvm"), prerm);
    }

    @Test
    void debPostinstCreatesTheSystemUserWithAdduserOrUseradd() throws Exception {
        assumeDpkgDeb();
        Path control = WORK.resolve("deb-control-postinst");
        deleteRecursively(control);
        run(WORK, List.of("dpkg-deb", "-e", DEB.toString(), control.toString()), 0);
        // Stand-ins for getent, adduser, useradd and systemctl that only record how they were called;
        // PATH leaves out /usr/sbin, so the real adduser and useradd are never reached.
        String[][] cases = {
            // tool offered, does group ecl exist already, expected call
            {"adduser", "2", "adduser --system --group --no-create-home --home /nonexistent --shell /usr/sbin/nologin"},
            {"adduser", "0", "adduser --system --ingroup ecl --no-create-home --home /nonexistent --shell /usr/sbin/nologin"},
            {"useradd", "2", "useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin"},
            {"useradd", "0", "useradd --system --gid ecl --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin"},
        };
        for (String[] c : cases) {
            Path shims = WORK.resolve("shims-" + c[0] + "-" + c[1]);
            deleteRecursively(shims);
            Files.createDirectories(shims);
            Path log = shims.resolve("calls.log");
            shim(shims, "getent", "case $1 in passwd) exit 2 ;; group) exit " + c[1] + " ;; esac; exit 2");
            shim(shims, c[0], "exit 0");
            shim(shims, "systemctl", "exit 0");
            Map<String, String> env = Map.of("PATH", shims + ":/usr/bin:/bin", "CALLS", log.toString());
            run(WORK, List.of("sh", control.resolve("postinst").toString(), "configure", ""), 0, env);
            String calls = Files.readString(log);
            assertTrue(calls.contains(c[2]) && calls.strip().endsWith(" ecl"), c[0] + " (group exists: "
                    + c[1].equals("0") + "): expected " + c[2] + " ... ecl, got:\n" + calls);
            assertFalse(calls.matches("(?s).*systemctl (enable|start).*"), "postinst enabled or started:\n" + calls);

            // Reconfiguring when the user exists creates nothing.
            Files.delete(log);
            shim(shims, "getent", "exit 0");
            run(WORK, List.of("sh", control.resolve("postinst").toString(), "configure", VERSION), 0, env);
            String again = Files.exists(log) ? Files.readString(log) : "";
            assertFalse(again.contains(c[0]), "user created twice:\n" + again);
        }
    }

    @Test
    void debPrermDisablesBothUnitsOnRemoveButNotOnUpgrade() throws Exception {
        assumeDpkgDeb();
        Path control = WORK.resolve("deb-control-prerm");
        deleteRecursively(control);
        run(WORK, List.of("dpkg-deb", "-e", DEB.toString(), control.toString()), 0);
        Path shims = WORK.resolve("shims-prerm");
        deleteRecursively(shims);
        Files.createDirectories(shims);
        Path log = shims.resolve("calls.log");
        shim(shims, "systemctl", "exit 0");
        Map<String, String> env = Map.of("PATH", shims + ":/usr/bin:/bin", "CALLS", log.toString());

        run(WORK, List.of("sh", control.resolve("prerm").toString(), "remove"), 0, env);
        // (systemctl stop runs only where systemd is PID 1, which a build machine need not be.)
        assertTrue(Files.readString(log).contains("systemctl disable ecl-master.service ecl-reader-serve.service\n"),
                "prerm remove: " + Files.readString(log));

        Files.delete(log);
        run(WORK, List.of("sh", control.resolve("prerm").toString(), "upgrade", VERSION), 0, env);
        assertFalse(Files.exists(log) && Files.readString(log).contains("disable"), "prerm upgrade disabled a unit");
    }

    private static void shim(Path dir, String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\necho \"" + name + " $*\" >> \"$CALLS\"\n" + body + "\n");
        p.toFile().setExecutable(true, false);
    }

    @Test
    void debContainsToolsLinksConfigUnitMuninAndDocs() throws Exception {
        assumeDpkgDeb();
        Map<String, String> entries = new HashMap<>();   // path -> "mode" or "mode -> target"
        for (String line : lines(run(WORK, List.of("dpkg-deb", "-c", DEB.toString()), 0))) {
            // drwxr-xr-x root/root 0 2026-11-24 09:03 ./usr/share/ecl/   (links: "./a -> b")
            String[] f = line.split("\\s+", 6);
            String name = f[5];
            String target = null;
            int arrow = name.indexOf(" -> ");
            if (arrow >= 0) {
                target = name.substring(arrow + 4);
                name = name.substring(0, arrow);
            }
            name = name.replaceFirst("^\\./", "/");
            assertEquals("root/root", f[1], name + " owner");
            entries.put(name, f[0] + (target == null ? "" : " -> " + target));
        }
        assertFileMode(entries, "/usr/share/ecl/bin/ecl-tool", "-rwxr-xr-x");
        for (String tool : TOOL_LINKS) {
            assertEquals("l", entries.get("/usr/share/ecl/bin/" + tool).substring(0, 1), tool);
            assertTrue(entries.get("/usr/share/ecl/bin/" + tool).endsWith(" -> ecl-tool"), tool);
        }
        for (String tool : List.of("ecl-master", "ecl-reader", "ecl-log-event")) {
            String e = entries.get("/usr/bin/" + tool);
            assertTrue(e != null && e.startsWith("l") && e.endsWith(" -> /usr/share/ecl/bin/" + tool),
                    "/usr/bin/" + tool + ": " + e);
        }
        assertEquals(List.of(), entries.keySet().stream().filter(n -> n.contains(".jsa")).toList(),
                "the postinst makes the archives for the machine's JDK: the .deb ships none");
        assertFileMode(entries, "/usr/share/ecl/lib/ecl-master.jar", "-rw-r--r--");
        assertFileMode(entries, "/usr/share/ecl/lib/ecl-reader.jar", "-rw-r--r--");
        assertFileMode(entries, "/etc/ecl/config.yml", "-rw-r--r--");
        for (String unit : UNITS) {
            assertFileMode(entries, "/lib/systemd/system/" + unit, "-rw-r--r--");
        }
        assertFileMode(entries, "/usr/share/munin/plugins/ecl_", "-rwxr-xr-x");
        assertFileMode(entries, "/usr/share/munin/plugins/ecl_fixed", "-rwxr-xr-x");
        assertFileMode(entries, "/usr/share/munin/plugins/ecl_dynamic", "-rwxr-xr-x");
        assertFileMode(entries, "/usr/share/doc/ecl/README.md", "-rw-r--r--");
        assertFileMode(entries, "/usr/share/doc/ecl/docs/install-and-operate.md", "-rw-r--r--");
        assertFileMode(entries, "/usr/share/doc/ecl/copyright", "-rw-r--r--");

        for (String entry : entries.keySet()) {
            for (String name : NOT_SHIPPED) {
                assertFalse(entry.contains(name), "the .deb ships " + entry);
            }
        }

        // The .deb's lib is the tarball's lib: the same jars and class lists, nothing more.
        Set<String> debLib = entries.keySet().stream()
                .filter(n -> n.startsWith("/usr/share/ecl/lib/") && (n.endsWith(".jar") || n.endsWith(".classlist")))
                .map(n -> n.substring("/usr/share/ecl/".length())).collect(Collectors.toCollection(TreeSet::new));
        Set<String> tarLib;
        try (Stream<Path> s = Files.walk(unpacked.resolve("lib"))) {
            tarLib = s.filter(p -> p.toString().endsWith(".jar") || p.toString().endsWith(".classlist"))
                    .map(p -> unpacked.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(tarLib, debLib, "jars in the .deb vs the tarball");
    }

    @Test
    void debExtractedReaderPrintsItsVersion() throws Exception {
        assumeDpkgDeb();
        Path root = WORK.resolve("deb-root");
        deleteRecursively(root);
        run(WORK, List.of("dpkg-deb", "-x", DEB.toString(), root.toString()), 0);
        assertSameContent(ROOT.resolve("config/ecl.example.yml"), root.resolve("etc/ecl/config.yml"));
        for (String unit : UNITS) {
            assertSameContent(ROOT.resolve("config").resolve(unit), root.resolve("lib/systemd/system").resolve(unit));
        }
        assertTrue(Files.readString(root.resolve("lib/systemd/system/ecl-master.service"))
                .contains("\nExecStart=/usr/bin/ecl-master\n"), "ecl-master.service starts the packaged /usr/bin/ecl-master");
        assertTrue(Files.readString(root.resolve("lib/systemd/system/ecl-reader-serve.service"))
                .contains("\nExecStart=/usr/bin/ecl-reader serve $ARGS\n"),
                "ecl-reader-serve.service starts the packaged /usr/bin/ecl-reader serve");
        Path elsewhere = Files.createDirectories(WORK.resolve("elsewhere"));
        for (String tool : List.of("ecl-reader", "ecl-master")) {
            String out = run(elsewhere, List.of(root.resolve("usr/share/ecl/bin").resolve(tool).toString(), "--version"), 0);
            assertEquals(tool + " " + VERSION, out.strip(), tool + " --version");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The tarball unpacked once more, into a directory of its own. */
    private static Path freshUnpack(String name) throws Exception {
        Path dir = WORK.resolve(name);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        run(WORK, List.of("tar", "-xzf", TARBALL.toString(), "-C", dir.toString()), 0);
        return dir.resolve(NAME);
    }

    /**
     * Runs {@code launcher --version}, which must print only its version (nothing on stderr either,
     * whatever the state of its archive), and tells whether the JVM took {@code mainClass} from a
     * class-data-sharing archive.
     */
    private static boolean mainClassFromArchive(Path launcher, String mainClass) throws Exception {
        Path log = Files.createTempFile(WORK, "class-load", ".log");
        String tool = launcher.getFileName().toString();
        String out = run(WORK, List.of(launcher.toString(), "--version"), 0,
                Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + log), true);
        assertEquals(tool + " " + VERSION, out.strip(), tool + " --version");
        String line = Files.readAllLines(log).stream().filter(l -> l.contains(" " + mainClass + " source: "))
                .findFirst().orElseThrow(() -> new AssertionError(mainClass + " not loaded by " + launcher));
        Files.delete(log);
        return line.endsWith("source: shared objects file");
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.isRegularFile(p) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(Files.isRegularFile(p), p + " was not made within 60 s");
    }

    private static void assumeDpkgDeb() {
        boolean present = onPath("dpkg-deb");
        if (!present) {
            System.err.println("SKIPPED: dpkg-deb is not installed here, so the .deb checks of DistributionIT do not run"
                    + " (apt-get install dpkg, or run on Debian/Ubuntu)");
        }
        Assumptions.assumeTrue(present, "dpkg-deb not found: .deb checks skipped");
        assertTrue(Files.isRegularFile(DEB), DEB + " was not built");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        return Arrays.stream(path.split(":")).anyMatch(d -> !d.isEmpty() && Files.isExecutable(Paths.get(d, command)));
    }

    private static void assertFileMode(Map<String, String> entries, String path, String mode) {
        String e = entries.get(path);
        assertTrue(e != null, path + " not in the .deb");
        assertEquals(mode, e, path + " mode");
    }

    private static void assertExecutable(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        assertTrue(perms.containsAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE)), p + " is not executable: " + perms);
    }

    private static void assertSameContent(Path expected, Path actual) throws IOException {
        assertTrue(Arrays.equals(Files.readAllBytes(expected), Files.readAllBytes(actual)),
                actual + " differs from " + expected);
    }

    private static Attributes manifest(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest().getMainAttributes();
        }
    }

    private interface PathTest {
        boolean test(Path p) throws IOException;
    }

    private static Set<String> listNames(Path dir, PathTest filter) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (filter.test(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        }
        return names;
    }

    private static List<String> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    /** Runs a command, the tools with this test's own JVM; returns stdout, fails on another exit code. */
    private static String run(Path dir, List<String> command, int expectedExit) throws Exception {
        return run(dir, command, expectedExit, Map.of());
    }

    private static String run(Path dir, List<String> command, int expectedExit, Map<String, String> env)
            throws Exception {
        return run(dir, command, expectedExit, env, false);
    }

    /** With {@code silent}, anything on stderr fails the test too. */
    private static String run(Path dir, List<String> command, int expectedExit, Map<String, String> env,
            boolean silent) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile());
        pb.environment().putAll(env);
        ProcessHandle.current().info().command().ifPresent(java -> pb.environment().put("JAVA", java));
        pb.environment().put("XDG_CACHE_HOME", WORK.resolve("cache").toString());
        Path err = Files.createTempFile(WORK, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        String stderr = Files.readString(err);
        Files.delete(err);
        assertEquals(expectedExit, p.exitValue(), String.join(" ", command) + " in " + dir
                + "\nstdout:\n" + out + "\nstderr:\n" + stderr);
        if (silent) {
            assertEquals("", stderr, String.join(" ", command) + " wrote to stderr");
        }
        return out;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
