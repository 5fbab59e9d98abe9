package org.alexnet.predict;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.alexnet.archive.ClassName;
import org.alexnet.preprocessing.SerializableHadoopConf;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A trained AlexNet as a Spark ML {@link Transformer}: adds the top-k classes and the fc7
 * features (the paper's 4096-unit last hidden layer, both columns) of each row's image, so the
 * network drops into a {@code Pipeline}, e.g. as the featurizer before a LogisticRegression.
 * <pre>
 * AlexNetModel alexnet = new AlexNetModel().setModelPath("hdfs:///runs/alexnet-1").setInputCol("content");
 * Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {alexnet,
 *         new LogisticRegression().setFeaturesCol("features").setLabelCol("label")});
 * </pre>
 * The input column holds a file's bytes (BinaryType: JPEG, PNG, ... as from
 * {@code spark.read().format("binaryFile")}), a preprocessed dataset's stored JPEG (set
 * {@code preprocessed}), or Spark's image struct ({@code spark.read().format("image")}). Images
 * are decoded on the executors, resized as preprocessing does and cropped as validation does
 * (centre crop, or the paper's 10 views with {@code tenCrop}: softmax and features averaged over
 * the views). Added columns: {@code outputCol} (default "predictions"), an array of
 * {@code struct<index:int, wnid:string, name:string, probability:double>}, best first;
 * {@code featuresCol} (default "features"), a Spark ML Vector; {@code errorCol} (default
 * "error"), null or why the image could not be read. An empty outputCol or featuresCol leaves
 * that column out. Unreadable images: {@code handleInvalid} "keep" (null results and the
 * reason), "skip" (row dropped) or "error" (the job fails).
 *
 * <p>The model file (a training output directory or model file, on any Hadoop FileSystem every
 * executor can read) is read through {@link org.alexnet.archive.ModelArchive}: once on the
 * driver (a bad file fails before any task) and once per executor JVM, whose tasks borrow
 * replicas of the network and run the two-column net on the column executor's inference path
 * on the GPUs Spark assigns to the task (or the CPU). Saves and loads with Spark ML's
 * writer and reader ({@code DefaultParamsWritable}; the model file itself is referenced, not copied).
 */
public final class AlexNetModel extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;

    // created in the constructor: a param's parent is the uid, which field initialisers would see as null
    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> featuresCol;
    private final Param<String> errorCol;
    private final BooleanParam tenCrop;
    private final IntParam batchSize;
    private final IntParam topK;
    private final BooleanParam preprocessed;
    private final Param<String> handleInvalid;

    public AlexNetModel() {
        this(Identifiable.randomUID("alexnet"));
    }

    /** Spark ML's reader builds the instance with its saved uid. */
    public AlexNetModel(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath",
                "a trained model: a training output directory (its model.zip) or a model file, on a FileSystem every "
                + "executor can read");
        inputCol = new Param<>(this, "inputCol",
                "the image column: file bytes (binary), a preprocessed dataset's JPEG (set preprocessed) or Spark's "
                + "image struct");
        outputCol = new Param<>(this, "outputCol",
                "the top-k classes column, array<struct<index, wnid, name, probability>> best first; empty = none");
        featuresCol = new Param<>(this, "featuresCol",
                "the fc7 features column (Vector, both columns' units); empty = none");
        errorCol = new Param<>(this, "errorCol",
                "null, or why the image could not be read");
        tenCrop = new BooleanParam(this, "tenCrop",
                "the paper's 10 views (corners, centre and their mirror images), averaged; false = the centre crop");
        batchSize = new IntParam(this, "batchSize", "images per forward pass",
                ParamValidators.gtEq(1));
        topK = new IntParam(this, "topK", "classes in the outputCol, best first",
                ParamValidators.gtEq(1));
        preprocessed = new BooleanParam(this, "preprocessed",
                "the input column holds a preprocessed dataset's stored JPEGs (short side 256), used as they are");
        handleInvalid = new Param<>(this, "handleInvalid",
                "what to do with an image that cannot be read: keep (null results, the reason in errorCol), skip (drop "
                + "the row) or error (fail)",
                ParamValidators.inArray(new String[] {ScoringSettings.KEEP, ScoringSettings.SKIP, ScoringSettings.ERROR}));
        setDefault(inputCol, "image");
        setDefault(outputCol, "predictions");
        setDefault(featuresCol, "features");
        setDefault(errorCol, "error");
        setDefault(tenCrop, false);
        setDefault(batchSize, 32);
        setDefault(topK, 5);
        setDefault(preprocessed, false);
        setDefault(handleInvalid, ScoringSettings.KEEP);
    }

    /** Spark ML's reader: {@code AlexNetModel.load(path)} or a Pipeline's load. */
    public static MLReader<AlexNetModel> read() {
        return new DefaultParamsReader<>();
    }

    public static AlexNetModel load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---------------------------------------------------------------- params (Spark ML finds them by these methods)

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public BooleanParam tenCrop() {
        return tenCrop;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam topK() {
        return topK;
    }

    public BooleanParam preprocessed() {
        return preprocessed;
    }

    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    public String getModelPath() {
        return $(modelPath);
    }

    public String getInputCol() {
        return $(inputCol);
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    public String getFeaturesCol() {
        return $(featuresCol);
    }

    public String getErrorCol() {
        return $(errorCol);
    }

    public boolean getTenCrop() {
        return (Boolean) $(tenCrop);
    }

    public int getBatchSize() {
        return (Integer) $(batchSize);
    }

    public int getTopK() {
        return (Integer) $(topK);
    }

    public boolean getPreprocessed() {
        return (Boolean) $(preprocessed);
    }

    public String getHandleInvalid() {
        return $(handleInvalid);
    }

    public AlexNetModel setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    public AlexNetModel setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public AlexNetModel setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public AlexNetModel setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public AlexNetModel setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    public AlexNetModel setTenCrop(boolean value) {
        set(tenCrop, value);
        return this;
    }

    public AlexNetModel setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public AlexNetModel setTopK(int value) {
        set(topK, value);
        return this;
    }

    public AlexNetModel setPreprocessed(boolean value) {
        set(preprocessed, value);
        return this;
    }

    public AlexNetModel setHandleInvalid(String value) {
        set(handleInvalid, value);
        return this;
    }

    // ---------------------------------------------------------------- transforming

    /** The type of one entry of the top-k column. */
    public static final StructType CLASS_TYPE = new StructType(new StructField[] {
        DataTypes.createStructField("index", DataTypes.IntegerType, false),
        DataTypes.createStructField("wnid", DataTypes.StringType, false),
        DataTypes.createStructField("name", DataTypes.StringType, false),
        DataTypes.createStructField("probability", DataTypes.DoubleType, false)});

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("AlexNetModel: set modelPath (a training output directory or model file)");
        }
        kindOf(schema);
        List<StructField> fields = new ArrayList<>(List.of(schema.fields()));
        List<String> added = new ArrayList<>();
        if (!getOutputCol().isEmpty()) {
            fields.add(DataTypes.createStructField(getOutputCol(), DataTypes.createArrayType(CLASS_TYPE, false), true));
            added.add(getOutputCol());
        }
        if (!getFeaturesCol().isEmpty()) {
            fields.add(DataTypes.createStructField(getFeaturesCol(), SQLDataTypes.VectorType(), true));
            added.add(getFeaturesCol());
        }
        if (getErrorCol().isEmpty()) {
            throw new IllegalArgumentException("AlexNetModel: errorCol must name a column");
        }
        fields.add(DataTypes.createStructField(getErrorCol(), DataTypes.StringType, true));
        added.add(getErrorCol());
        for (String name : added) {
            if (List.of(schema.fieldNames()).contains(name) || added.indexOf(name) != added.lastIndexOf(name)) {
                throw new IllegalArgumentException("AlexNetModel: output column '" + name + "' exists already "
                        + "(set outputCol, featuresCol or errorCol to another name)");
            }
        }
        return new StructType(fields.toArray(StructField[]::new));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Configuration conf = dataset.sparkSession().sparkContext().hadoopConfiguration();
        ModelRef model;
        try {
            model = ModelRef.of(getModelPath(), conf);
            InferenceModels.archive(model, conf); // read once here: a bad file fails now, not in every task
        } catch (IOException e) {
            throw new IllegalArgumentException("AlexNetModel: " + e.getMessage(), e);
        }
        ScoringSettings settings = new ScoringSettings(model, new SerializableHadoopConf(conf),
                dataset.schema().fieldIndex(getInputCol()), kindOf(dataset.schema()), getTenCrop(), getBatchSize(),
                getOutputCol().isEmpty() ? 0 : getTopK(), !getFeaturesCol().isEmpty(), getHandleInvalid());
        return dataset.toDF().mapPartitions(new BatchScorer(settings), Encoders.row(out));
    }

    /** The model's classes in output order (index, wnid, name): reads the model file once per JVM. */
    public List<ClassName> classes() {
        Configuration conf = org.apache.spark.sql.SparkSession.active().sparkContext().hadoopConfiguration();
        try {
            return InferenceModels.archive(ModelRef.of(getModelPath(), conf), conf).classes();
        } catch (IOException e) {
            throw new IllegalArgumentException("AlexNetModel: " + e.getMessage(), e);
        }
    }

    @Override
    public AlexNetModel copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    private ImageViews.Kind kindOf(StructType schema) {
        String name = getInputCol();
        if (!List.of(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("AlexNetModel: no input column '" + name + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType type = schema.apply(name).dataType();
        if (type.equals(DataTypes.BinaryType)) {
            return getPreprocessed() ? ImageViews.Kind.STORED : ImageViews.Kind.FILE;
        }
        if (type instanceof StructType struct && List.of(struct.fieldNames()).containsAll(
                List.of(ImageSchema.columnSchema().fieldNames()))) {
            if (getPreprocessed()) {
                throw new IllegalArgumentException("AlexNetModel: preprocessed applies to a binary column of stored "
                        + "JPEGs, not to Spark's image struct '" + name + "'");
            }
            return ImageViews.Kind.IMAGE_STRUCT;
        }
        throw new IllegalArgumentException("AlexNetModel: input column '" + name + "' is " + type.simpleString()
                + "; expected binary (image file bytes) or Spark's image struct");
    }
}
