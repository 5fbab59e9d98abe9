package org.alexnet.preprocessing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The listing of an input directory: {@code train/<wnid>/*} (the class index is the sorted folder
 * names) and optionally {@code val/}, either in class folders or flat with a label file. Everything
 * that can be checked without reading images is checked here, before any work starts.
 *
 * @param classes     the class index
 * @param train       training files, sorted by key
 * @param val         validation files, sorted by key (empty when there is no val/)
 * @param valLabelling how val/ was labelled, for the log and the manifest
 */
public record InputCatalog(ClassIndex classes, List<ImageEntry> train, List<ImageEntry> val, String valLabelling) {

    public static InputCatalog scan(FileSystem fs, Path input, PreprocessSettings s) throws IOException {
        if (!fs.exists(input)) {
            throw new IllegalArgumentException("input " + input + " does not exist");
        }
        Path trainDir = new Path(input, DatasetLayout.TRAIN);
        if (!fs.getFileStatus(input).isDirectory() || !fs.exists(trainDir) || !fs.getFileStatus(trainDir).isDirectory()) {
            throw new IllegalArgumentException("input " + input + " has no " + DatasetLayout.TRAIN + "/ directory");
        }
        String root = fs.makeQualified(input).toUri().getPath();
        List<String[]> trainFiles = list(fs, trainDir, root);          // {path, key, relative-to-split}
        TreeSet<String> wnids = new TreeSet<>();
        for (String[] f : trainFiles) {
            int slash = f[2].indexOf('/');
            if (slash > 0) wnids.add(f[2].substring(0, slash));
        }
        if (wnids.isEmpty()) {
            throw new IllegalArgumentException(trainDir + " has no class folders (expected train/<wnid>/<image>)");
        }
        ClassIndex classes = new ClassIndex(wnids, Map.of());
        Path mapping = resolve(fs, input, s.synsetMapping(), ValLabels.LOC_SYNSET_MAPPING);
        if (s.synsetMapping() != null && mapping == null) {
            throw new IllegalArgumentException("preprocess.synset-mapping: " + s.synsetMapping() + " does not exist");
        }
        if (mapping != null) {
            classes = classes.withNames(ValLabels.readSynsetMapping(fs, mapping));
        }
        List<ImageEntry> train = new ArrayList<>();
        for (String[] f : trainFiles) {
            int slash = f[2].indexOf('/');
            train.add(slash > 0 ? labelled(f, f[2].substring(0, slash), classes)
                    : new ImageEntry(f[0], f[1], Long.parseLong(f[3]), -1, null, "not inside a class folder of train/"));
        }

        Path valDir = new Path(input, DatasetLayout.VAL);
        List<ImageEntry> val = new ArrayList<>();
        String labelling = "none (no val/)";
        if (fs.exists(valDir)) {
            List<String[]> valFiles = list(fs, valDir, root);
            valFiles.removeIf(f -> ValLabels.METADATA_NAMES.contains(new Path(f[0]).getName()));
            boolean folders = valFiles.stream().anyMatch(f -> f[2].contains("/"));
            if (folders) {
                labelling = "class folders";
                for (String[] f : valFiles) {
                    int slash = f[2].indexOf('/');
                    if (slash < 0) {
                        val.add(new ImageEntry(f[0], f[1], Long.parseLong(f[3]), -1, null, "not inside a class folder of val/"));
                        continue;
                    }
                    String wnid = f[2].substring(0, slash);
                    if (classes.indexOf(wnid) < 0) {
                        throw new IllegalArgumentException("val/ class folder '" + wnid + "' is not a class of train/");
                    }
                    val.add(labelled(f, wnid, classes));
                }
            } else if (!valFiles.isEmpty()) {
                Path labels = findValLabels(fs, input, s);
                Path meta = s.valMeta() != null ? resolve(fs, input, s.valMeta(), null)
                        : labels.getName().endsWith(".csv") ? null : new Path(labels.getParent(), ValLabels.DEVKIT_META);
                if (s.valMeta() != null && meta == null) {
                    throw new IllegalArgumentException("preprocess.val.meta: " + s.valMeta() + " does not exist");
                }
                if (meta != null && fs.exists(meta)) {
                    classes = classes.withNames(ValLabels.readMeta(fs, meta).names());
                }
                Map<String, String> byId = ValLabels.read(fs, labels, meta);
                labelling = fs.makeQualified(labels).toString() + (meta != null ? " + " + fs.makeQualified(meta) : "");
                for (String[] f : valFiles) {
                    String name = new Path(f[0]).getName();
                    int dot = name.lastIndexOf('.');
                    String wnid = byId.get(dot > 0 ? name.substring(0, dot) : name);
                    if (wnid == null) {
                        val.add(new ImageEntry(f[0], f[1], Long.parseLong(f[3]), -1, null, "no label for this file in " + labels.getName()));
                    } else if (classes.indexOf(wnid) < 0) {
                        throw new IllegalArgumentException(labels + " labels " + name + " with '" + wnid
                                + "', which is not a class of train/");
                    } else {
                        val.add(labelled(f, wnid, classes));
                    }
                }
            }
        }
        final ClassIndex finalClasses = classes;
        return new InputCatalog(finalClasses, sorted(train), sorted(val), labelling);
    }

    private static List<ImageEntry> sorted(List<ImageEntry> entries) {
        entries.sort(Comparator.comparing(ImageEntry::key));
        return List.copyOf(entries);
    }

    private static ImageEntry labelled(String[] f, String wnid, ClassIndex classes) {
        return new ImageEntry(f[0], f[1], Long.parseLong(f[3]), classes.indexOf(wnid), wnid, null);
    }

    private static Path findValLabels(FileSystem fs, Path input, PreprocessSettings s) throws IOException {
        if (s.valLabels() != null) {
            Path p = resolve(fs, input, s.valLabels(), null);
            if (p == null) {
                throw new IllegalArgumentException("preprocess.val.labels: " + s.valLabels() + " does not exist");
            }
            return p;
        }
        for (String candidate : List.of(ValLabels.LOC_SOLUTION, DatasetLayout.VAL + "/" + ValLabels.LOC_SOLUTION,
                ValLabels.DEVKIT_GROUND_TRUTH, DatasetLayout.VAL + "/" + ValLabels.DEVKIT_GROUND_TRUTH,
                ValLabels.DEVKIT_DATA_DIR + "/" + ValLabels.DEVKIT_GROUND_TRUTH)) {
            Path p = new Path(input, candidate);
            if (fs.exists(p)) return p;
        }
        throw new IllegalArgumentException("val/ holds files without class folders, and no labels were found: put "
                + ValLabels.LOC_SOLUTION + " or " + ValLabels.DEVKIT_DATA_DIR + "/" + ValLabels.DEVKIT_GROUND_TRUTH
                + " (with meta.mat) in the input, or set preprocess.val.labels");
    }

    /** An explicit path (absolute or relative to the input), or the default name in the input; null if absent. */
    private static Path resolve(FileSystem fs, Path input, String explicit, String defaultName) throws IOException {
        Path p = explicit != null ? (new Path(explicit).isAbsoluteAndSchemeAuthorityNull() || new Path(explicit).toUri().getScheme() != null
                ? new Path(explicit) : new Path(input, explicit))
                : defaultName != null ? new Path(input, defaultName) : null;
        return p != null && fs.exists(p) ? p : null;
    }

    /** Files under dir, skipping hidden ones ('.' or '_' prefixed): {full path, key, path relative to dir, length}. */
    private static List<String[]> list(FileSystem fs, Path dir, String root) throws IOException {
        String dirPath = fs.makeQualified(dir).toUri().getPath();
        List<String[]> out = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus st = it.next();
            String path = st.getPath().toUri().getPath();
            String rel = path.substring(dirPath.length() + 1);
            boolean hidden = false;
            for (String part : rel.split("/")) hidden |= part.startsWith(".") || part.startsWith("_");
            if (!hidden) {
                out.add(new String[]{st.getPath().toString(), path.substring(root.length() + 1), rel, Long.toString(st.getLen())});
            }
        }
        return out;
    }
}
