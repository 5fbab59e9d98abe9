package org.alexnet.model.columns;

import org.alexnet.model.layers.NativeKernels;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.LoggerFactory;

/**
 * What the columns need from the CPU backend to be fast: half the cores per column thread, and
 * ND4J's oneDNN build. Only called on the CPU backend (see {@link org.alexnet.model.Backend}).
 */
final class CpuTuning {
    /** Set to true to also pin each column's OpenMP threads to its half of the cores (see docs/performance.md). */
    static final String BIND_PROPERTY = "alexnet.columns.bind";
    /** Whether this thread's native kernels were given a share of the cores. */
    private static final ThreadLocal<Boolean> SHARING = ThreadLocal.withInitial(() -> false);

    private CpuTuning() {
    }

    /**
     * On the CPU both columns compute at once, so each column thread's native kernels (oneDNN
     * runs on OpenMP) get half the cores: with every kernel using all cores the two columns'
     * thread teams spin against each other and a step takes 2-5x longer (measured, see
     * docs/performance.md). OpenMP's thread count is per calling thread: call this on the
     * column's own thread.
     */
    static void shareCores(int column) {
        SHARING.set(true);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(Math.max(1, cores() / 2));
        if (Boolean.getBoolean(BIND_PROPERTY)) {
            NativeKernels.bindToShare(column, 2);
        }
    }

    /** A stretch of a column's work with every core; closing it gives the column its half back. */
    interface AllCores extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Every core for this column thread's native kernels until the returned scope closes, for
     * work the other column only waits for (the output layer, which lives in column A alone: the
     * other column's core would idle). Nothing changes on a thread that does not share the cores.
     */
    static AllCores allCoresWhileTheOtherWaits() {
        if (!SHARING.get()) {
            return () -> { };
        }
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(cores());
        return () -> NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(Math.max(1, cores() / 2));
    }

    private static int cores() {
        return Math.max(1, Nd4j.getEnvironment().maxThreads());
    }

    /**
     * The generic nd4j-native build computes convolutions and pooling without oneDNN, ~5x slower;
     * JavaCPP loads the oneDNN build only when the JVM is told to.
     */
    static void warnWithoutOneDnn() {
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        if (build == null || !build.contains("HAVE_ONEDNN")) {
            // logged as the column executor, as before: log settings that name it keep working
            LoggerFactory.getLogger(ColumnExecutor.class).warn("ND4J's native library is the generic "
                    + "build, without oneDNN: a training step takes several times longer. Start this JVM with "
                    + "-Dorg.bytedeco.javacpp.platform.extension=-onednn (conf/jvm-options; on a cluster, "
                    + "spark.executor.extraJavaOptions, see deploy/conf/spark-defaults-cpu.conf)");
        }
    }
}
