package org.alexnet.preprocessing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The per-task work: read each file through the Hadoop FileSystem, transform it, emit a row of
 * JPEG bytes, and (for train) add the stored image's central patch to the partition's pixel sums,
 * which go to the driver when the partition is complete. Bad files become {@link Rejection}s;
 * I/O errors other than a vanished file fail the task, so that Spark retries it.
 */
final class PartitionProcessor implements Function2<Integer, Iterator<ImageEntry>, Iterator<Row>> {
    private static final long serialVersionUID = 1L;

    private final String split;
    private final PreprocessSettings settings;
    private final SerializableHadoopConf hadoopConf;
    private final PixelSumsAccumulator pixelSums;           // null: no statistics for this split
    private final CollectionAccumulator<Rejection> rejections;
    private final LongAccumulator processed;
    private final LongAccumulator rejected;

    PartitionProcessor(String split, PreprocessSettings settings, SerializableHadoopConf hadoopConf,
                       PixelSumsAccumulator pixelSums, CollectionAccumulator<Rejection> rejections,
                       LongAccumulator processed, LongAccumulator rejected) {
        this.split = split;
        this.settings = settings;
        this.hadoopConf = hadoopConf;
        this.pixelSums = pixelSums;
        this.rejections = rejections;
        this.processed = processed;
        this.rejected = rejected;
    }

    @Override
    public Iterator<Row> call(Integer partition, Iterator<ImageEntry> entries) {
        ImageTransformer transformer = ImageTransformer.of(settings);
        PixelSums sums = pixelSums == null ? null : new PixelSums();
        return new Iterator<>() {
            private Row next = advance();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Row next() {
                if (next == null) throw new NoSuchElementException();
                Row r = next;
                next = advance();
                return r;
            }

            private Row advance() {
                while (entries.hasNext()) {
                    Row row = process(entries.next(), transformer, sums);
                    processed.add(1);
                    if (row != null) return row;
                }
                if (sums != null) {
                    pixelSums.add(new PixelSumsAccumulator.PartitionSums(partition, sums));
                }
                return null;
            }
        };
    }

    private Row process(ImageEntry e, ImageTransformer transformer, PixelSums sums) {
        if (e.rejection() != null) {
            return reject(e, e.rejection());
        }
        if (e.size() > Integer.MAX_VALUE - 64) {
            return reject(e, "file of " + e.size() + " bytes is too large to be an image");
        }
        byte[] bytes;
        try {
            bytes = read(e);
        } catch (FileNotFoundException gone) {
            return reject(e, "file disappeared: " + gone.getMessage());
        }
        ImageTransformer.StoredImage img;
        try {
            img = transformer.transform(bytes);
        } catch (RejectedImageException bad) {
            return reject(e, bad.getMessage());
        } catch (RuntimeException decoderError) {
            return reject(e, "decoder error: " + decoderError);
        }
        if (sums != null) {
            sums.add(ImageTransformer.centralPatchRgb(img.jpeg()));
        }
        return RowFactory.create(e.key(), e.label(), e.wnid(), img.jpeg(), img.height(), img.width(),
                RandomOrder.of(settings.seed(), e.key()));
    }

    private Row reject(ImageEntry e, String reason) {
        rejections.add(new Rejection(split, e.key(), reason));
        rejected.add(1);
        return null;
    }

    private byte[] read(ImageEntry e) throws FileNotFoundException {
        Path p = new Path(e.path());
        try (FSDataInputStream in = p.getFileSystem(hadoopConf.get()).open(p)) {
            return in.readAllBytes();
        } catch (FileNotFoundException gone) {
            throw gone;
        } catch (IOException io) {
            throw new UncheckedIOException("reading " + e.path(), io);
        }
    }
}
