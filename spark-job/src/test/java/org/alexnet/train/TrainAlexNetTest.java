package org.alexnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.alexnet.archive.DescribeModel;
import org.alexnet.archive.ModelArchive;
import org.junit.jupiter.api.Test;

/**
 * TrainAlexNet end to end on local[2] Spark with two workers, on a generated learnable dataset
 * that went through PreprocessImageNet: learning, evaluation, outputs, bad configuration.
 */
class TrainAlexNetTest extends TrainingFixture {

    @Test
    void aSmallNetLearnsTheSampleClasses() throws Exception {
        Path out = dir.resolve("learn");
        // The 1/16-width tiny net learns from N(0, 0.05) weights without dropout; with the paper's
        // N(0, 0.01) its signal vanishes and it sits at chance for many epochs.
        int exit = train(args(out, "--set", "train.epochs=8", "--set", "model.learning-rate=0.01",
                "--set", "model.init-std=0.05", "--set", "model.dropout=0",
                "--set", "train.schedule=step", "--set", "train.schedule.step-epochs=7"));
        assertEquals(0, exit, "training finishes");
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(8, metrics.size(), "one metrics line per epoch");
        MetricsLog.Epoch last = MetricsLog.Epoch.parse(metrics.get(7));
        MetricsLog.Epoch first = MetricsLog.Epoch.parse(metrics.get(0));
        assertTrue(last.top1Error() <= 0.10, "top-1 error on 4 classes (chance 75%) after 8 epochs <= 10%: " + metrics);
        assertTrue(last.trainLoss() < first.trainLoss() / 4, "the training loss falls: " + metrics);
        assertEquals(0.001, last.learningRate(), 1e-12, "the step schedule divided the rate by 10 after epoch 7");
        assertTrue(Files.size(out.resolve("curves.png")) > 1000, "training curves are drawn");
        ModelArchive model = ModelArchive.open(out.resolve("model.zip"));
        assertEquals("tiny", model.model().preset(), "the final model says what it is");
        String described = DescribeModel.describe(model);
        assertTrue(described.matches("(?s).*training:\\s+8 epochs, train.seed 1, started \\S+, written .*"), described);
        assertTrue(described.matches("(?s).*final evaluation:\\s+10 views, 32 images: top-1 error [0-9.]+%.*"), described);
        assertTrue(described.matches("(?s).*dataset:\\s+\\S+dataset, 4 classes, 96 training images, manifest SHA-256 "
                + "[0-9a-f]{64}\n.*"), described);
        assertTrue(described.endsWith("parameters: " + model.parameters().length() + "\n"), described);
        TopKCounts again = EvaluateModel.evaluate(spark, out.toString(), dataset.toString(), false);
        assertEquals(32, again.examples(), "evaluate reads all 32 validation images");
        assertEquals(last.top1Error(), again.top1Error(), 1e-9, "evaluate reproduces the last epoch's top-1 error");
    }

    /**
     * A restarted driver (the Kubernetes recipe restarts with the same arguments, --resume
     * included) whose first attempt died before any checkpoint was complete, even in the middle of
     * writing the first one, trains from scratch.
     */
    @Test
    void resumeWithoutACompleteCheckpointStartsFromScratch() throws Exception {
        Path out = dir.resolve("restarted");
        Path checkpoints = Files.createDirectories(out.resolve(CheckpointStore.DIR));
        Files.write(checkpoints.resolve(".resume-at-epoch-0001-round-000002.zip.partial"), new byte[] {'P', 'K'});
        assertEquals(0, train(args(out, "--set", "train.epochs=1", "--resume")), "the restarted run trains");
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).size(), "from epoch 1");
        assertTrue(Files.exists(out.resolve("model.zip")));
        assertEquals(0, train(args(dir.resolve("fresh"), "--set", "train.epochs=1", "--resume")),
                "--resume into an output that does not exist yet trains too");
    }

    @Test
    void aBadKeyFailsBeforeAnyWorkNamingTheKey() {
        Path out = dir.resolve("bad");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int exit;
        try {
            exit = train(args(out, "--set", "train.averaging-frequncy=3"));
        } finally {
            System.setErr(old);
        }
        assertEquals(2, exit, "a configuration error is a usage error");
        assertTrue(err.toString().contains("'train.averaging-frequncy'") && err.toString().contains("train.averaging-frequency"),
                err.toString());
        assertFalse(Files.exists(out), "nothing was written");
    }
}
