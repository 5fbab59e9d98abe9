package org.alexnet.train.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.alexnet.preprocessing.DatasetLayout;
import org.alexnet.preprocessing.DatasetStats;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Throughput of the training input pipeline alone (decode, central patch, random crop + flip +
 * lighting, mean subtraction, minibatch assembly) on synthetic stored JPEGs (341x256, textured,
 * quality 90), with a consumer that takes batches as fast as they come.
 *
 * <pre>java -cp ... org.alexnet.train.data.PipelineBenchmark [images=1500] [batch=64] [cropSize=224] [threads=1,2]</pre>
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {
    }

    public static void main(String[] args) {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int crop = args.length > 2 ? Integer.parseInt(args[2]) : 224;
        int[] threadCounts = args.length > 3 ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[]{1, 2};
        List<Example> distinct = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            distinct.add(new Example("synthetic-" + i, syntheticJpeg(new Random(i)), i % 1000));
        }
        List<Example> input = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            input.add(distinct.get(i % distinct.size()));
        }
        int size = DatasetLayout.IMAGE_SIZE;
        float[] mean = new float[size * size * 3];
        Arrays.fill(mean, 115f);
        DatasetStats stats = new DatasetStats(1, mean, new double[]{115, 115, 115}, new double[]{1, 0, 0, 0, 1, 0, 0, 0, 1},
                new double[]{14000, 1200, 300}, new double[]{1, 0, 0, 0, 1, 0, 0, 0, 1}, DatasetStats.PIXEL_SCALE_255);
        ImagePreprocessor preprocessor = new ImagePreprocessor(AugmentationSettings.paper(crop, 1), stats);
        run(input.subList(0, Math.min(images, 4 * batch)), preprocessor, batch, 2); // warm-up: natives, JIT
        for (int threads : threadCounts) {
            run(input, preprocessor, batch, threads);
        }
    }

    private static void run(List<Example> input, ImagePreprocessor preprocessor, int batch, int threads) {
        StreamOptions options = new StreamOptions(batch, 1000, ViewMode.TRAIN, threads, 2);
        long start = System.nanoTime();
        long examples = 0;
        try (MinibatchStream stream = new MinibatchStream(input.iterator(), preprocessor, new ChunkId(0, 0, 0), options)) {
            while (stream.hasNext()) {
                examples += stream.next().size();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("threads %d: %d images of %dx%d in %.2f s = %.0f images/s (decode+augment %.2f ms/image/thread)%n",
                    threads, examples, preprocessor.geometry().cropSize(), preprocessor.geometry().cropSize(), seconds,
                    examples / seconds, 1000 * stream.decodeSeconds() / examples);
        }
    }

    /** A 341x256 JPEG with gradients and noise, so that it compresses (and decodes) like a photo. */
    private static byte[] syntheticJpeg(Random rng) {
        int w = 341;
        int h = 256;
        byte[] bgr = new byte[w * h * 3];
        int a = rng.nextInt(100);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                bgr[i] = (byte) (60 + (x + a) / 3 + rng.nextInt(40));
                bgr[i + 1] = (byte) (40 + y / 2 + rng.nextInt(40));
                bgr[i + 2] = (byte) (80 + ((x * y) >> 9) % 80 + rng.nextInt(40));
            }
        }
        try (PointerScope scope = new PointerScope()) {
            Mat m = new Mat(h, w, opencv_core.CV_8UC3);
            m.data().put(bgr);
            BytePointer out = new BytePointer();
            imencode(".jpg", m, out, new IntPointer(IMWRITE_JPEG_QUALITY, 90));
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }
}
