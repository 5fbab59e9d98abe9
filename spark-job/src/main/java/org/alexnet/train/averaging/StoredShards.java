package org.alexnet.train.averaging;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.storage.TaskResultBlockId;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.Option;
import scala.reflect.ClassTag$;

/**
 * How an averaged shard reaches the driver: the reducer stores its encoded bytes in its
 * executor's block manager as the task's result block (what Spark does with any large task
 * result, without Spark's two extra serialisations of the bytes on the executor and two on the
 * driver), and returns only where they are; the driver reads them, from its own block manager in
 * local mode (no copy) or fetched from the executor, copies them into place and removes the block.
 */
final class StoredShards {
    private StoredShards() {
    }

    /** Where a reducer stored its shard: [shard, task attempt id, bytes]; a long[] travels with any serializer. */
    static long[] store(int shard, byte[] encoded) {
        TaskContext task = TaskContext.get();
        BlockId id = new TaskResultBlockId(task.taskAttemptId());
        boolean stored = SparkEnv.get().blockManager().putBytes(id, new ChunkedByteBuffer(ByteBuffer.wrap(encoded)),
                StorageLevel.MEMORY_AND_DISK_SER(), true, ClassTag$.MODULE$.apply(byte[].class));
        if (!stored) {
            throw new IllegalStateException("the block manager did not store averaged shard " + shard);
        }
        return new long[] {shard, task.taskAttemptId(), encoded.length};
    }

    /**
     * Reads a stored shard, hands its bytes to {@code use} and removes the block; empty when the
     * block is gone (its executor was lost), so the shard must be averaged again.
     */
    static boolean take(long[] where, java.util.function.Consumer<ByteBuffer> use) {
        BlockManager blocks = SparkEnv.get().blockManager();
        BlockId id = new TaskResultBlockId(where[1]);
        try {
            Option<BlockData> local = blocks.getLocalBytes(id);
            if (local.isDefined()) { // local mode: the executor's block manager is the driver's
                try {
                    use.accept(local.get().toByteBuffer());
                } finally {
                    blocks.releaseLock(id, Option.empty());
                }
                return true;
            }
            Optional<ChunkedByteBuffer> remote = Optional.ofNullable(blocks.getRemoteBytes(id).getOrElse(() -> null));
            if (remote.isEmpty()) {
                return false;
            }
            try {
                use.accept(remote.get().toByteBuffer());
            } finally {
                remote.get().dispose();
            }
            return true;
        } finally {
            blocks.master().removeBlock(id);
        }
    }
}
