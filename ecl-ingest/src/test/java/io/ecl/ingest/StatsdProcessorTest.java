package io.ecl.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ecl.core.EclConfig;
import io.ecl.core.EventCountLogger;
import io.ecl.testing.EmbeddedRedis;
import io.ecl.testing.SteppedClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The line protocol as the listener parses it, every sample checked as handed on and, for counts, in Redis. */
class StatsdProcessorTest {
    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    static final String GROUPS = "groups:\n"
            + "  web:\n"
            + "    events: [get, post]\n"
            + "    uniques: [visitors]\n"
            + "    intervals: [1h]\n"
            + "    sync_interval: 60\n"
            + "  app:\n"
            + "    events: []\n"
            + "    intervals: [1h]\n"
            + "    auto_declare_events: true\n";

    private EventCountLogger logger;
    private StatsdStats stats;
    private RecordingSink sink;
    private StatsdProcessor processor;

    @BeforeEach
    void start() {
        EclConfig config = EclConfig.parse(redis.yamlRedisSection() + GROUPS, "test.yml");
        // A fixed clock in the middle of an hour: every count belongs to one interval.
        logger = EventCountLogger.builder(StatsdListener.withLocalCounters(config, StatsdConfig.builder().build()))
                .clock(SteppedClock.atSeconds(1_800_000_000L + 1800)).withoutShutdownHook().build();
        stats = new StatsdStats(UdpKernelStats.system(), System::nanoTime);
        sink = new RecordingSink(new LoggerSink());
        NameTable names = new NameTable(new NameMapper(logger.config(), StatsdConfig.builder().build()), logger, stats);
        processor = new StatsdProcessor(names, sink, stats);
    }

    @AfterEach
    void stop() {
        logger.close();
    }

    private void feed(String packet) {
        byte[] b = packet.getBytes(StandardCharsets.UTF_8);
        processor.process(b, 0, b.length);
    }

    private long inRedis(String group, String event) {
        logger.flush();
        String v = redis.client().get(group + ":1h:cur:" + event);
        return v == null ? 0 : Long.parseLong(v);
    }

    @Test
    void everyTypeIsHandedOnAsItsKind() {
        feed("web.get:3|c\napp.latency:12.5|ms\napp.size:3|h\napp.dist:-4.25|d\napp.users:alice|s\napp.temp:20|g\n");

        assertEquals(List.of("count web/get 3", "value app/latency 12.5", "value app/size 3.0",
                "value app/dist -4.25", "unique app/users alice", "value app/temp 20.0"), sink.samples);
        assertEquals(6, stats.linesParsed());
        for (String type : new String[] {"c", "ms", "h", "d", "s", "g"}) {
            assertEquals(1, stats.samples(type), type);
        }
        assertEquals(3, inRedis("web", "get"));
    }

    @Test
    void setsAreRecordedAsUniquesAndTheOtherKindsAsValues() {
        StatsdProcessor plain = new StatsdProcessor(new NameTable(new NameMapper(logger.config(),
                StatsdConfig.builder().build()), logger, stats), new LoggerSink(), stats);
        byte[] b = ("app.users:alice|s\napp.users:bob|s\napp.users:alice|s\napp.latency:3|ms\napp.temp:+1|g\n"
                + "web.visitors:carol|s\nweb.visitors:dave|s\n").getBytes(StandardCharsets.UTF_8);

        plain.process(b, 0, b.length);
        logger.flush();

        assertEquals(2, redis.client().pfcount("app:1h:cur:@u.users"));
        assertEquals(2, redis.client().pfcount("web:1h:cur:@u.visitors"));
        assertEquals("1", redis.client().hget("app:1h:cur:@v.latency", "c"));
        assertEquals("1", redis.client().hget("app:1h:cur:@v.temp", "c"));
        assertEquals(7, stats.linesParsed());
        assertEquals(0, stats.linesUnmapped());
    }

    @Test
    void aSetOfAGroupThatDoesNotListItIsUnmapped() {
        feed("web.unlisted:alice|s\nweb.unlisted:bob|s");

        assertEquals(2, stats.linesUnmapped());
        assertEquals(1, stats.unmappedNames());
        assertEquals(List.of(), sink.samples);
    }

    @Test
    void timersAndGaugesOfAGroupThatDoesNotListThemAreUnmapped() {
        feed("web.latency:3|ms\nweb.load:1|g\nweb.size:2|h\nweb.get:1|c:5|ms");

        assertEquals(4, stats.linesUnmapped());
        assertEquals(4, stats.unmappedNames());
        assertEquals(List.of(), sink.samples);
    }

    @Test
    void sampleRateScalesCountsAndKeepsTheFractionForTheNextLine() {
        // 1 / 0.4 = 2.5 per line: truncating each line would count 2, 4, 6, 8.
        long[] expected = {2, 5, 7, 10};
        for (long e : expected) {
            feed("web.get:1|c|@0.4");
            assertEquals(e, inRedis("web", "get"));
        }
        feed("web.post:1|c|@0.1\nweb.post:1|c|@0.3\nweb.post:1|c|@0.3\nweb.post:1|c|@0.3");

        assertEquals(20, inRedis("web", "post"));
    }

    @Test
    void fractionalAndNegativeCountsKeepTheirRemainders() {
        feed("web.get:0.5|c\nweb.get:0.5|c\nweb.get:2.5|c\nweb.post:5|c\nweb.post:-2|c\nweb.post:-0.5|c|@0.5");

        assertEquals(3, inRedis("web", "get"));
        assertEquals(2, inRedis("web", "post"));
    }

    @Test
    void dogStatsdTagsAndOtherFieldsAreIgnored() {
        feed("web.get:2|c|#env:prod,host:a\nweb.get:1|c|@0.5|#env:prod\nweb.get:1|c|#k:v|T1700000000\n"
                + "web.get:1|c|c:container1|#a:b");

        assertEquals(6, inRedis("web", "get"));
        assertEquals(4, stats.linesParsed());
    }

    @Test
    void severalMetricsPerPacketAndSeveralValuesPerLine() {
        feed("web.get:1|c\r\nweb.post:2|c\n\nweb.get:3|c:4|c|@0.5:5|c\napp.latency:1|ms:2|ms");

        assertEquals(1 + 3 + 8 + 5, inRedis("web", "get"));
        assertEquals(2, inRedis("web", "post"));
        assertEquals(4, stats.linesReceived());
        assertEquals(4, stats.linesParsed());
        assertEquals(5, stats.samples("c"));
        assertEquals(2, stats.samples("ms"));
    }

    @Test
    void malformedLinesAreCountedAndSkippedWholeWhileTheirNeighboursCount() {
        String[] bad = {"web.get", "web.get:1", ":1|c", "web.get:|c", "web.get:1|", "web.get:1|x", "web.get:1|cc",
            "web.get:abc|c", "web.get:1|c|@0", "web.get:1|c|@1.5", "web.get:1|c|@x", "web.get:1|c|", "web.get:1|c:2",
            "web.get:NaN|c", "web.get:Infinity|ms", "app.t:1e999|ms", "app.t:0x10|ms", "app.t:1.5f|ms", "app.t:|s",
            "web.get:1|c:2|x", "web.get:1 |c", "web.get:--1|c", "web.get:1.2.3|c"};
        StringBuilder packet = new StringBuilder("web.get:1|c\n");
        for (String b : bad) {
            packet.append(b).append('\n');
        }
        packet.append("web.get:10|c");

        feed(packet.toString());

        assertEquals(bad.length, stats.linesMalformed());
        assertEquals(2, stats.linesParsed());
        assertEquals(bad.length + 2, stats.linesReceived());
        assertEquals(11, inRedis("web", "get"));
        assertEquals(List.of("count web/get 1", "count web/get 10"), sink.samples);
    }

    @Test
    void numbersInTheirUsualForms() {
        feed("app.a:+1.5|ms\napp.a:1e3|ms\napp.a:.5|ms\napp.a:7.|ms\napp.a:-0|ms\napp.a:123456789012345678901|ms\n"
                + "app.a:0.000001|ms");

        assertEquals(List.of("value app/a 1.5", "value app/a 1000.0", "value app/a 0.5", "value app/a 7.0",
                "value app/a -0.0", "value app/a 1.2345678901234568E20", "value app/a 1.0E-6"), sink.samples);
    }

    @Test
    void gaugeDeltasApplyToTheLastReadingOfTheName() {
        feed("app.temp:-3|g\napp.temp:10|g\napp.temp:+5|g\napp.temp:-3|g\napp.other:7|g");

        assertEquals(List.of("value app/temp -3.0", "value app/temp 10.0", "value app/temp 15.0",
                "value app/temp 12.0", "value app/other 7.0"), sink.samples);
    }

    @Test
    void aNameWithSpacesAndUnicodeIsCountedUnderThatName() {
        feed("app.späte Anfrage ✓:2|c\napp.späte Anfrage ✓:1|c");

        assertEquals(3, inRedis("app", "späte Anfrage ✓"));
    }

    @Test
    void namesNoGroupTakesAreCountedOncePerNameAndPerLine() {
        feed("nogroup.x:1|c\nnogroup.x:1|c\nplain:1|c\nweb.undeclared:1|c\nweb.undeclared:1|c\nweb.get:1|c");

        assertEquals(5, stats.linesUnmapped());
        assertEquals(3, stats.unmappedNames());
        assertEquals(1, stats.linesParsed());
        assertEquals(1, inRedis("web", "get"));
        assertEquals(0, inRedis("web", "undeclared"));
    }

    @Test
    void aPacketOf64KiBIsParsedWhole() {
        StringBuilder b = new StringBuilder();
        int lines = 0;
        while (b.length() + "web.get:1|c\n".length() <= 65_536) {
            b.append("web.get:1|c\n");
            lines++;
        }
        byte[] packet = new byte[65_536];
        byte[] text = b.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, packet, 0, text.length);

        processor.process(packet, 0, text.length);

        assertEquals(lines, stats.linesParsed());
        assertEquals(lines, inRedis("web", "get"));
    }

    @Test
    void aHugeLineIsOneMalformedLine() {
        feed("web.get:" + "9".repeat(60_000) + "|c\nweb.get:1|c");

        assertEquals(1, stats.linesMalformed());
        assertEquals(1, inRedis("web", "get"));
    }

    @Test
    void manyDistinctNamesOverflowTheCacheWithoutLosingCounts() {
        StringBuilder b = new StringBuilder();
        int names = StatsdProcessor.MAX_CACHED + 100;
        for (int i = 0; i < names; i++) {
            b.append("app.e").append(i).append(":1|c\n");
        }
        feed(b.toString());
        feed("app.e0:1|c\napp.e" + (names - 1) + ":1|c");

        assertEquals(names + 2, stats.linesParsed());
        assertEquals(2, inRedis("app", "e0"));
        assertEquals(2, inRedis("app", "e" + (names - 1)));
    }
}
