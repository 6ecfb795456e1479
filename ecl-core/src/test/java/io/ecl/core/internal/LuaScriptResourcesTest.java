package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the scripts' resources are read from: the jar of the classes, else the class loader. */
class LuaScriptResourcesTest {
    private static final String SENT = LuaScript.RESOURCE_DIR + "read" + LuaScript.BUILT_SUFFIX;
    private static final String SCRIPT = LuaScript.RESOURCE_DIR + "read.lua";
    private static final String PRELUDE = LuaScript.RESOURCE_DIR + "prelude.lua";

    @TempDir
    Path dir;

    private static String classLoaderText(String path) throws Exception {
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            assertNotNull(in, path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A jar holding {@code path} -> {@code text} pairs, as the build packs ecl-core's resources. */
    private Path jar(String... pathsAndTexts) throws Exception {
        return jar(dir.resolve("ecl-core.jar"), pathsAndTexts);
    }

    private static Path jar(Path jar, String... pathsAndTexts) throws Exception {
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < pathsAndTexts.length; i += 2) {
                zip.putNextEntry(new ZipEntry(pathsAndTexts[i].substring(1)));
                zip.write(pathsAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void readsTheResourcesFromTheJarOfTheClassesWithNullForOneItLacks() throws Exception {
        Path jar = jar(SENT, "sent ä\n", SCRIPT, "return 1\n");

        String[] texts = LuaScript.texts(LuaScript.Jar.of(jar), SENT, SCRIPT, PRELUDE);

        assertArrayEquals(new String[] {"sent ä\n", "return 1\n", null}, texts);
    }

    @Test
    void aJarReplacedSinceItWasSeenIsLeftToTheClassLoader() throws Exception {
        // A package upgrade under a running process: its classes came from the jar it first saw.
        Path jar = jar(SCRIPT, "return 1\n");
        LuaScript.Jar seen = LuaScript.Jar.of(jar);
        Path upgrade = jar(dir.resolve("upgrade.jar"), SCRIPT, "return 2\n");
        Files.move(upgrade, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        String[] texts = LuaScript.texts(seen, SCRIPT);

        assertArrayEquals(new String[] {classLoaderText(SCRIPT)}, texts);
        assertArrayEquals(new String[] {"return 2\n"}, LuaScript.texts(LuaScript.Jar.of(jar), SCRIPT));
    }

    @Test
    void aJarThatCannotBeOpenedLeavesTheReadsToTheClassLoader() throws Exception {
        Path notAZip = Files.writeString(dir.resolve("broken.jar"), "not a zip");

        String[] texts = LuaScript.texts(LuaScript.Jar.of(notAZip), SCRIPT, PRELUDE);

        assertArrayEquals(new String[] {classLoaderText(SCRIPT), classLoaderText(PRELUDE)}, texts);
    }

    @Test
    void classesFromADirectoryReadThroughTheClassLoader() throws Exception {
        // The tests run from target/classes: no jar to open.
        assertNull(LuaScript.codeSourceJar());

        String[] texts = LuaScript.texts(SENT, SCRIPT, "/lua/ecl/no-such-script.lua");

        assertEquals(classLoaderText(SENT), texts[0]);
        assertEquals(classLoaderText(SCRIPT), texts[1]);
        assertNull(texts[2]);
    }
}
