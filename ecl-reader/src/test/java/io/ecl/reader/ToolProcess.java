package io.ecl.reader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of a tool's main class in a JVM of its own, with the tools' logback.xml: exit code, stdout, stderr. */
final class ToolProcess {
    final int code;
    final String out;
    final String err;

    private ToolProcess(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    static ToolProcess run(Path dir, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=io/ecl/cli/logback-tool.xml",
                main.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("process.out");
        Path err = dir.resolve("process.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("ECL_REDIS_URL");
        pb.environment().remove("ECL_CONFIG");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process did not exit");
        return new ToolProcess(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
