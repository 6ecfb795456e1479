package io.ecl.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Lua script from {@code src/main/resources/lua/ecl}, called by EVALSHA: the one loader of ecl's
 * scripts. Each is sent as one source: a line defining {@code MARKER_TTL_MS} from
 * {@link Keys#MARKER_TTL_MILLIS}, then the definitions of {@code prelude.lua} (the rules every
 * script shares) that the script uses, then the script. Its SHA-1 is known locally, so no SCRIPT
 * LOAD round trip is needed: a NOSCRIPT answer (new or restarted Redis) is followed by one EVAL,
 * which also caches the script on the server. The build composes each script and computes its
 * SHA-1 ({@link LuaDigests}: a {@code .sent} resource beside the script, and the same text as a
 * constant of the class {@code LuaBuilt}, see {@link #built}), so that a one-shot tool does
 * neither; without them (a build that skipped the step, or one older than the script) both are
 * done at first use.
 */
public final class LuaScript {
    public static final LuaScript LOG = new LuaScript("log");
    public static final LuaScript ROTATE = new LuaScript("rotate");
    static final LuaScript READ = new LuaScript("read");
    static final LuaScript DIRECT = new LuaScript("direct");
    static final LuaScript CHECK = new LuaScript("check");
    static final LuaScript UNIQUE = new LuaScript("unique");
    public static final LuaScript ADOPT = new LuaScript("adopt");
    static final LuaScript TOTALS = new LuaScript("totals");
    static final LuaScript HISTORY = new LuaScript("history");

    /** Where the scripts live on the class path. */
    static final String RESOURCE_DIR = "/lua/ecl/";

    final String name;
    /** Read at first use; racing threads compute equal values. */
    private volatile String source;
    private volatile byte[] sourceBytes;
    /** Computed at first use of EVALSHA (a one-shot tool that sends the source never pays for it). */
    private volatile Digest digest;

    private LuaScript(String name) {
        this.name = name;
    }

    /** The SHA-1 of the source, in both forms the calls need. */
    private static final class Digest {
        final String sha;
        final byte[] shaBytes;

        Digest(String sha) {
            this.sha = sha;
            this.shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The whole source as sent with EVAL (prelude included). */
    String source() {
        String s = source;
        if (s == null) {
            Built b = built(name);
            if (b != null) {
                s = b.source;
                digest = new Digest(b.sha);
            } else {
                s = compose(resource(name));
            }
            source = s;
        }
        return s;
    }

    byte[] sourceBytes() {
        byte[] b = sourceBytes;
        if (b == null) {
            b = source().getBytes(StandardCharsets.UTF_8);
            sourceBytes = b;
        }
        return b;
    }

    private Digest digest() {
        Digest d = digest;
        if (d == null) {
            String s = source(); // sets the digest when the build made the source
            d = digest;
            if (d == null) {
                d = new Digest(sha1(s));
                digest = d;
            }
        }
        return d;
    }

    /** A script as the build composed it: its SHA-1 and the source sent. */
    record Built(String sha, String source) {
    }

    /** The resource the build writes for each script (see {@link LuaDigests}). */
    static final String BUILT_SUFFIX = ".sent";

    /**
     * The script {@code name} as the build composed it, if the build composed it from the script
     * and prelude there are now, else null. Composing at run time cost a one-shot tool about 10 ms
     * (the prelude cut and scanned by the interpreter), hashing it tens more (the JCA provider
     * framework): the build does both. Its resource's first line records the SHA-1 and the hash
     * codes of the script and prelude it was made from, so that a build that copied a new script
     * but skipped the step never sends the old one under its name.
     */
    static Built built(String name) {
        if (JAR != null) {
            // From a jar, which the build made with this class: the class holds the same texts,
            // read from the class-data-sharing archive rather than inflated from the jar.
            String text = constant(name);
            if (text != null) {
                return built(text, null, null);
            }
        }
        String[] texts = texts(RESOURCE_DIR + name + BUILT_SUFFIX, RESOURCE_DIR + name + ".lua",
                RESOURCE_DIR + "prelude.lua");
        return texts[0] == null || texts[1] == null || texts[2] == null ? null : built(texts[0], texts[1], texts[2]);
    }

    /**
     * The text {@link LuaDigests} wrote for the script {@code name} as a constant of
     * {@value LuaDigests#CONSTANTS_CLASS}, or null (no such class or field: a build that did not
     * run the step, or a script it did not know).
     */
    static String constant(String name) {
        try {
            Class<?> c = Class.forName(LuaDigests.CONSTANTS_CLASS, true, LuaScript.class.getClassLoader());
            Object text = c.getField(name).get(null);
            return text instanceof String && ((String) text).indexOf('\n') > 40 ? (String) text : null;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code built} (a text the build wrote) if it was made from {@code script} and {@code prelude},
     * else null; a null {@code script} or {@code prelude} is not checked (the build's class of
     * constants, which comes with the scripts it was made from).
     */
    static Built built(String built, String script, String prelude) {
        int eol = built.indexOf('\n');
        String[] head = (eol < 0 ? built : built.substring(0, eol)).split(" ");
        if (head.length != 3 || head[0].length() != 40
                || (script != null && !head[1].equals(Integer.toString(script.hashCode())))
                || (prelude != null && !head[2].equals(Integer.toString(prelude.hashCode())))) {
            return null;
        }
        return new Built(head[0], built.substring(eol + 1));
    }

    /** What the build writes for the script {@code name}: the header line, then the source as sent. */
    static String builtResource(String name) {
        String script = resource(name);
        String source = compose(script);
        return sha1(source) + " " + script.hashCode() + " " + resource("prelude").hashCode() + "\n" + source;
    }

    /**
     * The resources at {@code paths} (each null when missing or unreadable), read from the jar this
     * class was loaded from through one {@link ZipFile} when it was loaded from one: the class
     * loader's resource lookup asks the JDK's module image first, then each jar of the class path
     * in turn, and reads through a {@code jar:} URL connection, which cost a one-shot tool about
     * 3 ms for its three reads. A class loaded from anywhere else, or a jar replaced since (a
     * package upgrade under a running daemon: the class loader still reads the jar its classes
     * came from), reads through the class loader.
     */
    static String[] texts(String... paths) {
        return texts(JAR, paths);
    }

    /** {@code paths} read from {@code jar}, or through the class loader when it is null, replaced or unreadable. */
    static String[] texts(Jar jar, String... paths) {
        String[] texts = new String[paths.length];
        if (jar != null && jar.unchanged()) {
            try (ZipFile zip = new ZipFile(jar.path.toFile())) {
                for (int i = 0; i < paths.length; i++) {
                    ZipEntry entry = zip.getEntry(paths[i].substring(1));
                    if (entry != null) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            texts[i] = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    }
                }
                return texts;
            } catch (IOException e) {
                // cannot be opened or read now: the class loader decides
            }
        }
        for (int i = 0; i < paths.length; i++) {
            texts[i] = text(paths[i]);
        }
        return texts;
    }

    /** The jar this class was loaded from, as it was when this class was initialised; null if none. */
    private static final Jar JAR = Jar.of(codeSourceJar());

    /** A jar file as it was when this was made: its file (device and inode), time and size. */
    static final class Jar {
        final Path path;
        private final Object fileKey;
        private final long modified;
        private final long size;

        private Jar(Path path, BasicFileAttributes attributes) {
            this.path = path;
            this.fileKey = attributes.fileKey();
            this.modified = attributes.lastModifiedTime().toMillis();
            this.size = attributes.size();
        }

        /** {@code path} as it is now, or null (no path, not readable). */
        static Jar of(Path path) {
            if (path == null) {
                return null;
            }
            try {
                return new Jar(path, Files.readAttributes(path, BasicFileAttributes.class));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** Still the same file with the same time and size: neither replaced nor rewritten since. */
        boolean unchanged() {
            Jar now = of(path);
            return now != null && java.util.Objects.equals(fileKey, now.fileKey) && modified == now.modified
                    && size == now.size;
        }
    }

    /** The jar file this class was loaded from, or null (a directory of classes, an unknown location). */
    static Path codeSourceJar() {
        try {
            java.security.CodeSource source = LuaScript.class.getProtectionDomain().getCodeSource();
            java.net.URL location = source == null ? null : source.getLocation();
            if (location == null || !"file".equals(location.getProtocol())) {
                return null;
            }
            Path path = Path.of(location.toURI());
            return Files.isRegularFile(path) ? path : null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String text(String path) {
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** The SHA-1 EVALSHA names the script by, as sent. */
    byte[] shaBytes() {
        return digest().shaBytes;
    }

    /** The SHA-1 EVALSHA names the script by. */
    String sha() {
        return digest().sha;
    }

    /**
     * The generated constants, the prelude's definitions the script uses, then the script. Redis
     * runs a script's top level on every call, so each {@code local function} of the prelude is a
     * closure made anew per call: all of them cost direct.lua, the hot path of direct mode, about
     * a fifth of its Redis time while it uses four. So a script gets only what it names, directly
     * or through the definitions it takes (see {@link Prelude}), in the prelude's order.
     */
    public static String compose(String script) {
        return "local MARKER_TTL_MS = " + Keys.MARKER_TTL_MILLIS + "\n" + Prelude.INSTANCE.neededBy(script) + "\n" + script;
    }

    /**
     * prelude.lua cut into its top-level definitions: a {@code local function NAME(} up to the
     * {@code end} at the start of a line, or a one-line {@code local NAME =}, each with the comment
     * lines above it. A definition needs the prelude's names its code mentions (comments and
     * strings left out); a mention too many only costs a definition.
     */
    static final class Prelude {
        static final Prelude INSTANCE = new Prelude(resource("prelude"));

        /** Each definition's name, in the prelude's order. */
        private final List<String> names = new java.util.ArrayList<>();
        private final java.util.Map<String, String> text = new java.util.HashMap<>();
        private final java.util.Map<String, java.util.Set<String>> uses = new java.util.HashMap<>();

        Prelude(String source) {
            String[] lines = source.split("\n", -1);
            StringBuilder pending = new StringBuilder(); // comment lines waiting for their definition
            for (int i = 0; i < lines.length; i++) {
                String name = definedAt(lines[i]);
                if (name == null) {
                    pending.append(lines[i].startsWith("--") ? lines[i] + "\n" : "");
                    if (!lines[i].isBlank() && !lines[i].startsWith("--")) {
                        throw new IllegalStateException("prelude.lua line " + (i + 1) + " is outside a definition: " + lines[i]);
                    }
                    continue;
                }
                StringBuilder def = new StringBuilder(pending).append(lines[i]).append('\n');
                pending.setLength(0);
                if (lines[i].startsWith("local function ")) {
                    while (!lines[i].equals("end")) {
                        if (++i == lines.length) {
                            throw new IllegalStateException("prelude.lua: function " + name + " has no 'end' at the start of a line");
                        }
                        def.append(lines[i]).append('\n');
                    }
                }
                names.add(name);
                text.put(name, def.toString());
            }
            for (String name : names) {
                java.util.Set<String> used = mentioned(text.get(name));
                used.remove(name);
                uses.put(name, used);
            }
        }

        /** The definitions {@code script} needs, transitively, in the prelude's order. */
        String neededBy(String script) {
            java.util.Set<String> needed = new java.util.HashSet<>();
            java.util.Deque<String> todo = new java.util.ArrayDeque<>(mentioned(script));
            while (!todo.isEmpty()) {
                String name = todo.pop();
                if (needed.add(name)) {
                    todo.addAll(uses.get(name));
                }
            }
            StringBuilder out = new StringBuilder();
            for (String name : names) {
                if (needed.contains(name)) {
                    out.append(text.get(name));
                }
            }
            return out.toString();
        }

        /**
         * The name a line defines ("local function NAME(" or "local NAME ="), else null. Scanned
         * by hand, as the names below: java.util.regex would cost a one-shot tool its start-up.
         */
        private static String definedAt(String line) {
            String rest = line.startsWith("local function ") ? line.substring(15)
                    : line.startsWith("local ") ? line.substring(6) : null;
            if (rest == null) {
                return null;
            }
            int end = identifierEnd(rest, 0);
            return end > 0 ? rest.substring(0, end) : null;
        }

        /** The prelude's names mentioned in {@code code} outside comments and string literals. */
        private java.util.Set<String> mentioned(String code) {
            java.util.Set<String> found = new java.util.HashSet<>();
            for (String line : code.split("\n")) {
                String c = codeOnly(line);
                for (int i = 0; i < c.length(); ) {
                    int end = identifierEnd(c, i);
                    if (end > i) {
                        String word = c.substring(i, end);
                        if (text.containsKey(word)) {
                            found.add(word);
                        }
                        i = end;
                    } else if (Character.isDigit(c.charAt(i))) { // a number ("0x1f", "1e5"): no name in it
                        do {
                            i++;
                        } while (i < c.length() && isNamePart(c.charAt(i)));
                    } else {
                        i++;
                    }
                }
            }
            return found;
        }

        /** The end of the Lua identifier starting at {@code from} ({@code from} itself when none starts there). */
        private static int identifierEnd(String s, int from) {
            if (from >= s.length() || !(Character.isLetter(s.charAt(from)) && s.charAt(from) < 128 || s.charAt(from) == '_')) {
                return from;
            }
            int i = from + 1;
            while (i < s.length() && isNamePart(s.charAt(i))) {
                i++;
            }
            return i;
        }

        private static boolean isNamePart(char c) {
            return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
        }

        /** The line without its comment and with its string literals blanked. */
        private static String codeOnly(String line) {
            StringBuilder out = new StringBuilder();
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == '\\') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                    out.append(' ');
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    out.append(' ');
                } else if (c == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') {
                    break;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }

    public Object eval(UnifiedJedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha(), keys, args);
        } catch (JedisDataException e) {
            if (isNoScript(e)) {
                return jedis.eval(source(), keys, args);
            }
            throw e;
        }
    }

    /**
     * The hot-path form: {@code keyCount} keys then the arguments, already encoded, in one array
     * (Jedis writes them as they are: no list, no per-call string encoding).
     */
    public Object eval(UnifiedJedis jedis, int keyCount, byte[]... keysThenArgs) {
        try {
            return jedis.evalsha(digest().shaBytes, keyCount, keysThenArgs);
        } catch (JedisDataException e) {
            if (isNoScript(e)) {
                return jedis.eval(sourceBytes(), keyCount, keysThenArgs);
            }
            throw e;
        }
    }

    Response<Object> evalIn(AbstractPipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.evalsha(sha(), keys, args);
    }

    /** EVAL with the source, in a pipeline: caches the script on the server that runs it. */
    Response<Object> evalSourceIn(AbstractPipeline pipeline, List<String> keys, List<String> args) {
        return pipeline.eval(source(), keys, args);
    }

    static boolean isNoScript(Throwable e) {
        return e instanceof JedisDataException && e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static String resource(String name) {
        String path = RESOURCE_DIR + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path, e);
        }
    }

    private static String sha1(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(40);
            for (byte x : d) {
                b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
