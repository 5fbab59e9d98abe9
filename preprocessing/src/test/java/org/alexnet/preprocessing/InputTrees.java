package org.alexnet.preprocessing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Struct;

/** Raw ImageNet-shaped input trees written by the tests. */
final class InputTrees {
    static final List<String> WNIDS = List.of("n01000001", "n01000002", "n01000003");
    /** The bad files of {@link #withTraps}, relative to the input. */
    static final List<String> BAD = List.of("train/n01000002/truncated.JPEG", "train/n01000002/empty.JPEG",
            "train/n01000002/text.JPEG", "train/n01000002/huge.JPEG");

    private InputTrees() {
    }

    /**
     * train/: {@code perClass} photos per class of assorted sizes, plus in class 1 a CMYK, a YCCK, a
     * grayscale, a progressive JPEG and a PNG named .JPEG, and in class 2 the {@link #BAD} files.
     */
    static void withTraps(Path root, int perClass) throws IOException {
        int[][] sizes = {{500, 375}, {375, 500}, {333, 500}, {640, 480}, {300, 260}, {600, 400}, {200, 150}, {1100, 600}};
        int n = 0;
        for (String wnid : WNIDS) {
            Path dir = Files.createDirectories(root.resolve("train").resolve(wnid));
            for (int i = 0; i < perClass; i++) {
                int[] s = sizes[n % sizes.length];
                Files.write(dir.resolve(wnid + "_" + i + ".JPEG"), TestImages.jpeg(TestImages.pattern(s[0], s[1], n++, 80), 0.9f, false));
            }
        }
        Path c1 = root.resolve("train/n01000001");
        var photo = TestImages.pattern(450, 320, 99);
        Files.write(c1.resolve("cmyk.JPEG"), TestImages.cmykJpeg(photo, false));
        Files.write(c1.resolve("ycck.JPEG"), TestImages.cmykJpeg(photo, true));
        Files.write(c1.resolve("gray.JPEG"), TestImages.jpeg(TestImages.gray(photo), 0.9f, false));
        Files.write(c1.resolve("progressive.JPEG"), TestImages.jpeg(photo, 0.9f, true));
        Files.write(c1.resolve("png_named.JPEG"), TestImages.png(photo));
        Path c2 = root.resolve("train/n01000002");
        byte[] jpeg = TestImages.jpeg(photo, 0.9f, false);
        Files.write(c2.resolve("truncated.JPEG"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.write(c2.resolve("empty.JPEG"), new byte[0]);
        Files.write(c2.resolve("text.JPEG"), "<html>404 Not Found</html>\n".getBytes(StandardCharsets.UTF_8));
        Files.write(c2.resolve("huge.JPEG"), TestImages.pngHeaderOnly(200_000, 100_000));
    }

    /** train/: {@code perClass} small photos per class. */
    static void plain(Path root, int perClass) throws IOException {
        int n = 0;
        for (String wnid : WNIDS) {
            Path dir = Files.createDirectories(root.resolve("train").resolve(wnid));
            for (int i = 0; i < perClass; i++) {
                Files.write(dir.resolve(wnid + "_" + i + ".JPEG"), TestImages.jpeg(TestImages.pattern(320, 280, 500 + n++), 0.9f, false));
            }
        }
    }

    /** Flat val/ files ILSVRC2012_val_0000000N.JPEG; returns the wnid of each (index 0 = file 1). */
    static List<String> flatVal(Path root, int count) throws IOException {
        Path val = Files.createDirectories(root.resolve("val"));
        List<String> wnids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Files.write(val.resolve(String.format("ILSVRC2012_val_%08d.JPEG", i)),
                    TestImages.jpeg(TestImages.pattern(300 + 10 * i, 270, 1000 + i), 0.9f, false));
            wnids.add(WNIDS.get((i * 2) % WNIDS.size()));
        }
        return wnids;
    }

    /** LOC_val_solution.csv and LOC_synset_mapping.txt, as in the Kaggle distribution. */
    static void locLabels(Path root, List<String> valWnids) throws IOException {
        StringBuilder csv = new StringBuilder("ImageId,PredictionString\n");
        for (int i = valWnids.size(); i >= 1; i--) {   // any order
            String w = valWnids.get(i - 1);
            csv.append(String.format("ILSVRC2012_val_%08d,%s 10 20 100 200 %s 5 5 50 50%n", i, w, w));
        }
        Files.writeString(root.resolve("LOC_val_solution.csv"), csv);
        StringBuilder mapping = new StringBuilder();
        for (String w : WNIDS) mapping.append(w).append(' ').append(name(w)).append('\n');
        Files.writeString(root.resolve("LOC_synset_mapping.txt"), mapping);
    }

    /**
     * The devkit's ILSVRC2012_validation_ground_truth.txt and meta.mat, whose ILSVRC2012_IDs follow
     * their own order (here the reverse of sorted wnids), as the real devkit's do.
     */
    static void devkitLabels(Path root, List<String> valWnids) throws IOException {
        Path data = Files.createDirectories(root.resolve("ILSVRC2012_devkit_t12/data"));
        List<String> devkitOrder = new ArrayList<>(WNIDS);
        java.util.Collections.reverse(devkitOrder);
        StringBuilder gt = new StringBuilder();
        for (String w : valWnids) gt.append(devkitOrder.indexOf(w) + 1).append('\n');
        Files.writeString(data.resolve("ILSVRC2012_validation_ground_truth.txt"), gt);
        Struct synsets = Mat5.newStruct(devkitOrder.size(), 1);
        for (int i = 0; i < devkitOrder.size(); i++) {
            synsets.set("ILSVRC2012_ID", i, Mat5.newScalar(i + 1));
            synsets.set("WNID", i, Mat5.newString(devkitOrder.get(i)));
            synsets.set("words", i, Mat5.newString(name(devkitOrder.get(i))));
        }
        MatFile mat = Mat5.newMatFile().addArray("synsets", synsets);
        Mat5.writeToFile(mat, data.resolve("meta.mat").toFile());
    }

    static String name(String wnid) {
        return "class " + wnid.substring(wnid.length() - 1) + ", a test synset";
    }
}
