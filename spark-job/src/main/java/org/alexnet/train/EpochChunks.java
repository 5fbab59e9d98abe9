package org.alexnet.train;

import java.util.Iterator;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetStats;
import org.alexnet.train.data.AugmentationSettings;
import org.alexnet.train.data.ChunkId;
import org.alexnet.train.data.Example;
import org.alexnet.train.data.Minibatch;
import org.alexnet.train.data.MinibatchStream;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * A worker's minibatches in a training round: its chunk of the epoch's JPEGs, decoded and
 * augmented in background threads ({@link MinibatchStream}). Every random choice derives from
 * (seed, epoch, round, worker, example).
 */
final class EpochChunks implements MinibatchSource<Tuple2<Long, Example>> {
    private static final long serialVersionUID = 1L;

    private final AlexNetConfig model;
    private final TrainConfig train;
    private final Broadcast<DatasetStats> stats;
    private final EpochPlan plan;
    private final int round;

    EpochChunks(AlexNetConfig model, TrainConfig train, Broadcast<DatasetStats> stats, EpochPlan plan, int round) {
        this.model = model;
        this.train = train;
        this.stats = stats;
        this.plan = plan;
        this.round = round;
    }

    @Override
    public Minibatches open(int worker, Iterator<Tuple2<Long, Example>> chunk) {
        Iterator<Example> examples = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return chunk.hasNext();
            }

            @Override
            public Example next() {
                return chunk.next()._2();
            }
        };
        AugmentationSettings augmentation = new AugmentationSettings(model.inputSize(), true, train.lightingStd(),
                train.seed());
        int threads = train.decodeThreads() > 0 ? train.decodeThreads() : Runtime.getRuntime().availableProcessors();
        MinibatchStream stream = new MinibatchStream(examples, train.batchSize(), model.classes(), augmentation,
                stats.value(), chunk(worker), threads, train.prefetch());
        return new Minibatches() {
            @Override
            public boolean hasNext() {
                return stream.hasNext();
            }

            @Override
            public Minibatch next() {
                return stream.next();
            }

            @Override
            public void close() {
                stream.close();
            }
        };
    }

    @Override
    public long dropoutSeed(int worker) {
        // seeded per (seed, epoch, round, worker), whatever ran before on this JVM
        return EpochPlan.mix(train.seed() ^ EpochPlan.mix(chunk(worker).hashCode() * 31L + 7));
    }

    private ChunkId chunk(int worker) {
        return new ChunkId(plan.epoch(), round, worker);
    }
}
