package io.ecl.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A build step of ecl-core ({@code process-classes}): writes every script as {@link LuaScript}
 * sends it (the prelude's definitions it uses, then the script) and its SHA-1 to
 * {@code <name>.sent} beside {@code <name>.lua}, with the hash codes of the script and prelude it
 * was made from (which tell it from another version of either), so that no process composes or
 * hashes a script at run time. Usage: {@code LuaDigests DIR} (the compiled {@code lua/ecl}
 * directory, with the scripts on the class path).
 */
public final class LuaDigests {
    private LuaDigests() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LuaDigests DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        try (DirectoryStream<Path> scripts = Files.newDirectoryStream(dir, "*.lua")) {
            for (Path script : scripts) {
                String name = script.getFileName().toString();
                name = name.substring(0, name.length() - ".lua".length());
                if (name.equals("prelude")) {
                    continue; // part of every script, not a script of its own
                }
                Files.writeString(dir.resolve(name + LuaScript.BUILT_SUFFIX), LuaScript.builtResource(name),
                        StandardCharsets.UTF_8);
            }
        }
    }
}
