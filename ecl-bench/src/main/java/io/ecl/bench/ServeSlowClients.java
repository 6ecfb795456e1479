package io.ecl.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The latency of a normal request to a running {@code ecl-reader serve} while N slow clients hold
 * connections open (half connected and silent, half having sent one byte), on a fresh connection
 * each and on one kept-alive connection; and the same with no slow client, as the baseline.
 *
 * <pre>
 * java -cp ecl-bench/target/ecl-bench.jar io.ecl.bench.ServeSlowClients http://127.0.0.1:9108/api/v1/groups 200
 * </pre>
 *
 * A request that gets no answer within 60 s counts as 60 s; one whose connection the server
 * closes or resets counts its time until then, and is counted as failed.
 */
public final class ServeSlowClients {
    private static final int REQUESTS = 50;
    private static final int TIMEOUT_MS = 60_000;
    private static int failed;

    private ServeSlowClients() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ServeSlowClients URL SLOW_CONNECTIONS");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        int slow = Integer.parseInt(args[1]);
        InetSocketAddress at = new InetSocketAddress(url.getHost(), url.getPort());
        String path = url.getRawPath();

        report("no slow client", at, path);
        List<Socket> held = new ArrayList<>();
        try {
            for (int k = 0; k < slow; k++) {
                Socket s = new Socket();
                s.connect(at, 5_000);
                if (k % 2 == 1) {
                    s.getOutputStream().write('G');
                    s.getOutputStream().flush();
                }
                held.add(s);
            }
            report(slow + " slow clients held", at, path);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static void report(String what, InetSocketAddress at, String path) throws IOException {
        failed = 0;
        double[] fresh = new double[REQUESTS];
        for (int k = 0; k < REQUESTS; k++) {
            try (Socket s = connect(at)) {
                fresh[k] = timed(s, at, path);
            }
        }
        double[] kept = new double[REQUESTS];
        Socket s = connect(at);
        try {
            timed(s, at, path); // the connection's first request is not a kept-alive one
            for (int k = 0; k < REQUESTS; k++) {
                if (s.isClosed()) {
                    s = connect(at);
                }
                kept[k] = timed(s, at, path);
            }
        } finally {
            s.close();
        }
        System.out.printf("%-24s fresh connection: median %s, max %s; kept-alive: median %s, max %s; %d of %d failed%n",
                what, ms(median(fresh)), ms(max(fresh)), ms(median(kept)), ms(max(kept)), failed, 2 * REQUESTS);
    }

    private static Socket connect(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(TIMEOUT_MS);
        s.connect(at, TIMEOUT_MS);
        return s;
    }

    /** Milliseconds from writing the request to reading the whole response (Content-Length or chunked). */
    private static double timed(Socket s, InetSocketAddress at, String path) throws IOException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + at.getHostString() + ":" + at.getPort() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        try {
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            readResponse(s.getInputStream());
        } catch (java.net.SocketTimeoutException e) {
            failed++;
            s.close();
            return TIMEOUT_MS;
        } catch (IOException e) {
            failed++;
            s.close();
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static void readResponse(InputStream in) throws IOException {
        String head = line(in);
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected answer: " + head);
        }
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long n = Long.parseLong(line(in).trim(), 16); n > 0; n = Long.parseLong(line(in).trim(), 16)) {
                in.readNBytes((int) n);
                line(in);
            }
            line(in);
        } else if (length >= 0) {
            in.readNBytes((int) length);
        } else {
            throw new IOException("neither Content-Length nor chunked: cannot tell where the answer ends");
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }

    private static String ms(double v) {
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.2f ms" : "%.0f ms", v);
    }
}
