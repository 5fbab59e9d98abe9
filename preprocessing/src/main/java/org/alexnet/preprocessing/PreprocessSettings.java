package org.alexnet.preprocessing;

import java.io.Serializable;
import org.alexnet.config.Config;

/** The typed, serialisable values of a resolved preprocessing {@link Config}, as tasks need them. */
public record PreprocessSettings(String input, String output, boolean overwrite, int jpegQuality, long maxPixels,
                                 boolean dctScaling, boolean keepTruncated, double maxRejectedFraction, long seed,
                                 int targetFileMb, int imagesPerTask, int progressIntervalSeconds,
                                 String valLabels, String valMeta, String synsetMapping) implements Serializable {

    public static PreprocessSettings of(Config c) {
        return new PreprocessSettings(c.get(PreprocessConfig.INPUT), c.get(PreprocessConfig.OUTPUT),
                c.get(PreprocessConfig.OVERWRITE), c.get(PreprocessConfig.JPEG_QUALITY), c.get(PreprocessConfig.MAX_PIXELS),
                c.get(PreprocessConfig.DCT_SCALING), c.get(PreprocessConfig.KEEP_TRUNCATED),
                c.get(PreprocessConfig.MAX_REJECTED_FRACTION), c.get(PreprocessConfig.SEED),
                c.get(PreprocessConfig.TARGET_FILE_MB), c.get(PreprocessConfig.IMAGES_PER_TASK),
                c.get(PreprocessConfig.PROGRESS_INTERVAL), c.find(PreprocessConfig.VAL_LABELS).orElse(null),
                c.find(PreprocessConfig.VAL_META).orElse(null), c.find(PreprocessConfig.SYNSET_MAPPING).orElse(null));
    }
}
