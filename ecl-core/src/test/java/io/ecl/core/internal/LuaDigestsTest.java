package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ecl.testing.EmbeddedRedis;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SHA-1s the build writes beside the scripts are the ones Redis gives the scripts as sent. */
class LuaDigestsTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static List<String> scripts() throws Exception {
        Path dir = Path.of(LuaScript.class.getResource(LuaScript.RESOURCE_DIR + "prelude.lua").toURI()).getParent();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> lua = Files.newDirectoryStream(dir, "*.lua")) {
            for (Path p : lua) {
                String name = p.getFileName().toString().replace(".lua", "");
                if (!name.equals("prelude")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Test
    void everyScriptIsBuiltAsComposedWithTheDigestRedisComputesForIt() throws Exception {
        List<String> names = scripts();
        assertTrue(names.containsAll(List.of("log", "rotate", "read", "direct")), names::toString);
        for (String name : names) {
            String source = LuaScript.compose(raw(name));
            String loaded = redis.client().scriptLoad(source);
            LuaScript.Built built = LuaScript.built(name);
            assertEquals(new LuaScript.Built(loaded, source), built, name);
        }
    }

    private static String raw(String name) throws java.io.IOException {
        return new String(LuaScript.class.getResourceAsStream(LuaScript.RESOURCE_DIR + name + ".lua").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void whatTheBuildComposedFromAnotherScriptOrPreludeIsNotUsed() throws Exception {
        String built = LuaScript.builtResource("log");
        String script = raw("log");
        String prelude = raw("prelude");

        assertEquals(LuaScript.compose(script), LuaScript.built(built, script, prelude).source());
        assertNull(LuaScript.built(built, script + "\n-- edited after the build\n", prelude));
        assertNull(LuaScript.built(built, script, prelude + "\n-- edited after the build\n"));
    }

    @Test
    void aScriptTheBuildDidNotComposeIsComposedWhenUsed() {
        assertNull(LuaScript.built("no-such-script"));
    }

    @Test
    void theBuiltClassHoldsTheTextsOfTheResources() throws Exception {
        for (String name : scripts()) {
            String resource = new String(LuaScript.class.getResourceAsStream(LuaScript.RESOURCE_DIR + name
                    + LuaScript.BUILT_SUFFIX).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(resource, LuaScript.constant(name), name);
        }
        assertNull(LuaScript.constant("no-such-script"));
    }

    /** Loads class bytes as the JVM would, in a loader of their own. */
    private static Class<?> define(String name, byte[] bytes) {
        return new ClassLoader(null) {
            Class<?> load() {
                return defineClass(name, bytes, 0, bytes.length);
            }
        }.load();
    }

    @Test
    void theConstantsClassIsAClassTheJvmLoadsWithEveryTextIntact() throws Exception {
        java.util.Map<String, String> fields = new java.util.TreeMap<>();
        fields.put("plain", "local n = #KEYS\nreturn n");
        fields.put("unicode", "-- \u00e9\u4e2d \ud83d\ude00 and a NUL \u0000 in the middle");
        fields.put("empty", "");
        fields.put("big", "x".repeat(65_000));
        Class<?> c = define("t.Consts", LuaDigests.constantsClass("t/Consts", fields));
        for (java.util.Map.Entry<String, String> f : fields.entrySet()) {
            java.lang.reflect.Field field = c.getField(f.getKey());
            assertTrue(java.lang.reflect.Modifier.isStatic(field.getModifiers())
                    && java.lang.reflect.Modifier.isFinal(field.getModifiers()), f.getKey());
            assertEquals(f.getValue(), field.get(null), f.getKey());
        }
        assertEquals(0, c.getDeclaredMethods().length + c.getDeclaredConstructors().length);
    }

    @Test
    void aScriptLongerThanAClassConstantHoldsFailsTheBuildWithOneLine() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LuaDigests.constantsClass("t/Consts", java.util.Map.of("huge", "\u00e9".repeat(40_000))));
        assertEquals("a constant of 40000 characters is longer than a class file holds (65,535 bytes); split the script",
                e.getMessage());
    }
}
