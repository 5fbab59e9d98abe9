package org.alexnet.archive;

/**
 * Where a model or checkpoint came from, stored with it (provenance.json) and printed by
 * {@code deploy/alexnet describe --model DIR}. Times are ISO-8601 instants (UTC).
 *
 * @param version         the project version that wrote the file
 * @param gitCommit       the commit it was built from ("unknown" outside a git checkout; "-dirty" with local changes)
 * @param dataset         the dataset it was trained on
 * @param seed            train.seed (data order, augmentation, dropout); model.seed is in the configuration
 * @param epochsTrained   epochs completed when the file was written
 * @param lastEpoch       the last completed epoch's figures (null before the first epoch ends)
 * @param finalEvaluation the evaluation after the last epoch (null until it ran)
 * @param trainingStarted when training of this output began (kept across --resume)
 * @param written         when this file was written
 * @param resumedFrom     the checkpoint this session resumed from (null for a fresh run)
 * @param convertedFrom   the earlier-format file this one was converted from (null otherwise; then
 *                        what that file did not record is null)
 * @param runtime         Java, ND4J and Spark that computed it
 * @param trainedBy       how it was trained
 */
public record Provenance(String version, String gitCommit, Dataset dataset, long seed, int epochsTrained,
                         EpochMetrics lastEpoch, Evaluation finalEvaluation, String trainingStarted, String written,
                         String resumedFrom, String convertedFrom, Runtime runtime, TrainedBy trainedBy) {

    /**
     * @param path           where it was read from
     * @param manifestSha256 SHA-256 of its manifest.json (written last by the preprocessing job)
     * @param classes        number of classes
     * @param trainImages    training images
     */
    public record Dataset(String path, String manifestSha256, int classes, long trainImages) {
    }

    /** One epoch's figures (errors are fractions in [0, 1]). */
    public record EpochMetrics(int epoch, double trainLoss, double valLoss, double top1Error, double top5Error,
                               double learningRate) {
    }

    /** An evaluation on the validation split. */
    public record Evaluation(String views, long images, double top1Error, double top5Error, double loss) {
    }

    /** The software that computed the model. */
    public record Runtime(String java, String nd4j, String nd4jBackend, String spark) {
    }

    /**
     * @param executor    train.executor: columns (each column on its own thread/device) or single
     * @param devices     train.devices, or how the devices were chosen when it is empty
     * @param workers     model replicas (train.workers)
     * @param sparkMaster the Spark master URL
     * @param application Spark's application id
     */
    public record TrainedBy(String executor, String devices, int workers, String sparkMaster,
                            String application) {
    }
}
