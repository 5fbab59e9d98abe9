package org.alexnet.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The process-wide {@code jdk.serialFilter} of conf/jvm-options (which deploy/alexnet and the
 * cluster test's JVMs read) is the one every test JVM runs with, so every Spark test proves it
 * does not break Spark; and it refuses what it is there to refuse.
 */
class SerialFilterTest {
    private static final String PROPERTY = "-Djdk.serialFilter=";

    static String confFilter() throws Exception {
        Path jvmOptions = Path.of(System.getProperty("user.dir")).getParent().resolve("conf/jvm-options");
        List<String> lines = Files.readAllLines(jvmOptions).stream().map(String::strip)
                .filter(l -> l.startsWith(PROPERTY)).toList();
        assertEquals(1, lines.size(), "conf/jvm-options sets jdk.serialFilter once");
        return lines.get(0).substring(PROPERTY.length());
    }

    @Test
    void theTestJvmRunsWithConfsFilter() throws Exception {
        assertEquals(confFilter(), System.getProperty("jdk.serialFilter"),
                "pom.xml's argLine passes conf/jvm-options' jdk.serialFilter");
        assertNotNull(ObjectInputFilter.Config.getSerialFilter(), "the process-wide filter is installed");
    }

    @Test
    void gadgetClassesAreRefused() throws Exception {
        ObjectInputFilter filter = ObjectInputFilter.Config.getSerialFilter();
        Class<?> templates = Class.forName("com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl");
        assertEquals(ObjectInputFilter.Status.REJECTED, filter.checkInput(info(templates, 1)),
                "TemplatesImpl, the sink of most gadget chains");
        assertEquals(ObjectInputFilter.Status.REJECTED,
                filter.checkInput(info(javax.management.BadAttributeValueExpException.class, 1)));
        assertEquals(ObjectInputFilter.Status.UNDECIDED, filter.checkInput(info(java.util.HashMap.class, 1)),
                "ordinary classes are left to the application (Spark)");
    }

    @Test
    void objectGraphsDeeperThanTheLimitAreRefused() throws Exception {
        List<Object> deep = new ArrayList<>();
        List<Object> inner = deep;
        for (int i = 0; i < 300; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        byte[] bytes = TestArchives.serialized(deep);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            assertThrows(InvalidClassException.class, in::readObject, "300 nested lists exceed maxdepth=200");
        }
    }

    private static ObjectInputFilter.FilterInfo info(Class<?> type, long depth) {
        return new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return type;
            }

            @Override
            public long arrayLength() {
                return -1;
            }

            @Override
            public long depth() {
                return depth;
            }

            @Override
            public long references() {
                return 1;
            }

            @Override
            public long streamBytes() {
                return 100;
            }
        };
    }
}
