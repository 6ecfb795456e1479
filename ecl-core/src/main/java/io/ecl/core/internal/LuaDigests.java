package io.ecl.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A build step of ecl-core ({@code process-classes}): writes every script as {@link LuaScript}
 * sends it (the prelude's definitions it uses, then the script) and its SHA-1 to
 * {@code <name>.sent} beside {@code <name>.lua}, with the hash codes of the script and prelude it
 * was made from (which tell it from another version of either), so that no process composes or
 * hashes a script at run time. It also writes the same texts as the string constants of a class,
 * {@value #CONSTANTS_CLASS}, which a run from a jar reads instead of the resources (see
 * {@link LuaScript#built}): a class from the class-data-sharing archive, its strings included,
 * costs a one-shot tool nothing, where opening the jar and inflating three entries took 2-3 ms.
 * Usage: {@code LuaDigests DIR} (the compiled {@code lua/ecl} directory, two levels below the
 * class output directory, with the scripts on the class path).
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
        Map<String, String> built = new TreeMap<>();
        try (DirectoryStream<Path> scripts = Files.newDirectoryStream(dir, "*.lua")) {
            for (Path script : scripts) {
                String name = script.getFileName().toString();
                name = name.substring(0, name.length() - ".lua".length());
                if (name.equals("prelude")) {
                    continue; // part of every script, not a script of its own
                }
                String text = LuaScript.builtResource(name);
                Files.writeString(dir.resolve(name + LuaScript.BUILT_SUFFIX), text, StandardCharsets.UTF_8);
                built.put(name, text);
            }
        }
        Path classes = dir.getParent().getParent();
        Path file = classes.resolve(CONSTANTS_CLASS.replace('.', '/') + ".class");
        Files.createDirectories(file.getParent());
        Files.write(file, constantsClass(CONSTANTS_CLASS.replace('.', '/'), built));
    }

    /** The class of the built scripts' texts: one public static final String per script, named as it. */
    static final String CONSTANTS_CLASS = "io.ecl.core.internal.LuaBuilt";

    /**
     * A class file (Java 17) of a public final class {@code internalName} with a public static final
     * String field per entry of {@code fields}, its value as a constant (a ConstantValue attribute,
     * which the JVM sets when it loads the class). No methods: nothing makes an instance. Written by
     * hand rather than generated as source, which would need a second compilation of the module.
     *
     * @throws IllegalArgumentException when a value is longer than a class file's constant holds
     *     (65,535 bytes of modified UTF-8)
     */
    static byte[] constantsClass(String internalName, Map<String, String> fields) throws IOException {
        ByteArrayOutputStream pool = new ByteArrayOutputStream();
        DataOutputStream p = new DataOutputStream(pool);
        int[] next = {1};
        // Constant pool entries: this class, its super class, the field descriptor, the attribute name,
        // then per field its name and its String constant.
        int thisName = utf8(p, next, internalName);
        int thisClass = classRef(p, next, thisName);
        int superClass = classRef(p, next, utf8(p, next, "java/lang/Object"));
        int descriptor = utf8(p, next, "Ljava/lang/String;");
        int constantValue = utf8(p, next, "ConstantValue");
        int[][] entries = new int[fields.size()][];
        int k = 0;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            int name = utf8(p, next, f.getKey());
            int value = utf8(p, next, f.getValue());
            p.writeByte(8); // CONSTANT_String
            p.writeShort(value);
            entries[k++] = new int[] {name, next[0]++};
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(out);
        c.writeInt(0xCAFEBABE);
        c.writeShort(0);  // minor
        c.writeShort(61); // major: Java 17
        c.writeShort(next[0]);
        p.flush();
        pool.writeTo(c);
        c.writeShort(0x0001 | 0x0010 | 0x0020); // public final super
        c.writeShort(thisClass);
        c.writeShort(superClass);
        c.writeShort(0); // interfaces
        c.writeShort(entries.length);
        for (int[] e : entries) {
            c.writeShort(0x0001 | 0x0008 | 0x0010); // public static final
            c.writeShort(e[0]);
            c.writeShort(descriptor);
            c.writeShort(1);
            c.writeShort(constantValue);
            c.writeInt(2);
            c.writeShort(e[1]);
        }
        c.writeShort(0); // methods
        c.writeShort(0); // attributes
        c.flush();
        return out.toByteArray();
    }

    /** A CONSTANT_Utf8 (modified UTF-8, as DataOutput.writeUTF writes it); its index. */
    private static int utf8(DataOutputStream pool, int[] next, String text) throws IOException {
        pool.writeByte(1);
        try {
            pool.writeUTF(text);
        } catch (java.io.UTFDataFormatException e) {
            throw new IllegalArgumentException("a constant of " + text.length() + " characters is longer than a class"
                    + " file holds (65,535 bytes); split the script", e);
        }
        return next[0]++;
    }

    private static int classRef(DataOutputStream pool, int[] next, int name) throws IOException {
        pool.writeByte(7); // CONSTANT_Class
        pool.writeShort(name);
        return next[0]++;
    }
}
