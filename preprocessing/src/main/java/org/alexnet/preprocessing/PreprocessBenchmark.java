package org.alexnet.preprocessing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;

/**
 * {@code deploy/alexnet bench preprocess --input DIR [--cores N] [--limit N] [--pillow true|false] [--native true|false]}:
 * images per second per core for decode + resize + encode (the per-image work of the job, without
 * the Spark and Parquet around it), ours and Pillow's on the same files and the same number of
 * cores, in the same run. Files are read into memory first, so disk speed is not measured.
 * Pillow is Debian's python3-pil, installed with apt-get when missing. Ours runs one thread per core
 * (the native codec and OpenCV are single-threaded here), Pillow one process per core.
 * {@code --native false} measures the OpenCV fallback instead of the native JPEG codec.
 */
public final class PreprocessBenchmark {
    /** Debian's interpreter, which python3-pil belongs to (a pyenv or venv python3 on PATH may lack it). */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    static final Usage USAGE = Usage.of("bench preprocess", "Images per second per core for decode + resize + "
                    + "encode (the job's per-image work without Spark and Parquet), ours and Pillow's on the same "
                    + "files and cores in the same run; files are read into memory first.")
            .required("input", "DIR", "a directory tree of images")
            .option("cores", "N", "threads (ours) and processes (Pillow) (default: this machine's cores)")
            .option("limit", "N", "images read (default 2000)")
            .option("warmup", "N", "untimed images first (default 50)")
            .option("quality", "Q", "JPEG quality of the output (default 90)")
            .option("pillow", "true|false", "also time Pillow (default true; installs python3-pil when missing)")
            .option("native", "true|false", "the native JPEG codec (default true); false = the OpenCV fallback");

    private PreprocessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (USAGE.printIfAsked(args, System.out)) {
            System.exit(0);
        }
        CommandLine cl;
        try {
            cl = CommandLine.parse(args, USAGE);
        } catch (ConfigException e) {
            System.err.println("bench preprocess: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            System.exit(2);
            return;
        }
        int cores = cl.intOption("cores", Runtime.getRuntime().availableProcessors());
        int limit = cl.intOption("limit", 2000);
        int warmup = cl.intOption("warmup", 50);
        int quality = cl.intOption("quality", 90);
        boolean pillow = !cl.option("pillow").orElse("true").equalsIgnoreCase("false");
        boolean nativeCodec = !cl.option("native").orElse("true").equalsIgnoreCase("false");

        List<Path> files = imageFiles(Path.of(cl.require("input")), limit);
        if (files.isEmpty()) {
            System.err.println("bench preprocess: no files under " + cl.require("input"));
            System.exit(2);
        }
        List<byte[]> blobs = new ArrayList<>();
        long bytes = 0;
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            blobs.add(b);
            bytes += b.length;
        }
        System.out.printf("bench preprocess: %d files (%.1f MB) from %s, %d cores, JPEG q%d%n",
                blobs.size(), bytes / 1e6, cl.require("input"), cores, quality);

        String codec = nativeCodec ? NativeJpeg.describe() : "OpenCV (--native false)";
        Result ours = runOurs(blobs, cores, warmup, quality, nativeCodec);
        System.out.printf("ours   (%s, DCT scaling + area resize): %d images in %.2f s = %.1f images/s = %.1f images/s/core (%d rejected)%n",
                codec, ours.images, ours.seconds, ours.images / ours.seconds, ours.images / ours.seconds / cores, ours.rejected);
        if (pillow) {
            double p = runPillow(files, cores, warmup);
            double oursRate = ours.images / ours.seconds;
            System.out.printf("pillow (python3-pil %s, draft + resize + save q90): %.1f images/s = %.1f images/s/core%n",
                    pillowVersion(), p, p / cores);
            System.out.printf("ours / pillow = %.2fx (goal: >= 1.5x)%n", oursRate / p);
        }
    }

    private record Result(long images, long rejected, double seconds) {
    }

    private static Result runOurs(List<byte[]> blobs, int cores, int warmup, int quality, boolean nativeCodec) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        try {
            List<List<byte[]>> chunks = new ArrayList<>();
            for (int t = 0; t < cores; t++) chunks.add(new ArrayList<>());
            for (int i = 0; i < blobs.size(); i++) chunks.get(i % cores).add(blobs.get(i));
            runChunks(pool, chunks.stream().map(c -> c.subList(0, Math.min(warmup, c.size()))).toList(), quality, nativeCodec);
            long start = System.nanoTime();
            long[] counts = runChunks(pool, chunks, quality, nativeCodec);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(counts[0], counts[1], seconds);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] runChunks(ExecutorService pool, List<List<byte[]>> chunks, int quality, boolean nativeCodec) throws Exception {
        List<Future<long[]>> futures = new ArrayList<>();
        for (List<byte[]> chunk : chunks) {
            futures.add(pool.submit(() -> {
                ImageTransformer t = new ImageTransformer(quality, 100_000_000L, true, false, nativeCodec);
                long ok = 0, bad = 0;
                for (byte[] b : chunk) {
                    try {
                        ImageTransformer.StoredImage img = t.transform(b);
                        if (Math.min(img.width(), img.height()) != DatasetLayout.IMAGE_SIZE) {
                            throw new IllegalStateException("short side is not 256");
                        }
                        ok++;
                    } catch (RejectedImageException e) {
                        bad++;
                    }
                }
                return new long[]{ok, bad};
            }));
        }
        long[] total = new long[2];
        for (Future<long[]> f : futures) {
            long[] r = f.get();
            total[0] += r[0];
            total[1] += r[1];
        }
        return total;
    }

    private static double runPillow(List<Path> files, int cores, int warmup) throws IOException, InterruptedException {
        ensurePillow();
        Path dir = Files.createTempDirectory("pillow-bench");
        try {
            Path script = dir.resolve("pillow_bench.py");
            try (InputStream in = PreprocessBenchmark.class.getResourceAsStream("pillow_bench.py")) {
                Files.write(script, in.readAllBytes());
            }
            Path list = dir.resolve("files.txt");
            Files.write(list, files.stream().map(p -> p.toAbsolutePath().toString()).toList(), StandardCharsets.UTF_8);
            String out = exec(List.of(PYTHON, script.toString(), list.toString(), Integer.toString(cores),
                    Integer.toString(warmup)));
            Matcher m = Pattern.compile("pillow_images_per_second ([0-9.]+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("the Pillow benchmark printed no result:\n" + out);
            }
            return Double.parseDouble(m.group(1));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String pillowVersion() throws IOException, InterruptedException {
        return exec(List.of(PYTHON, "-c", "import PIL; print(PIL.__version__)")).trim();
    }

    /** Installs Debian's python3-pil when Python cannot import PIL. */
    private static void ensurePillow() throws IOException, InterruptedException {
        if (new ProcessBuilder(PYTHON, "-c", "import PIL").start().waitFor() == 0) {
            return;
        }
        System.out.println("bench preprocess: installing python3-pil (apt-get) ...");
        for (List<String> cmd : List.of(List.of("apt-get", "update", "-qq"), List.of("apt-get", "install", "-y", "-qq", "python3-pil"))) {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("'" + String.join(" ", cmd) + "' failed; install python3-pil"
                        + " (Debian) to compare with Pillow, or pass --pillow false");
            }
        }
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    /** Up to {@code limit} regular files under dir (a seeded sample when there are more). */
    private static List<Path> imageFiles(Path dir, int limit) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = new ArrayList<>(s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList());
        }
        if (all.size() > limit) {
            Collections.shuffle(all, new Random(42));
            all = new ArrayList<>(all.subList(0, limit));
        }
        return all;
    }
}
