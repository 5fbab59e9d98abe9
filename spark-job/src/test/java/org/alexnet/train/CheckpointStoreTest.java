package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.alexnet.archive.TestArchives;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.testing.ScriptedFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Publishing checkpoints on a real Hadoop FileSystem whose rename copies ({@link
 * ScriptedFileSystem}), in its plain mode (written under a hidden name, then "renamed", i.e.
 * copied) and in its object-store mode (written in place, visible at close): a crash at any
 * point leaves a loadable checkpoint, the previous one or the new one; resume falls back past
 * what cannot be read; retention; failed writes.
 */
class CheckpointStoreTest {
    private static final Configuration HADOOP = ScriptedFileSystem.register(new Configuration());
    private static AlexNetConfig config;
    private static ComputationGraph first;
    private static ComputationGraph second;

    @TempDir
    java.nio.file.Path dir;

    @BeforeAll
    static void twoDifferentNetworks() {
        config = TestArchives.tiny(4);
        first = TestArchives.trained(config);
        second = TestArchives.trained(config);
    }

    @AfterEach
    void plainFileSystem() {
        ScriptedFileSystem.reset();
    }

    private static ResumeState state(int nextEpoch) {
        return new ResumeState(nextEpoch, 0, 0, 0, Map.of("lr", "0.01"), List.of(), "2030-01-01T00:00:00Z");
    }

    private static CheckpointStore store(java.nio.file.Path output, int keep) throws IOException {
        return new CheckpointStore(ScriptedFileSystem.path(output), HADOOP, keep);
    }

    private static Optional<String> write(CheckpointStore store, ComputationGraph graph, int nextEpoch)
            throws IOException {
        ResumeState s = state(nextEpoch);
        return store.write(TestArchives.checkpoint(graph, config, s), s);
    }

    @Test
    void aCrashAtAnyPointLeavesTheNewOrThePreviousCheckpointLoadable() throws Exception {
        for (boolean objectStore : new boolean[] {false, true}) {
            String mode = objectStore ? "object store" : "copying rename";
            // how many operations publishing the second checkpoint takes (with keep = 1: writing
            // it, replacing the pointer, deleting the first)
            java.nio.file.Path probe = dir.resolve("probe-" + objectStore);
            ScriptedFileSystem.objectStore(objectStore);
            write(store(probe, 1), first, 1);
            CheckpointStore probeStore = store(probe, 1);
            ScriptedFileSystem.crashAt(Long.MAX_VALUE);
            write(probeStore, second, 2);
            long operations = ScriptedFileSystem.operations();
            assertTrue(operations > 10, mode + ": publishing takes several operations: " + operations);

            int previous = 0;
            int next = 0;
            for (long crash = 1; crash <= operations + 1; crash++) { // the last one: after it all
                java.nio.file.Path out = dir.resolve("crash-" + objectStore + "-" + crash);
                ScriptedFileSystem.reset();
                ScriptedFileSystem.objectStore(objectStore);
                CheckpointStore store = store(out, 1);
                write(store, first, 1);
                ScriptedFileSystem.crashAt(crash);
                try {
                    write(store, second, 2);
                } catch (ScriptedFileSystem.Crash expected) {
                    // the process died here
                }
                ScriptedFileSystem.reset(); // the restarted process
                ScriptedFileSystem.objectStore(objectStore);
                CheckpointStore.Loaded loaded = store(out, 1).latest()
                        .orElseThrow(() -> new AssertionError(mode + ": no checkpoint after a crash at " + out));
                ComputationGraph expected = loaded.state().nextEpoch() == 1 ? first : second;
                assertEquals(expected.params(), loaded.graph().params(), mode + ", crash at operation " + crash
                        + ": the loaded checkpoint is whole");
                INDArray momentum = expected.getUpdater().getStateViewArray();
                assertEquals(momentum, loaded.graph().getUpdater().getStateViewArray(), "and so is its momentum");
                if (loaded.state().nextEpoch() == 1) {
                    previous++;
                } else {
                    next++;
                }
            }
            assertTrue(previous > 0 && next > 0, mode + ": crashes before and after the pointer was replaced ("
                    + previous + " loaded the previous checkpoint, " + next + " the new one)");
        }
    }

    @Test
    void withoutAReadablePointerTheNewestCompleteCheckpointIsFoundByListing() throws Exception {
        java.nio.file.Path out = dir.resolve("listing");
        CheckpointStore store = store(out, 0);
        write(store, first, 1);
        write(store, second, 2);
        java.nio.file.Path pointer = out.resolve(CheckpointStore.DIR).resolve(CheckpointStore.POINTER);
        for (String broken : new String[] {"{\"latest\": \"nonsense\"", "", null}) {
            if (broken == null) {
                Files.delete(pointer);
            } else {
                Files.writeString(pointer, broken);
            }
            CheckpointStore.Loaded loaded = store(out, 0).latest().orElseThrow();
            assertEquals(2, loaded.state().nextEpoch(), "pointer " + (broken == null ? "missing" : "'" + broken + "'"));
        }
    }

    @Test
    void aPointerNamingAMissingOrUnreadableCheckpointFallsBackToThePreviousOne() throws Exception {
        java.nio.file.Path out = dir.resolve("fallback");
        CheckpointStore store = store(out, 0);
        write(store, first, 1);
        String newest = write(store, second, 2).orElseThrow();
        java.nio.file.Path file = out.resolve(CheckpointStore.DIR).resolve(newest);
        Files.write(file, "not a zip".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, store(out, 0).latest().orElseThrow().state().nextEpoch(), "unreadable newest");
        Files.delete(file);
        assertEquals(1, store(out, 0).latest().orElseThrow().state().nextEpoch(), "missing newest");
        Files.write(out.resolve(CheckpointStore.DIR).resolve(checkpointNames(out).get(0)), new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> store(out, 0).latest());
        assertTrue(e.getMessage().matches("no checkpoint under \\S+ can be read: .*"), e.getMessage());
    }

    @Test
    void onlyTheNewestCheckpointsAreKept() throws Exception {
        java.nio.file.Path out = dir.resolve("keep");
        CheckpointStore store = store(out, 2);
        List<String> written = new ArrayList<>();
        for (int epoch = 1; epoch <= 4; epoch++) {
            written.add(write(store, epoch % 2 == 0 ? second : first, epoch).orElseThrow());
        }
        assertEquals(written.subList(2, 4), checkpointNames(out), "the two newest remain");
        String pointer = Files.readString(out.resolve(CheckpointStore.DIR).resolve(CheckpointStore.POINTER));
        assertTrue(pointer.contains(written.get(2)) && pointer.contains(written.get(3))
                && !pointer.contains(written.get(1)), pointer);
        // a resumed store keeps counting from what is there
        CheckpointStore resumed = store(out, 2);
        assertEquals(4, resumed.latest().orElseThrow().state().nextEpoch());
        String fifth = write(resumed, first, 5).orElseThrow();
        assertEquals(List.of(written.get(3), fifth), checkpointNames(out));
    }

    @Test
    void aFailedWriteIsCleanedUpAndToleratedOnceTwoInARowStop() throws Exception {
        for (boolean objectStore : new boolean[] {false, true}) {
            java.nio.file.Path out = dir.resolve("failing-" + objectStore);
            ScriptedFileSystem.reset();
            ScriptedFileSystem.objectStore(objectStore);
            CheckpointStore store = store(out, 3);
            String one = write(store, first, 1).orElseThrow();
            ScriptedFileSystem.failWrites(p -> p.getName().contains("resume-at-epoch"), Set.of(1, 3, 4));
            assertTrue(write(store, second, 2).isEmpty(), "the first failure is tolerated");
            assertEquals(List.of(one), checkpointNames(out), "and leaves nothing behind");
            assertEquals(List.of(), hiddenFiles(out), "no partial file either");
            String three = write(store, second, 3).orElseThrow();
            assertTrue(write(store, second, 4).isEmpty(), "a success in between: tolerated again");
            IOException e = assertThrows(IOException.class, () -> write(store, second, 5));
            assertTrue(e.getMessage().contains("two checkpoint writes in a row failed"), e.getMessage());
            assertEquals(List.of(one, three), checkpointNames(out));
            assertEquals(List.of(), hiddenFiles(out));
            ScriptedFileSystem.reset();
            assertEquals(3, store(out, 3).latest().orElseThrow().state().nextEpoch(), "the last good one loads");
        }
    }

    @Test
    void freshlyWrittenCheckpointsHoldNoJavaSerializedEntry() throws Exception {
        java.nio.file.Path out = dir.resolve("magic");
        String name = write(store(out, 1), first, 1).orElseThrow();
        byte[] file = Files.readAllBytes(out.resolve(CheckpointStore.DIR).resolve(name));
        TestArchives.entries(file).forEach((entry, content) -> assertFalse(content.length >= 2
                && (content[0] & 0xff) == 0xAC && (content[1] & 0xff) == 0xED, entry + " is Java-serialized"));
        assertFalse(Files.readString(out.resolve(CheckpointStore.DIR).resolve(CheckpointStore.POINTER)).isEmpty());
    }

    private static List<String> checkpointNames(java.nio.file.Path out) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(out.resolve(CheckpointStore.DIR))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("resume-at-epoch-")).sorted()
                    .toList();
        }
    }

    private static List<String> hiddenFiles(java.nio.file.Path out) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(out.resolve(CheckpointStore.DIR))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".") && !n.endsWith(".crc"))
                    .toList();
        }
    }
}
