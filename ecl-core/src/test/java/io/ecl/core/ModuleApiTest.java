package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is what module-info exports, all of it is listed in docs/library.md, and none
 * of it lets an internal type through or takes a boolean flag.
 */
class ModuleApiTest {
    private static final Set<String> API_PACKAGES = Set.of("io.ecl.core", "io.ecl.core.ops");
    private static final Path CLASSES = Path.of("target", "classes");

    @Test
    void theModuleExportsTheApiAndTheOpsPackagesOnly() throws IOException {
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        assertEquals("io.ecl.core", module.name());
        Set<String> exported = module.exports().stream()
                .peek(e -> assertTrue(!e.isQualified(), "qualified export " + e))
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(API_PACKAGES, exported);
        assertTrue(Files.isDirectory(CLASSES.resolve("io/ecl/core/internal")), "the internals are in the module, unexported");
    }

    @Test
    void docsLibraryListsEveryPublicTypeOfTheApi() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "library.md"));
        String api = docs.substring(docs.indexOf("## The API"));
        api = api.substring(0, api.indexOf("\n## ", 3));
        List<String> missing = new ArrayList<>();
        for (Class<?> c : apiTypes()) {
            String name = c.getName().substring(c.getPackageName().length() + 1).replace('$', '.');
            if (!api.contains("`" + name + "`")) {
                missing.add(c.getName());
            }
        }
        assertEquals(List.of(), missing, "public types not listed under 'The API' in docs/library.md");
    }

    @Test
    void noApiSignatureMentionsAnInternalType() {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : apiTypes()) {
            for (Executable e : members(c)) {
                Stream.concat(Stream.of(e.getGenericParameterTypes()),
                        e instanceof Method m ? Stream.of(m.getGenericReturnType()) : Stream.empty())
                        .filter(ModuleApiTest::isInternal).forEach(t -> leaks.add(e + " uses " + t));
            }
            for (Field f : c.getFields()) {
                if (isInternal(f.getGenericType())) {
                    leaks.add(f.toString());
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** Boolean parameters only as a builder's single-valued property (e.g. autoDeclareEvents(true)), or deprecated. */
    @Test
    void noApiMethodTakesABooleanFlag() {
        List<String> flags = new ArrayList<>();
        for (Class<?> c : apiTypes()) {
            for (Executable e : members(c)) {
                boolean takesBoolean = Stream.of(e.getParameterTypes()).anyMatch(p -> p == boolean.class);
                boolean builderProperty = c.getSimpleName().equals("Builder") && e.getParameterCount() == 1
                        && e instanceof Method m && m.getReturnType() == c;
                if (takesBoolean && !builderProperty && !e.isAnnotationPresent(Deprecated.class)) {
                    flags.add(e.toString());
                }
            }
        }
        assertEquals(List.of(), flags);
    }

    private static List<Executable> members(Class<?> c) {
        List<Executable> out = new ArrayList<>();
        for (Method m : c.getMethods()) {
            if (m.getDeclaringClass() == c) {
                out.add(m);
            }
        }
        for (Constructor<?> k : c.getConstructors()) {
            out.add(k);
        }
        return out;
    }

    private static boolean isInternal(Type t) {
        if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            return !c.isPrimitive() && c.getPackageName().startsWith("io.ecl.core.internal");
        }
        if (t instanceof ParameterizedType p) {
            return isInternal(p.getRawType()) || Stream.of(p.getActualTypeArguments()).anyMatch(ModuleApiTest::isInternal);
        }
        return false;
    }

    /** Public top-level and nested types of the exported packages, from the compiled classes. */
    private static Set<Class<?>> apiTypes() {
        Set<Class<?>> out = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        for (String pkg : API_PACKAGES) {
            Path dir = CLASSES.resolve(pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
                    String name = f.getFileName().toString();
                    Class<?> c = Class.forName(pkg + "." + name.substring(0, name.length() - ".class".length()));
                    if (Modifier.isPublic(c.getModifiers()) && !c.isAnonymousClass() && isVisible(c)) {
                        out.add(c);
                    }
                }
            } catch (IOException | ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    private static boolean isVisible(Class<?> c) {
        for (Class<?> o = c; o != null; o = o.getEnclosingClass()) {
            if (!Modifier.isPublic(o.getModifiers())) {
                return false;
            }
        }
        return true;
    }
}
