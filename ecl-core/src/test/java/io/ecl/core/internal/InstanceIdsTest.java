package io.ecl.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstanceIdsTest {
    @Test
    void idsAreSixteenHexDigitsAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < 10_000; k++) {
            String id = InstanceIds.next();
            assertTrue(id.matches("[0-9a-f]{16}"), id);
            seen.add(id);
        }
        assertEquals(10_000, seen.size());
    }

    @Test
    void withoutDevUrandomIdsComeFromSecureRandom() {
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < 100; k++) {
            String id = InstanceIds.next("/nonexistent/urandom");
            assertTrue(id.matches("[0-9a-f]{16}"), id);
            seen.add(id);
        }
        assertEquals(100, seen.size());
    }
}
