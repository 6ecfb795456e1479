package io.ecl.reader;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium driven over its DevTools protocol, a WebSocket that java.net.http speaks:
 * no WebDriver, so no chromedriver whose version must match the browser's, and no test
 * dependency. Enough for a page test: navigate, evaluate JavaScript, collect console errors and
 * uncaught exceptions (those of the page's first script included, since the listeners are on
 * before it loads), take a screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<String>> calls = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** The Chromium on PATH (Debian's chromium; others' names too), if any. */
    static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : new String[] {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts {@code binary} on about:blank with a fresh profile in {@code profile}, a window of
     * {@code width} x {@code height}, and attaches to its page with console, log and runtime
     * events on.
     */
    static HeadlessChromium start(Path binary, Path profile, int width, int height) throws Exception {
        Path log = profile.resolve("chromium.log");
        Path data = Files.createDirectories(profile.resolve("profile"));
        // --no-sandbox: Chromium refuses to run as root with its sandbox (CI containers), and the
        // page it loads is our own, from loopback.
        Process process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=" + data, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = devToolsPort(process, data.resolve("DevToolsActivePort"), log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String ws = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (ws == null) {
                String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = Pattern.compile("\"type\":\\s*\"page\"[^}]*?\"webSocketDebuggerUrl\":\\s*\"(ws://[^\"]+)\"")
                        .matcher(list);
                if (m.find()) {
                    ws = m.group(1);
                } else if (System.nanoTime() > deadline) {
                    throw new IOException("chromium has no page to attach to: " + list);
                } else {
                    Thread.sleep(50);
                }
            }
            return new HeadlessChromium(process, data, http, URI.create(ws));
        } catch (Exception | Error e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static int devToolsPort(Process process, Path file, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("chromium exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return Integer.parseInt(lines.get(0).trim());
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("chromium did not open its DevTools port within 20 s: " + Files.readString(log));
    }

    private HeadlessChromium(Process process, Path profile, HttpClient http, URI ws) throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(ws, new Listener()).get(15, TimeUnit.SECONDS);
        call("Runtime.enable", "{}");
        call("Log.enable", "{}");
        call("Page.enable", "{}");
    }

    /** Collects each whole message: a reply completes its call, anything else is an event. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                Matcher m = ID.matcher(message);
                if (m.find()) {
                    CompletableFuture<String> f = calls.remove(Integer.parseInt(m.group(1)));
                    if (f != null) {
                        f.complete(message);
                    }
                } else {
                    events.add(message);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            calls.values().forEach(f -> f.completeExceptionally(error));
        }
    }

    /** Calls {@code method} with {@code params} (a JSON object) and returns the whole reply. */
    String call(String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        calls.put(id, reply);
        synchronized (socket) {
            socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true)
                    .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        String r = reply.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (r.startsWith("{\"id\":" + id + ",\"error\":")) {
            throw new IOException(method + ": " + r);
        }
        return r;
    }

    /** Loads {@code url} (the call returns once the navigation is committed, not when it has loaded). */
    void navigate(String url) throws Exception {
        call("Page.navigate", "{\"url\":" + quote(url) + "}");
    }

    /**
     * The value of {@code expression}, evaluated in the page (a promise is awaited), as a string:
     * write expressions that give a string, a number or a boolean.
     */
    String evaluate(String expression) throws Exception {
        String r = call("Runtime.evaluate", "{\"expression\":" + quote(expression)
                + ",\"returnByValue\":true,\"awaitPromise\":true}");
        if (r.contains("\"exceptionDetails\":")) {
            throw new IOException("evaluating " + expression + ": " + r);
        }
        Matcher m = Pattern.compile("\"result\":\\{\"result\":\\{\"type\":\"(\\w+)\"(?:,\"subtype\":\"\\w+\")?"
                + "(?:,\"value\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]*))?").matcher(r);
        if (!m.find()) {
            throw new IOException("unexpected reply to Runtime.evaluate: " + r);
        }
        String value = m.group(2);
        if (value == null) {
            return m.group(1); // undefined
        }
        return value.startsWith("\"") ? unquote(value) : value;
    }

    /**
     * The page's errors so far: console.error and console.assert calls, uncaught exceptions and
     * the browser's own error entries (a resource that failed to load, a refused script), each the
     * raw protocol message.
     */
    List<String> errors() {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (e.startsWith("{\"method\":\"Runtime.exceptionThrown\"")
                    || (e.startsWith("{\"method\":\"Runtime.consoleAPICalled\"")
                            && (e.contains("\"type\":\"error\"") || e.contains("\"type\":\"assert\"")))
                    || (e.startsWith("{\"method\":\"Log.entryAdded\"") && e.contains("\"level\":\"error\""))) {
                out.add(e);
            }
        }
        return out;
    }

    /** A PNG of the whole page (beyond the window when it is longer). */
    byte[] screenshot() throws Exception {
        String r = call("Page.captureScreenshot", "{\"format\":\"png\",\"captureBeyondViewport\":true}");
        Matcher m = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]+)\"").matcher(r);
        if (!m.find()) {
            throw new IOException("no image in the screenshot's reply");
        }
        return Base64.getDecoder().decode(m.group(1));
    }

    @Override
    public void close() throws InterruptedException, IOException {
        socket.abort();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        // Links to Chromium's lock and socket in /tmp, which the temporary directory's clean-up
        // would warn about.
        for (String link : new String[] {"SingletonLock", "SingletonSocket", "SingletonCookie"}) {
            Files.deleteIfExists(profile.resolve(link));
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        Formats.jsonString(b, s);
        return b.toString();
    }

    /** A JSON string literal's value. */
    static String unquote(String literal) {
        StringBuilder b = new StringBuilder(literal.length());
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = literal.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(literal.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
        return b.toString();
    }
}
