package io.ecl.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.RedisClient;

/**
 * Watches a real Redis with MONITOR, to count the commands clients send (one per round trip
 * unless pipelined), or those the scripts run (MONITOR shows them as {@code [db lua]}; INFO
 * commandstats cannot tell them apart from clients' commands).
 */
final class Monitor implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private int markers;

    Monitor(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String ok = in.readLine();
            if (!"+OK".equals(ok)) {
                throw new IllegalStateException("MONITOR answered " + ok);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The names (lower case) of the commands clients sent since the last call, in order,
     * without those run by scripts. {@code client} sends a marker that ends the list.
     */
    List<String> clientCommands(RedisClient client) {
        return commands(client, false);
    }

    /** The names (lower case) of the commands scripts ran since the last call, in order. */
    List<String> scriptCommands(RedisClient client) {
        return commands(client, true);
    }

    private List<String> commands(RedisClient client, boolean byScripts) {
        String marker = "ecl-monitor-marker-" + (++markers);
        client.exists(marker);
        List<String> commands = new ArrayList<>();
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.contains(marker)) {
                    return commands;
                }
                int source = line.indexOf('[');
                int end = line.indexOf(']', source);
                if (source < 0 || end < 0 || line.substring(source, end).endsWith(" lua") != byScripts) {
                    continue;
                }
                int q = line.indexOf('"', end);
                commands.add(line.substring(q + 1, line.indexOf('"', q + 1)).toLowerCase(java.util.Locale.ROOT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("MONITOR stream ended");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
