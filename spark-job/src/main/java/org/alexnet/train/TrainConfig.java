package org.alexnet.train;

import static org.alexnet.config.ConfigKey.boolKey;
import static org.alexnet.config.ConfigKey.doubleKey;
import static org.alexnet.config.ConfigKey.enumKey;
import static org.alexnet.config.ConfigKey.intKey;
import static org.alexnet.config.ConfigKey.intListKey;
import static org.alexnet.config.ConfigKey.longKey;

import java.util.List;
import java.util.Map;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.alexnet.config.ConfigRecord;
import org.alexnet.config.ConfigSchema;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.model.training.LearningRateSchedule;
import org.alexnet.model.training.PlateauSchedule;
import org.alexnet.model.training.StepSchedule;

/**
 * The training job's keys (conf/train.properties documents them); a job's configuration is
 * these plus the model's ({@link AlexNetConfig#SCHEMA}).
 *
 * @param epochs             epochs to train
 * @param workers            model replicas, one Spark task each per round
 * @param batchSize          minibatch per worker (the paper: 128)
 * @param averagingFrequency minibatches each worker trains between two averagings
 * @param averagingShards    shards the averaging cuts the model state into (0 = automatic,
 *                           {@link org.alexnet.train.averaging.ShardPlan#auto})
 * @param schedule           plateau (the paper) or step
 * @param scheduleFactor     divisor of the learning rate at each drop
 * @param maxReductions      most drops of the plateau schedule
 * @param patience           epochs without a new best validation error before a drop
 * @param minImprovement     smallest drop of the validation error that counts as improving
 * @param warmupEpochs       epochs at the start in which the plateau schedule never drops
 * @param chanceMargin       the plateau schedule counts nothing before the top-1 validation error is
 *                           below (1 - chanceMargin) x chance's (1 - 1/classes)
 * @param stepEpochs         epochs after which the step schedule drops
 * @param seed               seed of the data order, augmentation and dropout
 * @param checkpointRounds   also checkpoint every this many rounds (0 = at epoch ends only)
 * @param checkpointKeep     complete checkpoints kept, the newest (0 = all)
 * @param executor           columns (each column on its own thread/device) or single (one graph)
 * @param decodeThreads      JPEG decode threads per worker (0 = the task's cores)
 * @param prefetch           minibatches decoded ahead of the training step
 * @param lightingStd        standard deviation of the PCA lighting coefficients (the paper: 0.1)
 * @param tenCropAtEnd       evaluate with the paper's 10 views after the last epoch
 * @param evalBatchSize      minibatch of evaluation
 * @param devices            device numbers for the two columns; empty = the GPUs Spark assigns to
 *                           the task, or the current device (CPU) when it assigns none
 */
public record TrainConfig(int epochs, int workers, int batchSize, int averagingFrequency, int averagingShards,
                          Schedule schedule,
                          double scheduleFactor, int maxReductions, int patience, double minImprovement,
                          int warmupEpochs, double chanceMargin, List<Integer> stepEpochs, long seed, int checkpointRounds,
                          int checkpointKeep, Executor executor,
                          int decodeThreads, int prefetch, double lightingStd, boolean tenCropAtEnd,
                          int evalBatchSize, List<Integer> devices) implements java.io.Serializable {

    /** Learning-rate schedules. */
    public enum Schedule { PLATEAU, STEP }

    /** How a worker runs the two columns. */
    public enum Executor { COLUMNS, SINGLE }

    public static final ConfigKey<Integer> EPOCHS = intKey("train.epochs", 90, 1, 100_000, "epochs to train").operational();
    public static final ConfigKey<Integer> WORKERS = intKey("train.workers", 2, 1, 100_000,
            "model replicas, one Spark task each per round");
    public static final ConfigKey<Integer> BATCH_SIZE = intKey("train.batch-size", 128, 1, 100_000,
            "minibatch per worker (the paper: 128)");
    public static final ConfigKey<Integer> AVERAGING_FREQUENCY = intKey("train.averaging-frequency", 10, 1, 1_000_000,
            "minibatches each worker trains between two parameter averagings");
    public static final ConfigKey<Integer> AVERAGING_SHARDS = intKey("train.averaging.shards", 0, 0, 100_000_000,
            "shards the averaging cuts parameters and momentum into (0 = automatic: at least one per worker, "
                    + "and all workers' pieces of a shard within 256 MiB)").operational();
    public static final ConfigKey<Schedule> SCHEDULE = enumKey("train.schedule", Schedule.PLATEAU, Schedule.class,
            "plateau = divide when the validation error stops improving (the paper); step = at fixed epochs");
    public static final ConfigKey<Double> SCHEDULE_FACTOR = doubleKey("train.schedule.factor", 10.0, 1.0001, 1e6,
            "divisor of the learning rate at each drop");
    public static final ConfigKey<Integer> MAX_REDUCTIONS = intKey("train.schedule.max-reductions", 3, 0, 100,
            "most drops of the plateau schedule (the paper: 3)");
    public static final ConfigKey<Integer> PATIENCE = intKey("train.schedule.patience", 2, 1, 1000,
            "epochs without a new best validation error before a drop");
    public static final ConfigKey<Double> MIN_IMPROVEMENT = doubleKey("train.schedule.min-improvement", 0.0, 0, 1,
            "smallest decrease of the top-1 validation error that counts as improving");
    public static final ConfigKey<Integer> WARMUP_EPOCHS = intKey("train.schedule.warmup-epochs", 0, 0, 100_000,
            "epochs at the start in which the plateau schedule never drops the rate");
    public static final ConfigKey<Double> CHANCE_MARGIN = doubleKey("train.schedule.chance-margin", 0.1, 0, 0.99,
            "the plateau schedule counts no epoch before the top-1 validation error is below (1 - margin) x chance's "
                    + "error (1 - 1/classes): a run still at chance has not started to improve");
    public static final ConfigKey<List<Integer>> STEP_EPOCHS = intListKey("train.schedule.step-epochs", "30,60,80",
            "epochs after which the step schedule drops");
    public static final ConfigKey<Long> SEED = longKey("train.seed", 1L, "seed of data order, augmentation and dropout");
    public static final ConfigKey<Integer> CHECKPOINT_ROUNDS = intKey("train.checkpoint.every-rounds", 0, 0, 1_000_000,
            "also checkpoint every this many rounds (0 = at the end of each epoch only)").operational();
    public static final ConfigKey<Integer> CHECKPOINT_KEEP = intKey("train.checkpoint.keep", 3, 0, 1_000_000,
            "complete checkpoints kept, the newest; older ones are deleted after a new one is published (0 = keep all)").operational();
    public static final ConfigKey<Executor> EXECUTOR = enumKey("train.executor", Executor.COLUMNS, Executor.class,
            "columns = each column on its own thread and device; single = one graph");
    public static final ConfigKey<Integer> DECODE_THREADS = intKey("train.decode-threads", 0, 0, 256,
            "JPEG decode threads per worker (0 = the task's cores)").operational();
    public static final ConfigKey<Integer> PREFETCH = intKey("train.prefetch", 4, 1, 1024,
            "minibatches decoded ahead of the training step").operational();
    public static final ConfigKey<Double> LIGHTING_STD = doubleKey("train.lighting-std", 0.1, 0, 10,
            "standard deviation of the PCA lighting coefficients (the paper: 0.1; 0 = off)");
    public static final ConfigKey<Boolean> TEN_CROP_AT_END = boolKey("train.eval.ten-crop-at-end", true,
            "evaluate with the paper's 10 views after the last epoch").operational();
    public static final ConfigKey<Integer> EVAL_BATCH_SIZE = intKey("train.eval.batch-size", 64, 1, 100_000,
            "minibatch of evaluation").operational();

    public static final ConfigKey<List<Integer>> DEVICES = intListKey("train.devices", "",
            "device numbers for the two columns (e.g. 0,1); empty = the GPUs Spark assigns to each task "
                    + "(spark.task.resource.gpu.amount=2), or the CPU")
            .requiring(d -> d.size() <= 2 && d.stream().allMatch(n -> n >= 0), "at most two device numbers >= 0")
            .operational();

    /** The training keys, in the order of the record's components. */
    public static final ConfigSchema TRAIN_SCHEMA = new ConfigSchema(List.of(EPOCHS, WORKERS, BATCH_SIZE,
            AVERAGING_FREQUENCY, AVERAGING_SHARDS, SCHEDULE, SCHEDULE_FACTOR, MAX_REDUCTIONS, PATIENCE, MIN_IMPROVEMENT,
            WARMUP_EPOCHS, CHANCE_MARGIN, STEP_EPOCHS, SEED, CHECKPOINT_ROUNDS, CHECKPOINT_KEEP, EXECUTOR,
            DECODE_THREADS, PREFETCH, LIGHTING_STD, TEN_CROP_AT_END,
            EVAL_BATCH_SIZE, DEVICES));

    /** Every key a training job accepts: the model's and the training's. */
    public static final ConfigSchema SCHEMA = ConfigSchema.of(AlexNetConfig.SCHEMA, TRAIN_SCHEMA);

    /** The record bound to {@link #TRAIN_SCHEMA}: reading, writing and validating derive from it. */
    private static final ConfigRecord<TrainConfig> RECORD = ConfigRecord.of(TrainConfig.class, TRAIN_SCHEMA);

    /** Validates every construction: each value as its key requires; errors name the key. */
    public TrainConfig {
        RECORD.validate(epochs, workers, batchSize, averagingFrequency, averagingShards, schedule, scheduleFactor,
                maxReductions, patience, minImprovement, warmupEpochs, chanceMargin, stepEpochs, seed, checkpointRounds,
                checkpointKeep, executor, decodeThreads, prefetch, lightingStd, tenCropAtEnd, evalBatchSize, devices);
        if (schedule == Schedule.STEP && stepEpochs.stream().anyMatch(e -> e < 1)) {
            throw new ConfigException("config key 'train.schedule.step-epochs': epochs must be >= 1, got " + stepEpochs);
        }
        stepEpochs = List.copyOf(stepEpochs);
        devices = List.copyOf(devices);
    }

    /** The training settings of a resolved job configuration (which holds the model's keys too). */
    public static TrainConfig from(Config c) {
        return RECORD.from(c, Map.of(DEVICES, List.of()));
    }

    /** The training settings as configuration text (every training key). */
    public Config toConfig() {
        return RECORD.toConfig(this);
    }

    /** The devices of the running task: train.devices if set, else what Spark assigned. */
    public List<Integer> taskDevices() {
        return devices.isEmpty() ? TaskDevices.current() : devices;
    }

    /** A fresh schedule starting at the model's learning rate, for a model of {@code classes} classes. */
    public LearningRateSchedule newSchedule(double initialRate, int classes) {
        return schedule == Schedule.PLATEAU
                ? new PlateauSchedule(initialRate, scheduleFactor, maxReductions, patience, minImprovement, warmupEpochs,
                        PlateauSchedule.leaveBelow(classes, chanceMargin))
                : new StepSchedule(initialRate, scheduleFactor, stepEpochs);
    }
}
