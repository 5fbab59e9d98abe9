package org.alexnet.predict;

import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.preprocessing.ImageTransformer;
import org.alexnet.train.data.AugmentationSettings;
import org.alexnet.train.data.ImagePreprocessor;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Row;

/**
 * An input value to the network's views, the way a validation image goes: a file's bytes
 * (JPEG, PNG, ... as preprocessing reads them) or Spark's decoded image struct are first
 * stored as preprocessing stores an image (short side 256, JPEG), a preprocessed dataset's JPEG
 * is used as it is; then the centre crop (or the paper's 10 views) minus the model's mean image.
 * Decoding happens here, on the executor: only file bytes travel. One per task; not thread-safe.
 */
final class ImageViews {
    /** What an input column holds. */
    enum Kind {
        /** A file's bytes (BinaryType). */
        FILE,
        /** A preprocessed dataset's stored JPEG (short side 256), used as it is. */
        STORED,
        /** Spark's image data source struct (ImageSchema: origin, height, width, nChannels, mode, data). */
        IMAGE_STRUCT
    }

    /** An input that could not become views; {@code reason} says why. */
    static final class Unreadable extends Exception {
        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    // the preprocessing job's defaults (conf/preprocess.properties): JPEG quality 90, at most 100 M pixels,
    // DCT scaling, a truncated JPEG refused
    private final ImageTransformer transformer = new ImageTransformer(90, 100_000_000L, true, false);
    private final ImagePreprocessor preprocessor;
    private final Kind kind;
    private final boolean tenCrop;

    ImageViews(AlexNetConfig model, DatasetStats stats, Kind kind, boolean tenCrop) {
        this.preprocessor = new ImagePreprocessor(AugmentationSettings.paper(model.inputSize(), 0), stats);
        this.kind = kind;
        this.tenCrop = tenCrop;
    }

    int viewsPerImage() {
        return tenCrop ? 10 : 1;
    }

    /** The views of the value in {@code row}'s field {@code field}, CHW floats one view after another. */
    float[] views(Row row, int field) throws Unreadable {
        if (row.isNullAt(field)) {
            throw new Unreadable("no image (null)");
        }
        byte[] stored;
        try {
            stored = switch (kind) {
                case STORED -> (byte[]) row.get(field);
                case FILE -> transformer.transform((byte[]) row.get(field)).jpeg();
                case IMAGE_STRUCT -> fromStruct(row.getStruct(field));
            };
            return tenCrop ? preprocessor.tenViews(stored) : preprocessor.centreView(stored);
        } catch (Unreadable e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Unreadable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private byte[] fromStruct(Row image) throws Unreadable {
        int width = ImageSchema.getWidth(image);
        int height = ImageSchema.getHeight(image);
        byte[] data = ImageSchema.getData(image);
        if (width <= 0 || height <= 0 || data == null || data.length == 0) {
            throw new Unreadable("Spark's image data source could not decode it");
        }
        return transformer.transformPixels(data, width, height, ImageSchema.getNChannels(image)).jpeg();
    }
}
