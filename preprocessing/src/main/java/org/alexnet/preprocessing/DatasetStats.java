package org.alexnet.preprocessing;

import static org.alexnet.preprocessing.DatasetLayout.*;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The training set's pixel statistics (stats/ of a preprocessed dataset): the mean image and the
 * RGB covariance with its eigen-decomposition, for mean subtraction and the paper's PCA colour
 * augmentation. All values are on the 0-255 pixel scale ({@link #pixelScale()}).
 *
 * @param count         training images they were computed over
 * @param meanImage     256*256*3 floats, HWC, RGB: mean of every training image's central patch
 * @param rgbMean       3: mean R, G, B over all those pixels
 * @param rgbCovariance 9, row-major: covariance of (R, G, B) over all those pixels
 * @param eigenvalues   3, descending
 * @param eigenvectors  9, row-major; column i is the unit eigenvector of eigenvalue i
 * @param pixelScale    the value of a full-intensity channel (255)
 */
public record DatasetStats(long count, float[] meanImage, double[] rgbMean, double[] rgbCovariance,
                           double[] eigenvalues, double[] eigenvectors, double pixelScale)
        implements java.io.Serializable {

    public static final double PIXEL_SCALE_255 = 255.0;

    /** The stats/ Parquet schema. */
    public static final StructType SCHEMA = new StructType()
            .add(COUNT, DataTypes.LongType, false)
            .add(MEAN_IMAGE, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(RGB_MEAN, DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add(RGB_COVARIANCE, DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add(EIGENVALUES, DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add(EIGENVECTORS, DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add(PIXEL_SCALE, DataTypes.DoubleType, false);

    /** Mean of channel {@code c} (0=R) at row {@code y}, column {@code x} of the mean image. */
    public float mean(int y, int x, int c) {
        return meanImage[(y * IMAGE_SIZE + x) * 3 + c];
    }

    /** Component {@code k} of eigenvector {@code i}. */
    public double eigenvector(int i, int k) {
        return eigenvectors[k * 3 + i];
    }

    /** Reads the stats of the complete dataset at {@code datasetDir} (any Hadoop FileSystem URI). */
    public static DatasetStats read(SparkSession spark, String datasetDir) {
        Dataset<Row> df = spark.read().parquet(new org.apache.hadoop.fs.Path(datasetDir, STATS).toString());
        List<Row> rows = df.collectAsList();
        if (rows.size() != 1) {
            throw new IllegalArgumentException(datasetDir + "/" + STATS + " holds " + rows.size() + " rows, expected 1");
        }
        return fromRow(rows.get(0));
    }

    /** This record as the single row of stats/. */
    public Row toRow() {
        Float[] mean = new Float[meanImage.length];
        for (int i = 0; i < mean.length; i++) mean[i] = meanImage[i];
        return RowFactory.create(count, mean, box(rgbMean), box(rgbCovariance), box(eigenvalues), box(eigenvectors), pixelScale);
    }

    static DatasetStats fromRow(Row r) {
        List<Float> mean = r.getList(r.fieldIndex(MEAN_IMAGE));
        float[] m = new float[mean.size()];
        for (int i = 0; i < m.length; i++) m[i] = mean.get(i);
        return new DatasetStats(r.getLong(r.fieldIndex(COUNT)), m, unbox(r, RGB_MEAN), unbox(r, RGB_COVARIANCE),
                unbox(r, EIGENVALUES), unbox(r, EIGENVECTORS), r.getDouble(r.fieldIndex(PIXEL_SCALE)));
    }

    private static Double[] box(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    private static double[] unbox(Row r, String column) {
        List<Double> list = r.getList(r.fieldIndex(column));
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
