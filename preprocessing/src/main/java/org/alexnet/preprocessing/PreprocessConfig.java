package org.alexnet.preprocessing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigKey;
import org.alexnet.config.ConfigSchema;
import org.alexnet.config.Installation;

/**
 * The preprocessing job's configuration keys (documented defaults in conf/preprocess.properties)
 * and its command line. Every option is a key: {@code --jpeg-quality 95} is
 * {@code --set preprocess.jpeg-quality=95}.
 */
public final class PreprocessConfig {
    private PreprocessConfig() {
    }

    public static final ConfigKey<String> INPUT = ConfigKey.stringKey("preprocess.input", null,
            "Input directory (any Hadoop FileSystem URI) holding train/<wnid>/* and optionally val/");
    public static final ConfigKey<String> OUTPUT = ConfigKey.stringKey("preprocess.output", null,
            "Output dataset directory (any Hadoop FileSystem URI)");
    public static final ConfigKey<Boolean> OVERWRITE = ConfigKey.boolKey("preprocess.overwrite", false,
            "Replace an existing output; without it an existing output is an error");
    public static final ConfigKey<Integer> JPEG_QUALITY = ConfigKey.intKey("preprocess.jpeg-quality", 90, 1, 100,
            "JPEG quality of the stored 256-short-side images");
    public static final ConfigKey<Long> MAX_PIXELS = ConfigKey.longKey("preprocess.max-pixels", 100_000_000L,
            "Reject, before decoding, an image whose header declares more pixels than this (decompression bombs)")
            .requiring(v -> v > 0, "positive");
    public static final ConfigKey<Boolean> DCT_SCALING = ConfigKey.boolKey("preprocess.dct-scaling", true,
            "Decode large JPEGs at 1/2, 1/4 or 1/8 scale in the DCT domain when the short side stays >= 256");
    public static final ConfigKey<Boolean> KEEP_TRUNCATED = ConfigKey.boolKey("preprocess.keep-truncated", false,
            "Keep a JPEG that lacks its end-of-image marker if it still decodes (missing rows come out grey)");
    public static final ConfigKey<Double> MAX_REJECTED_FRACTION = ConfigKey.doubleKey("preprocess.max-rejected-fraction",
            0.01, 0, 1, "The job fails when more than this share of the input files is rejected");
    public static final ConfigKey<Long> SEED = ConfigKey.longKey("preprocess.seed", 42L,
            "Seed of the random row order of train/ and val/");
    public static final ConfigKey<Integer> TARGET_FILE_MB = ConfigKey.intKey("preprocess.target-file-mb", 128, 1, 4096,
            "Target size of each Parquet file of train/ and val/, in MiB");
    public static final ConfigKey<Integer> IMAGES_PER_TASK = ConfigKey.intKey("preprocess.images-per-task", 1000, 1, 1_000_000,
            "Input images per Spark task (progress is reported as tasks finish)");
    public static final ConfigKey<Integer> PROGRESS_INTERVAL = ConfigKey.intKey("preprocess.progress-interval-seconds", 10, 1, 3600,
            "Seconds between progress lines in the log");
    public static final ConfigKey<String> VAL_LABELS = ConfigKey.stringKey("preprocess.val.labels", null,
            "Labels of a flat val/: LOC_val_solution.csv or ILSVRC2012_validation_ground_truth.txt (relative to the"
                    + " input or absolute); empty = look in the input, its val/ and ILSVRC2012_devkit_t12/data/");
    public static final ConfigKey<String> VAL_META = ConfigKey.stringKey("preprocess.val.meta", null,
            "The devkit's meta.mat (maps ILSVRC2012_IDs to wnids); empty = next to the ground-truth file");
    public static final ConfigKey<String> SYNSET_MAPPING = ConfigKey.stringKey("preprocess.synset-mapping", null,
            "LOC_synset_mapping.txt for class names; empty = look in the input (names also come from meta.mat)");

    public static final ConfigSchema SCHEMA = new ConfigSchema(List.of(INPUT, OUTPUT, OVERWRITE, JPEG_QUALITY,
            MAX_PIXELS, DCT_SCALING, KEEP_TRUNCATED, MAX_REJECTED_FRACTION, SEED, TARGET_FILE_MB, IMAGES_PER_TASK,
            PROGRESS_INTERVAL, VAL_LABELS, VAL_META, SYNSET_MAPPING));

    /** The installation's defaults file for this job. */
    public static final String DEFAULTS_FILE = "preprocess.properties";

    /** Command-line options with a value, each the short form of a key. */
    static final Map<String, ConfigKey<?>> OPTIONS = options();

    private static Map<String, ConfigKey<?>> options() {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> key : SCHEMA.keys()) {
            if (key != OVERWRITE) {
                m.put(key.name().substring("preprocess.".length()).replace('.', '-'), key);
            }
        }
        return m;
    }

    /**
     * Parses the command line and resolves the configuration (schema defaults, conf/preprocess.properties,
     * --config FILE, options, --set); fails naming the option or key on any problem.
     */
    public static Config fromCommandLine(String[] args) {
        CommandLine cl = CommandLine.parse(args, OPTIONS.keySet(), Set.of("overwrite"));
        if (!cl.positional().isEmpty()) {
            throw new org.alexnet.config.ConfigException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        Map<String, String> fromOptions = new LinkedHashMap<>();
        OPTIONS.forEach((option, key) -> cl.option(option).ifPresent(v -> fromOptions.put(key.name(), v)));
        if (cl.flag("overwrite")) {
            fromOptions.put(OVERWRITE.name(), "true");
        }
        Config config = cl.resolve(SCHEMA, Installation.confFiles(DEFAULTS_FILE), fromOptions);
        config.get(INPUT);    // required: fail now, naming the key
        config.get(OUTPUT);
        return config;
    }
}
