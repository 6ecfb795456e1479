package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each script is sent with only the prelude's definitions it uses, directly or through others. */
class LuaPreludeTest {
    private static final String PRELUDE = String.join("\n",
            "-- the file's opening comment",
            "",
            "local A = 'a'",
            "local UNUSED = 1",
            "",
            "-- b's comment",
            "local function b(x)",
            "  return x .. A -- not c",
            "end",
            "",
            "local function c()",
            "  return b('c')",
            "end",
            "");

    private static List<String> defined(String source) {
        List<String> names = new ArrayList<>();
        for (String line : source.split("\n")) {
            if (line.startsWith("local ")) {
                names.add(line.replace("local function ", "").replace("local ", "").split("[ (]")[0]);
            }
        }
        return names;
    }

    @Test
    void aScriptGetsWhatItCallsAndWhatThatNeeds() {
        LuaScript.Prelude prelude = new LuaScript.Prelude(PRELUDE);

        assertEquals(List.of("A", "b", "c"), defined(prelude.neededBy("return c()")));
        assertEquals(List.of("A", "b"), defined(prelude.neededBy("return b(1)")));
        assertTrue(prelude.neededBy("return b(1)").contains("-- b's comment"), "comments go with their definition");
    }

    @Test
    void namesInCommentsAndStringsOrInsideOtherNamesPullNothingIn() {
        LuaScript.Prelude prelude = new LuaScript.Prelude(PRELUDE);

        assertEquals(List.of(), defined(prelude.neededBy(String.join("\n",
                "-- calls c() in a comment",
                "local s = 'c() in a string' .. \"b\"",
                "local cb, b2 = 1, 2",
                "return 0x1A"))));
    }

    @Test
    void codeOutsideADefinitionIsRefused() {
        assertThrows(IllegalStateException.class, () -> new LuaScript.Prelude("local A = 1\nredis.call('PING')\n"));
    }

    @Test
    void directModesScriptDefinesOnlyTheOpenCheck() {
        String source = LuaScript.compose("-- probe\nreturn all_open({}, 0, 0, 0) and FENCE_A .. FENCE_B");

        assertEquals(List.of("MARKER_TTL_MS", "FENCE_A", "FENCE_B", "secs_ms", "aligned", "all_open"), defined(source));
    }
}
