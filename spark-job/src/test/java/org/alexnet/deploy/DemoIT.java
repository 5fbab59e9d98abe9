package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/alexnet demo end to end with conf/demo.properties as shipped, then classify, describe
 * --model, export and make-sample-data on their own, all from the packaged jar.
 */
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void demoTrainsAModelThatLearnedAndClassifiesWithIt() throws Exception {
        Path out = dir.resolve("demo");
        long t0 = System.nanoTime();
        Processes.Run run = Processes.launcher(600, "demo", "--output", out.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, run.exitCode(), run.all());
        for (int step = 1; step <= 5; step++) {
            assertTrue(run.stdout().contains("== demo step " + step + "/5"), run.stdout());
        }
        assertTrue(run.stderr().contains("epoch 1/") && run.stderr().contains("round 1/"),
                "training progress is visible: " + run.stderr());
        List<String> lines = Arrays.asList(run.stdout().strip().split("\n"));
        int n = lines.size();
        assertEquals("model: " + out.resolve("training/model.zip"), lines.get(n - 3));
        assertEquals("metrics: " + out.resolve("training/metrics.jsonl"), lines.get(n - 2));
        assertEquals("curves: " + out.resolve("training/curves.png"), lines.get(n - 1));
        assertTrue(Files.size(out.resolve("training/model.zip")) > 0);
        assertTrue(Files.size(out.resolve("training/curves.png")) > 0);
        assertTrue(Files.readAllLines(out.resolve("training/metrics.jsonl")).size() >= 2);
        // it learned: 4 classes are 75% top-1 error by chance
        Matcher m = Pattern.compile("10 views: top-1 error ([0-9.]+)%").matcher(run.stdout());
        assertTrue(m.find(), run.stdout());
        assertTrue(Double.parseDouble(m.group(1)) < 40, "top-1 error after the demo: " + m.group(1));
        System.out.printf("demo took %.0f s%n", seconds);

        // classify on its own, 10 views, an image of class 2 from the validation split
        Path image = out.resolve("sample-images/val/n00000002/val_n00000002_1.JPEG");
        Processes.Run classify = Processes.launcher(300, "classify", "--model", out.resolve("training").toString(),
                "--ten-crop", image.toString());
        assertEquals(0, classify.exitCode(), classify.all());
        String[] c = classify.stdout().strip().split("\n");
        assertEquals(image + " (10 views)", c[0]);
        assertEquals(5, c.length, "4 classes listed below the image: " + classify.stdout());
        // the right class first; a confident model prints its probability as 1.0000
        assertTrue(c[1].matches("\\s+1\\. n00000002 \\(hue 180, stripes at 90 degrees\\)\\s+(0\\.\\d{4}|1\\.0000)"), c[1]);
        double sum = 0;
        for (int i = 1; i < c.length; i++) {
            sum += Double.parseDouble(c[i].substring(c[i].lastIndexOf(' ') + 1));
        }
        assertEquals(1.0, sum, 0.01, "probabilities of all classes sum to 1");

        // the model says what it is and where it came from
        Processes.Run described = Processes.launcher(300, "describe", "--model", out.resolve("training").toString());
        assertEquals(0, described.exitCode(), described.all());
        assertTrue(described.stdout().matches("(?s).*written by:\\s+AlexNet-on-Spark 0\\.1\\.0-SNAPSHOT, git \\S+\n.*"
                + "final evaluation:\\s+10 views, \\d+ images: top-1 error [0-9.]+%.*"), described.stdout());
        assertTrue(described.stdout().contains("train.epochs = ") && described.stdout().contains("conv3a"),
                "its configuration and layers: " + described.stdout());
        // and travels to PyTorch (deploy/export/alexnet_torch.py loads the file)
        Path exported = out.resolve("alexnet.safetensors");
        Processes.Run export = Processes.launcher(300, "export", "--model", out.resolve("training").toString(),
                "--format", "safetensors", "--output", exported.toString());
        assertEquals(0, export.exitCode(), export.all());
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(exported), 4096);
        long headerLength = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(head, 8, (int) Math.min(headerLength, head.length - 8), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"conv2.weight\":{\"dtype\":\"F32\",\"shape\":["), header);

        // an unreadable image: reported by name, exit 1
        Path bad = out.resolve("sample-images/train/n00000000/notes.JPEG");
        Processes.Run broken = Processes.launcher(300, "classify", "--model", out.resolve("training").toString(),
                bad.toString());
        assertEquals(1, broken.exitCode(), broken.all());
        assertTrue(broken.stderr().contains("classify: " + bad + ": "), broken.stderr());
    }

    @Test
    void makeSampleDataWritesClassFoldersNamesAndBrokenFiles() throws Exception {
        Path out = dir.resolve("sample");
        Processes.Run run = Processes.launcher(300, "make-sample-data", "--output", out.toString(), "--classes", "3",
                "--per-class", "5");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.stdout().contains("3 classes, 15 train + 12 val images, 3 broken files"), run.stdout());
        try (var classes = Files.list(out.resolve("train"))) {
            assertEquals(3, classes.count());
        }
        try (var files = Files.list(out.resolve("train/n00000001"))) {
            assertEquals(5, files.count());
        }
        assertEquals(3, Files.readAllLines(out.resolve("LOC_synset_mapping.txt")).size());
        assertEquals(0, Files.size(out.resolve("train/n00000000/empty.JPEG")));
    }
}
