package org.alexnet.preprocessing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Sources;
import us.hebi.matlab.mat.types.Struct;

/**
 * Labels of a flat val/ directory (ILSVRC2012_val_00000001.JPEG, ...), from either of ImageNet's
 * two distributions: {@code LOC_val_solution.csv} (ImageId,"wnid x y x y ...") or the devkit's
 * {@code ILSVRC2012_validation_ground_truth.txt} (one ILSVRC2012_ID per line, in file-number order)
 * with {@code meta.mat}, whose IDs are in the devkit's own synset order, not sorted-wnid order.
 * Also reads class names from {@code LOC_synset_mapping.txt} and meta.mat.
 */
final class ValLabels {
    static final String LOC_SOLUTION = "LOC_val_solution.csv";
    static final String LOC_SYNSET_MAPPING = "LOC_synset_mapping.txt";
    static final String DEVKIT_GROUND_TRUTH = "ILSVRC2012_validation_ground_truth.txt";
    static final String DEVKIT_META = "meta.mat";
    static final String DEVKIT_DATA_DIR = "ILSVRC2012_devkit_t12/data";
    /** Metadata files that may sit inside val/ and are never images. */
    static final List<String> METADATA_NAMES = List.of(LOC_SOLUTION, LOC_SYNSET_MAPPING, DEVKIT_GROUND_TRUTH, DEVKIT_META);

    private ValLabels() {
    }

    /** Image id (file name without extension) to wnid, from whichever label file applies. */
    static Map<String, String> read(FileSystem fs, Path labels, Path meta) throws IOException {
        String name = labels.getName();
        if (name.endsWith(".csv")) {
            return readLocSolution(fs, labels);
        }
        if (meta == null || !fs.exists(meta)) {
            throw new IllegalArgumentException("val labels " + labels + " are devkit ILSVRC2012_IDs and need the devkit's "
                    + DEVKIT_META + " (not found" + (meta == null ? "" : " at " + meta) + "; set preprocess.val.meta)");
        }
        Map<Integer, String> idToWnid = readMeta(fs, meta).idToWnid;
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = readText(fs, labels).split("\\R");
        int n = 0;
        for (String line : lines) {
            if (line.isBlank()) continue;
            n++;
            int id;
            try {
                id = Integer.parseInt(line.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(labels + " line " + n + ": '" + line + "' is not an ILSVRC2012_ID");
            }
            String wnid = idToWnid.get(id);
            if (wnid == null) {
                throw new IllegalArgumentException(labels + " line " + n + ": ILSVRC2012_ID " + id + " is not in " + meta);
            }
            out.put(String.format("ILSVRC2012_val_%08d", n), wnid);
        }
        return out;
    }

    static Map<String, String> readLocSolution(FileSystem fs, Path csv) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = readText(fs, csv).split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || (i == 0 && line.startsWith("ImageId"))) continue;
            int comma = line.indexOf(',');
            if (comma <= 0) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + ": expected ImageId,PredictionString, got '" + line + "'");
            }
            String prediction = line.substring(comma + 1).replace("\"", "").trim();
            String wnid = prediction.split("\\s+")[0];
            if (wnid.isEmpty()) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + ": no wnid in '" + line + "'");
            }
            out.put(line.substring(0, comma).trim(), wnid);
        }
        return out;
    }

    /** wnid to name, from LOC_synset_mapping.txt ("n01440764 tench, Tinca tinca"). */
    static Map<String, String> readSynsetMapping(FileSystem fs, Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : readText(fs, file).split("\\R")) {
            String t = line.trim();
            if (t.isEmpty()) continue;
            int space = t.indexOf(' ');
            out.put(space < 0 ? t : t.substring(0, space), space < 0 ? "" : t.substring(space + 1).trim());
        }
        return out;
    }

    /** The devkit's synsets: ILSVRC2012_ID to wnid, and wnid to words. */
    record DevkitMeta(Map<Integer, String> idToWnid, Map<String, String> names) {
    }

    static DevkitMeta readMeta(FileSystem fs, Path meta) throws IOException {
        byte[] bytes;
        try (InputStream in = fs.open(meta)) {
            bytes = in.readAllBytes();
        }
        Map<Integer, String> ids = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (MatFile mat = Mat5.newReader(Sources.wrap(bytes)).readMat()) {
            Struct synsets = mat.getStruct("synsets");
            for (int i = 0; i < synsets.getNumElements(); i++) {
                int id = (int) synsets.getMatrix("ILSVRC2012_ID", i).getDouble(0);
                String wnid = synsets.getChar("WNID", i).getString().trim();
                ids.put(id, wnid);
                if (synsets.getFieldNames().contains("words")) {
                    names.put(wnid, synsets.getChar("words", i).getString().trim());
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read the synsets of " + meta + ": " + e, e);
        }
        return new DevkitMeta(ids, names);
    }

    static String readText(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
