package org.alexnet.predict;

import java.io.Serializable;
import org.alexnet.preprocessing.SerializableHadoopConf;

/**
 * What each task needs to score its rows, from the driver: the model's identity (tasks load it
 * themselves, once per executor JVM), the Hadoop configuration to read it with, and the
 * transformer's settings.
 *
 * @param imageField    index of the image column in the input rows
 * @param topK          classes per image in the top-k column; 0 = no top-k column
 * @param features      whether to add the fc7 features column
 * @param handleInvalid "keep" (null results, the reason in the error column), "skip" (drop the row) or "error"
 */
record ScoringSettings(ModelRef model, SerializableHadoopConf hadoopConf, int imageField, ImageViews.Kind kind,
                       boolean tenCrop, int batchSize, int topK, boolean features, String handleInvalid)
        implements Serializable {
    static final String KEEP = "keep";
    static final String SKIP = "skip";
    static final String ERROR = "error";
}
