package io.ecl.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tools are users of the library like any application: they import its API (io.ecl.core) and
 * the ops API (io.ecl.core.ops), never io.ecl.core.internal. They run on the class path, where
 * module-info would not stop them, so this reads their sources. The benchmarks (ecl-bench) may
 * measure internal building blocks too (a sketch against its bare hash), so they are not checked.
 */
class ModuleBoundaryTest {
    private static final Path ROOT = Paths.get(System.getProperty("ecl.root", "..")).toAbsolutePath().normalize();

    /** A use of a type of the internal packages (sub-packages too): an import or a qualified name. */
    private static final Pattern INTERNAL_TYPE = Pattern.compile("\\bio\\.ecl\\.core\\.internal(\\.[a-z]\\w*)*\\.[A-Z]");

    @Test
    void noModuleButTheLibraryImportsItsInternals() throws IOException {
        List<String> reaches = new ArrayList<>();
        List<Path> modules;
        try (Stream<Path> dirs = Files.list(ROOT)) {
            modules = dirs.filter(d -> d.getFileName().toString().startsWith("ecl-"))
                    .filter(d -> !d.getFileName().toString().equals("ecl-core"))
                    .filter(d -> !d.getFileName().toString().equals("ecl-bench"))
                    .filter(d -> Files.isDirectory(d.resolve("src"))).collect(Collectors.toList());
        }
        assertTrue(modules.size() >= 4, "modules found: " + modules);
        for (Path module : modules) {
            try (Stream<Path> files = Files.walk(module.resolve("src"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        if (INTERNAL_TYPE.matcher(lines.get(i)).find()) {
                            reaches.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), reaches, "use io.ecl.core or io.ecl.core.ops (or add what is missing there)");
    }
}
