package org.alexnet.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J backend this JVM runs on, asked in one place. The CPU backend keeps every array in
 * host memory that every thread reads (nothing to copy between devices, buffers that Java can
 * read in place) and computes with OpenMP and oneDNN; a device backend (CUDA) does neither.
 * Nothing on the training path may assume the CPU: code that takes a CPU-only fast path asks
 * {@link #isCpu()} and keeps a path for the others.
 */
public final class Backend {
    private Backend() {
    }

    /** Whether ND4J's backend is the CPU one (nd4j-native); it cannot change within a JVM. */
    public static boolean isCpu() {
        return Cpu.BACKEND;
    }

    /** The backend's name as ND4J reports it ("CPU", "CUDA"), for messages and logs. */
    public static String name() {
        return Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", "unknown");
    }

    /** Asked once, when first needed (the answer is a native call). */
    private static final class Cpu {
        static final boolean BACKEND = Nd4j.getEnvironment().isCPU();
    }
}
