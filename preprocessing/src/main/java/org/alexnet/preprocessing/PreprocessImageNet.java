package org.alexnet.preprocessing;

import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.alexnet.spark.SparkSerialization;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the preprocessing job: raw ImageNet (or any class-folder image tree) to
 * 256-short-side JPEGs in Parquet, with the mean image and the RGB PCA basis.
 * <pre>
 *   spark-submit --class PreprocessImageNet JAR --input DIR --output DIR [options]
 *   deploy/alexnet preprocess --input DIR --output DIR [options]
 * </pre>
 * Options: {@code --overwrite}, {@code --config FILE}, {@code --set key=value}, and each key of
 * {@link PreprocessConfig} without its {@code preprocess.} prefix (e.g. {@code --jpeg-quality 95}).
 * Exit codes: 0 done, 1 the job failed (e.g. too many rejected files), 2 bad options or input.
 */
public final class PreprocessImageNet {
    private static final Logger LOG = LoggerFactory.getLogger(PreprocessImageNet.class);

    static final Usage USAGE = Usage.of("preprocess", "Turns an ImageNet-style directory (train/<wnid>/*, "
                    + "val/) into the training job's dataset: every image resized to 256 on its short side, stored "
                    + "as JPEG in Parquet, with the mean image and lighting statistics. Every key below is also an "
                    + "option without its 'preprocess.' prefix ('.' as '-'): --jpeg-quality 95 is --set "
                    + "preprocess.jpeg-quality=95. Exit 0 = done, 1 = the job failed, 2 = bad options or input.")
            .option("input", "DIR", "the images, any Hadoop FileSystem URI (required, here or as preprocess.input)")
            .option("output", "DIR", "the dataset to write (required, here or as preprocess.output)")
            .flag("overwrite", "replace an existing output")
            .config(PreprocessConfig.SCHEMA, PreprocessConfig.DEFAULTS_FILE);

    private PreprocessImageNet() {
    }

    public static void main(String[] args) {
        System.exit(run(args, null));
    }

    /**
     * Runs the job and returns the exit code.
     *
     * @param spark the session to use, or null to get or create one (master from spark-submit or -Dspark.master)
     */
    public static int run(String[] args, SparkSession spark) {
        if (USAGE.printIfAsked(args, System.out)) {
            return 0;
        }
        Config config;
        try {
            config = PreprocessConfig.fromCommandLine(args);
        } catch (ConfigException e) {
            System.err.println("preprocess: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            return 2;
        }
        LOG.info("preprocess configuration:\n{}", config.render());
        boolean own = spark == null;
        SparkSession session = own ? SparkSession.builder()
                .config(SparkSerialization.apply(new SparkConf().setAppName("PreprocessImageNet"))).getOrCreate() : spark;
        try {
            PreprocessJob.run(session, config);
            return 0;
        } catch (IllegalArgumentException e) {
            LOG.error("preprocess: {}", e.getMessage());
            return 2;
        } catch (PreprocessFailedException e) {
            LOG.error("preprocess failed: {}", e.getMessage());
            return 1;
        } catch (Exception e) {
            LOG.error("preprocess failed", e);
            return 1;
        } finally {
            if (own) session.stop();
        }
    }
}
