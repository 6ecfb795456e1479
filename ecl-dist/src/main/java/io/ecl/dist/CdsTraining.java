package io.ecl.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * A build step of {@code mvn package} (ecl-dist's {@code cds-archives} execution): makes every
 * short-lived tool quick from its first run. Each tool runs through its launcher in {@code bin/}
 * on its common path against a throwaway Redis, recording the classes it loads
 * ({@code ECL_CDS=record:FILE}); the union per tool becomes {@code <tool>.classlist} beside the tool's
 * jar, which the tarball and the .deb ship too. Then {@code bin/ecl-tool make-cds} makes the
 * class-data-sharing archives of the source tree from those lists, and, in {@code WORK_DIR/dist},
 * those the tarball ships: made in a copy of the tarball's {@code bin/} and {@code lib/} whose
 * jars keep the modification times of the files the tarball is made from (a JVM checks each
 * jar's time and size against its archive; tar keeps the times).
 *
 * <p>Usage: {@code CdsTraining REPO_ROOT WORK_DIR}. Fails (exit 1, one line) when a tool does not
 * run as expected: an archive made from a failing run would hold the wrong classes. Where no
 * embedded Redis can run, it warns and makes nothing.
 */
public final class CdsTraining {
    /** One training run: the tool, its arguments, what its stdout must contain. */
    private record Run(String tool, String module, List<String> args, String expect) {
    }

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CdsTraining REPO_ROOT WORK_DIR");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path work = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        RedisServer redis;
        try {
            redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            redis.start();
        } catch (IOException | RuntimeException e) {
            // embedded-redis has no server binary for every platform: the build goes on, the tools
            // just start without class-data sharing. A tool failing below is a bug, and fails the build.
            System.err.println("WARNING: class-data-sharing training skipped, no throwaway Redis (" + e
                    + "): the tools will start without their archives");
            return;
        }
        try {
            Path config = work.resolve("training.yml");
            Files.writeString(config, "redis: {host: 127.0.0.1, port: " + port + "}\n"
                    + "groups:\n"
                    + "  web:\n    events: [login, logout, error]\n    intervals: ['5m', '1h']\n"
                    + "  http:\n    events: []\n    intervals: ['5m']\n    auto_declare_events: true\n");
            String cfg = config.toString();
            // The paths users and cron jobs take: a declared and an auto-declared event logged, both
            // read back as text and as Munin reads them, the daemon's config check.
            List<Run> runs = List.of(
                    new Run("ecl-log-event", "ecl-reader", List.of("-c", cfg, "web", "login"), ""),
                    new Run("ecl-log-event", "ecl-reader", List.of("-c", cfg, "http", "200", "3"), ""),
                    new Run("ecl-reader", "ecl-reader", List.of(cfg, "-g", "web", "-i", "5m", "--current"), "login:1"),
                    new Run("ecl-reader", "ecl-reader", List.of(cfg, "-g", "http", "-i", "5m", "--format", "munin"), ""),
                    new Run("ecl-master", "ecl-master", List.of("--check", cfg), "test is successful"));
            Map<String, Set<String>> classes = new LinkedHashMap<>();
            Map<String, String> modules = new LinkedHashMap<>();
            int n = 0;
            for (Run r : runs) {
                Path list = work.resolve(r.tool() + "-" + (++n) + ".classlist");
                run(root, work, r, list);
                classes.computeIfAbsent(r.tool(), t -> new LinkedHashSet<>()).addAll(Files.readAllLines(list));
                modules.put(r.tool(), r.module());
            }
            for (Map.Entry<String, Set<String>> e : classes.entrySet()) {
                Path target = root.resolve(modules.get(e.getKey())).resolve("target").resolve(e.getKey() + ".classlist");
                Files.write(target, e.getValue(), StandardCharsets.UTF_8);
            }
        } finally {
            redis.stop();
        }
        makeCds(root.resolve("bin/ecl-tool"));
        makeCds(stageDistribution(root, work.resolve("dist")).resolve("bin/ecl-tool"));
    }

    private static void makeCds(Path tool) throws IOException, InterruptedException {
        Process make = new ProcessBuilder(tool.toString(), "make-cds").inheritIO().start();
        if (make.waitFor() != 0) {
            fail(tool + " make-cds failed (exit " + make.exitValue() + ")");
        }
    }

    /**
     * The tarball's bin/ and lib/ as src/assembly/dist.xml lays them out, from the same files: the
     * tool jars from their modules' target/, their dependencies from target/lib/, where the build
     * copied them with their times (the reactor's jars and the local repository's, which the
     * assembly reads). The archives made here are valid wherever the tarball is unpacked: the
     * launcher names the jars through a descriptor of their directory, not by absolute path.
     */
    private static Path stageDistribution(Path root, Path dist) throws IOException {
        if (Files.exists(dist)) {
            try (java.util.stream.Stream<Path> old = Files.walk(dist)) {
                for (Path p : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
        Path bin = Files.createDirectories(dist.resolve("bin"));
        Path lib = Files.createDirectories(dist.resolve("lib/lib"));
        Files.copy(root.resolve("bin/ecl-tool"), bin.resolve("ecl-tool"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String tool : List.of("ecl-reader", "ecl-log-event", "ecl-master")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("ecl-tool"));
        }
        for (String module : List.of("ecl-reader", "ecl-master")) {
            Path target = root.resolve(module).resolve("target");
            Files.copy(target.resolve(module + ".jar"), dist.resolve("lib").resolve(module + ".jar"),
                    StandardCopyOption.COPY_ATTRIBUTES);
            try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(target, "*.classlist")) {
                for (Path f : files) {
                    Files.copy(f, dist.resolve("lib").resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            try (java.nio.file.DirectoryStream<Path> jars = Files.newDirectoryStream(target.resolve("lib"), "*.jar")) {
                for (Path jar : jars) {
                    Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dist;
    }

    private static void run(Path root, Path work, Run r, Path list) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("bin").resolve(r.tool()).toString());
        command.addAll(r.args());
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("ECL_CDS", "record:" + list);
        env.remove("JAVA_OPTS");
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("ECL_CONFIG");
        env.remove("ECL_REDIS_URL");
        Path out = work.resolve("run.out");
        Path err = work.resolve("run.err");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + ": no exit within 120 s");
        }
        String stdout = Files.readString(out);
        if (p.exitValue() != 0 || !stdout.contains(r.expect()) || !Files.isRegularFile(list)) {
            fail(String.join(" ", command) + ": exit " + p.exitValue() + ", stdout: " + stdout.strip()
                    + ", stderr: " + Files.readString(err).strip());
        }
    }

    private static void fail(String message) {
        System.err.println("ERROR: class-data-sharing training: " + message
                + " (mvn -Decl.cds.skip=true package builds without the archives)");
        System.exit(1);
    }
}
