package org.alexnet.predict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.alexnet.config.ConfigSchema;
import org.alexnet.config.Installation;
import org.alexnet.config.Usage;

/**
 * The batch inference job's configuration keys (documented defaults in conf/predict.properties)
 * and its command line: every option is a key without its {@code predict.} prefix
 * ({@code --batch-size 64} is {@code --set predict.batch-size=64}); {@code --ten-crop},
 * {@code --features} and {@code --overwrite} are switches.
 */
public final class PredictConfig {
    private PredictConfig() {
    }

    public static final ConfigKey<String> MODEL = ConfigKey.stringKey("predict.model", null,
            "The trained model: a training output directory (its model.zip) or a model file, any Hadoop FileSystem "
                    + "URI every executor can read");
    public static final ConfigKey<String> INPUT = ConfigKey.stringKey("predict.input", null,
            "The images: a preprocessed dataset's split (DATA/val), a directory tree of image files, or Parquet");
    public static final ConfigKey<String> OUTPUT = ConfigKey.stringKey("predict.output", null,
            "The output directory (Parquet: key, top-k, features, error)");
    public static final ConfigKey<String> FORMAT = ConfigKey.stringKey("predict.format", "auto",
            "How to read the input: auto | dataset | images | parquet | binaryFile | image")
            .requiring(v -> InputFormat.parse(v) != null, "one of " + InputFormat.CHOICES);
    public static final ConfigKey<String> IMAGE_COLUMN = ConfigKey.stringKey("predict.image-column", null,
            "parquet format: the column of image file bytes; empty = the only binary column");
    public static final ConfigKey<String> KEY_COLUMN = ConfigKey.stringKey("predict.key-column", null,
            "parquet format: the column that names each image; empty = the first of key, path, origin, id, name");
    public static final ConfigKey<String> GLOB = ConfigKey.stringKey("predict.glob", null,
            "images, binaryFile and image formats: read only files whose name matches this glob (Spark's "
                    + "pathGlobFilter); empty = the images format's image extensions, every file otherwise");
    public static final ConfigKey<Boolean> TEN_CROP = ConfigKey.boolKey("predict.ten-crop", false,
            "The paper's 10 views (corners, centre and mirrors) averaged; false = the centre crop");
    public static final ConfigKey<Boolean> FEATURES = ConfigKey.boolKey("predict.features", false,
            "Also write the 4096 fc7 activations (both columns) of each image");
    public static final ConfigKey<Integer> TOP = ConfigKey.intKey("predict.top", 5, 1, 100_000,
            "Classes per image in the output, best first");
    public static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.intKey("predict.batch-size", 32, 1, 4096,
            "Images per forward pass");
    public static final ConfigKey<Integer> IMAGES_PER_TASK = ConfigKey.intKey("predict.images-per-task", 256, 1,
            10_000_000, "An input with fewer partitions than images / this is repartitioned to that many tasks "
                    + "(JPEG bytes only; progress moves as tasks finish)");
    public static final ConfigKey<Boolean> OVERWRITE = ConfigKey.boolKey("predict.overwrite", false,
            "Replace an existing output; without it an existing output is an error");
    public static final ConfigKey<Integer> PROGRESS_INTERVAL = ConfigKey.intKey("predict.progress-interval-seconds",
            10, 1, 3600, "Seconds between progress lines in the log");

    public static final ConfigSchema SCHEMA = new ConfigSchema(List.of(MODEL, INPUT, OUTPUT, FORMAT, IMAGE_COLUMN,
            KEY_COLUMN, GLOB, TEN_CROP, FEATURES, TOP, BATCH_SIZE, IMAGES_PER_TASK, OVERWRITE, PROGRESS_INTERVAL));

    /** The installation's defaults file for this job. */
    public static final String DEFAULTS_FILE = "predict.properties";

    private static final Set<ConfigKey<?>> SWITCHES = Set.of(TEN_CROP, FEATURES, OVERWRITE);

    /** Command-line options with a value, each the short form of a key. */
    static final Map<String, ConfigKey<?>> OPTIONS = options(false);
    private static final Map<String, ConfigKey<?>> SWITCH_OPTIONS = options(true);

    private static Map<String, ConfigKey<?>> options(boolean switches) {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> key : SCHEMA.keys()) {
            if (SWITCHES.contains(key) == switches) {
                m.put(key.name().substring("predict.".length()), key);
            }
        }
        return m;
    }

    static final Usage USAGE = Usage.of("predict", "Batch inference on Spark: the top classes (and optionally fc7 "
                    + "features) of every image of a dataset split, a directory tree of images or Parquet, written as "
                    + "Parquet. Every key below is also an option without its 'predict.' prefix: --batch-size 64 is "
                    + "--set predict.batch-size=64. Exit 0 = done, 1 = the job failed, 2 = bad command line.")
            .option("model", "DIR", "a training output (its model.zip) or a model file (required, here or as predict.model)")
            .option("input", "PATH", "the images (required, here or as predict.input)")
            .option("output", "DIR", "the Parquet output (required, here or as predict.output)")
            .flag("ten-crop", TEN_CROP.doc())
            .flag("features", FEATURES.doc())
            .flag("overwrite", OVERWRITE.doc())
            .config(SCHEMA, DEFAULTS_FILE);

    /**
     * Parses the command line and resolves the configuration (schema defaults, conf/predict.properties,
     * --config FILE, options, --set); fails naming the option or key on any problem.
     */
    public static Config fromCommandLine(String[] args) {
        CommandLine cl = CommandLine.parse(args, OPTIONS.keySet(), SWITCH_OPTIONS.keySet());
        if (!cl.positional().isEmpty()) {
            throw new ConfigException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        Map<String, String> fromOptions = new LinkedHashMap<>();
        OPTIONS.forEach((option, key) -> cl.option(option).ifPresent(v -> fromOptions.put(key.name(), v)));
        SWITCH_OPTIONS.forEach((option, key) -> {
            if (cl.flag(option)) {
                fromOptions.put(key.name(), "true");
            }
        });
        Config config = cl.resolve(SCHEMA, Installation.confFiles(DEFAULTS_FILE), fromOptions);
        config.get(MODEL);    // required: fail now, naming the key
        config.get(INPUT);
        config.get(OUTPUT);
        return config;
    }
}
