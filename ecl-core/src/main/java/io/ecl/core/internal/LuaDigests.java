package io.ecl.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A build step of ecl-core ({@code process-classes}): writes the SHA-1 of every script, as
 * {@link LuaScript} sends it, to {@code <name>.sha1} beside {@code <name>.lua} (with the hash
 * code of that source, which tells a digest from another version of the script), so that no
 * process computes it at run time. Usage: {@code LuaDigests DIR} (the compiled {@code lua/ecl}
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
                Files.writeString(dir.resolve(name + ".sha1"), LuaScript.digestLine(name) + "\n",
                        StandardCharsets.US_ASCII);
            }
        }
    }
}
