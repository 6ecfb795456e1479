package io.ecl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading a config is linear in the number of declared events. The 30 s bounds below guard the
 * complexity, not a speed: the linear build takes well under a second of CPU here, while a
 * builder that de-duplicated with {@code List.contains} made 2 * 10^10 string comparisons for
 * 200,000 events (minutes; 162 s of CPU already at 100,000), which no machine fits in 30 s.
 */
class ConfigScaleTest {
    private static final int EVENTS = 200_000;

    @Test
    void aGroupOf200000DeclaredEventsIsBuiltInLinearTime() {
        List<String> events = new ArrayList<>(EVENTS + 1);
        for (int i = 0; i < EVENTS; i++) {
            events.add(String.format("event_number_%07d", i));
        }
        events.add("event_number_0000000"); // a duplicate is kept once, as before

        GroupConfig group = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> GroupConfig.builder("big").events(events).intervals("5m").build());

        assertEquals(EVENTS, group.events().size());
        assertEquals("event_number_0199999", group.events().get(EVENTS - 1));
    }

    @Test
    void aConfigFileDeclaring200000EventsIsReadInLinearTime() {
        StringBuilder yaml = new StringBuilder(EVENTS * 24).append("groups:\n  big:\n    intervals: ['5m']\n    events:\n");
        for (int i = 0; i < EVENTS; i++) {
            yaml.append("      - e").append(i).append('\n');
        }

        EclConfig config = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> EclConfig.parse(yaml.toString(), "big.yml"));

        assertEquals(EVENTS, config.group("big").events().size());
        assertEquals("e199999", config.group("big").events().get(EVENTS - 1));
    }
}
