package org.alexnet.classify;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.preprocessing.DatasetStats;
import org.deeplearning4j.util.ModelSerializer;

/**
 * What a model file carries besides the network so that it can classify an image on its own: the
 * dataset's class list (index, wnid, name) and its mean image and colour statistics, which the
 * input transform needs. Written by the training job into model.zip.
 */
public final class ModelExtras {
    /** Entry of the class list: one "index\twnid\tname" line per class, in index order. */
    public static final String CLASSES_ENTRY = "alexnet-classes";
    /** Entry of the serialized {@link DatasetStats}. */
    public static final String STATS_ENTRY = "alexnet-dataset-stats";

    /** One class of the model's output. */
    public record ClassName(int index, String wnid, String name) {
        /** "wnid (name)", or the wnid alone when the dataset has no name for it. */
        public String label() {
            return name == null || name.isBlank() ? wnid : wnid + " (" + name + ")";
        }
    }

    private ModelExtras() {
    }

    /** The model-file objects (see {@code ModelFile.save}) holding the class list and the dataset statistics. */
    public static Map<String, Serializable> entries(List<ClassName> classes, DatasetStats stats) {
        StringBuilder text = new StringBuilder();
        for (ClassName c : classes) {
            text.append(c.index()).append('\t').append(c.wnid()).append('\t')
                    .append(c.name() == null ? "" : c.name().replace('\t', ' ').replace('\n', ' ')).append('\n');
        }
        Map<String, Serializable> out = new LinkedHashMap<>();
        out.put(CLASSES_ENTRY, text.toString());
        out.put(STATS_ENTRY, stats);
        return out;
    }

    /** The class list of a model file, in index order. */
    public static List<ClassName> classes(File modelFile) throws IOException {
        String text = entry(modelFile, CLASSES_ENTRY);
        List<ClassName> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", 3);
            out.add(new ClassName(Integer.parseInt(f[0]), f[1], f.length > 2 ? f[2] : ""));
        }
        return out;
    }

    /** The training dataset's statistics stored in a model file. */
    public static DatasetStats stats(File modelFile) throws IOException {
        return entry(modelFile, STATS_ENTRY);
    }

    private static <T> T entry(File modelFile, String name) throws IOException {
        try {
            return ModelSerializer.getObjectFromFile(modelFile, name);
        } catch (IllegalStateException e) { // DL4J's way of saying the entry is missing
            throw new IOException(modelFile + " has no " + name + " entry: it was saved before models carried their "
                    + "class list and dataset statistics; retrain to classify with it", e);
        }
    }
}
