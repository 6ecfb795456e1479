package io.ecl.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load for {@code ecl-reader serve --accept-writes}: THREADS threads POST text bodies of EVENTS
 * lines ({@code e0} .. {@code e9}, count 1 each) to {@code URL} for SECONDS, then print requests
 * and events per second and the non-204 answers. Check the totals in Redis afterwards.
 *
 * <p>Usage: {@code java -cp ecl-bench.jar io.ecl.bench.HttpWriteLoad URL THREADS EVENTS SECONDS}
 */
public final class HttpWriteLoad {
    private HttpWriteLoad() {
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int threads = Integer.parseInt(args[1]);
        int events = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < events; i++) {
            b.append('e').append(i % 10).append('\n');
        }
        String body = b.toString();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong ok = new AtomicLong();
        AtomicLong other = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> ts = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                HttpRequest req = HttpRequest.newBuilder(url).header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                while (System.nanoTime() < end) {
                    try {
                        int code = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                        (code == 204 ? ok : other).incrementAndGet();
                    } catch (Exception e) {
                        other.incrementAndGet();
                    }
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        double took = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%d requests of %d events in %.1f s: %.0f requests/s, %.0f events/s; %d not 204%n",
                ok.get(), events, took, ok.get() / took, ok.get() * events / took, other.get());
    }
}
