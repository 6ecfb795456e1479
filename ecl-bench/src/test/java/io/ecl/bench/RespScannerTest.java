package io.ecl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespScannerTest {
    private final List<String> events = new ArrayList<>();
    private final RespScanner scanner = new RespScanner(new RespScanner.Listener() {
        @Override
        public void messageStart() {
            events.add("start");
        }

        @Override
        public void commandName(String name) {
            events.add(String.valueOf(name));
        }

        @Override
        public void messageEnd(boolean push) {
            events.add(push ? "push" : "end");
        }
    });

    private void feedByteByByte(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            scanner.feed(b, i, 1);
        }
    }

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        scanner.feed(b, 0, b.length);
    }

    @Test
    void pipelinedCommandsAreSeparateMessagesWithTheirNames() {
        feed("*2\r\n$4\r\nincr\r\n$1\r\na\r\n*3\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n0\r\n");
        assertEquals(List.of("start", "INCR", "end", "start", "EVALSHA", "end"), events);
    }

    @Test
    void messagesSplitAtEveryByteAreStillFound() {
        feedByteByByte("*2\r\n$6\r\nINCRBY\r\n$12\r\nkey\r\nwith\r\ncr\r\n");
        assertEquals(List.of("start", "INCRBY", "end"), events);
    }

    @Test
    void nestedRepliesEndOnceAtTheTop() {
        // read.lua's reply shape: {events, last values, cur values with a nil, meta}
        feed("*4\r\n*2\r\n$2\r\ne1\r\n$2\r\ne2\r\n*2\r\n$1\r\n5\r\n$-1\r\n*0\r\n*1\r\n:3\r\n:12\r\n-ERR x\r\n+OK\r\n");
        assertEquals(4, events.stream().filter("start"::equals).count());
        assertEquals(4, events.stream().filter("end"::equals).count());
        assertEquals("end", events.get(events.size() - 1));
    }

    @Test
    void resp3TypesAndPushesAreUnderstood() {
        feed("%1\r\n+server\r\n+redis\r\n_\r\n,1.5\r\n#t\r\n>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n=7\r\ntxt:abc\r\n");
        assertEquals(List.of("end", "end", "end", "end", "push", "end"),
                events.stream().filter(e -> !e.equals("start") && !e.equals("SERVER") && !e.equals("MESSAGE")).toList());
    }

    @Test
    void inlineCommandsCountAsMessages() {
        feed("PING\r\nPING\r\n");
        assertEquals(List.of("start", "null", "end", "start", "null", "end"), events);
    }
}
