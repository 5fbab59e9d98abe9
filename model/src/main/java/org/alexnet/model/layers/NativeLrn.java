package org.alexnet.model.layers;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LrnMath}'s formulas as one fused C loop per pass (alexnet_lrn.c, built by Maven into the
 * jar) for fp32 arrays in host memory: ~20x faster than the ~15 full-array ND4J operations the
 * formulas take otherwise, which made LRN the most expensive layer of a CPU step. Used on the
 * CPU backend when the library loads; everything else (double precision, CUDA) takes the ND4J
 * path, which computes the same formulas.
 */
final class NativeLrn {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLrn.class);
    private static final String UNAVAILABLE = load();

    private NativeLrn() {
    }

    /** Whether this input can take the native path. */
    static boolean usable(INDArray x) {
        return UNAVAILABLE == null && x.dataType() == DataType.FLOAT && x.rank() == 4 && Cpu.BACKEND;
    }

    static LrnMath.Forward forward(INDArray x, double k, int n, double alpha, double beta) {
        INDArray in = dense(x);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        INDArray scale = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        INDArray den = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        forward0(address(in), address(y), address(scale), address(den), in.size(0), in.size(1),
                in.size(2) * in.size(3), (float) k, n / 2, (float) alpha, (float) beta);
        Reference.reachabilityFence(in);
        return new LrnMath.Forward(y, scale, den);
    }

    static INDArray backward(INDArray x, LrnMath.Forward f, INDArray g, int n, double alpha, double beta) {
        INDArray in = dense(x);
        INDArray grad = dense(g);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, in.shape());
        int status = backward0(address(in), address(f.output()), address(f.scale()), address(f.denominator()),
                address(grad), address(out), in.size(0), in.size(1), in.size(2) * in.size(3), n / 2,
                (float) alpha, (float) beta);
        Reference.reachabilityFence(in);
        Reference.reachabilityFence(grad);
        Reference.reachabilityFence(f);
        if (status != 0) {
            throw new OutOfMemoryError("native LRN backward: no memory for one image's scratch");
        }
        return out;
    }

    /** The array itself when it owns a dense row-major float buffer, else such a copy. */
    private static INDArray dense(INDArray a) {
        return !a.isView() && a.offset() == 0 && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)
                && a.data().dataType() == DataType.FLOAT && a.data().length() == a.length() ? a : a.dup('c');
    }

    private static long address(INDArray a) {
        return a.data().addressPointer().address();
    }

    private static native void forward0(long x, long y, long scale, long den, long batch, long channels, long hw,
                                        float k, int half, float alpha, float beta);

    private static native int backward0(long x, long y, long scale, long den, long g, long gx, long batch,
                                        long channels, long hw, int half, float alpha, float beta);

    /** Loads the library from the jar; null on success, else why the ND4J path is used instead. */
    private static String load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> System.getProperty("os.arch");
        };
        String resource = "native/linux-" + arch + "/libalexnet_lrn.so";
        String reason;
        if (!os.startsWith("linux")) {
            reason = "no native LRN library for " + os;
        } else {
            try (InputStream in = NativeLrn.class.getResourceAsStream(resource)) {
                if (in == null) {
                    reason = "resource " + resource + " not in the jar";
                } else {
                    Path tmp = Files.createTempFile("alexnet_lrn", ".so");
                    try {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        System.load(tmp.toAbsolutePath().toString());
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                    return null;
                }
            } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
                reason = "cannot load " + resource + ": " + e;
            }
        }
        LOG.warn("LRN runs on plain ND4J operations (slower on the CPU): {}", reason);
        return reason;
    }

    /** Whether ND4J's backend keeps arrays in host memory (the CPU backend). */
    private static final class Cpu {
        static final boolean BACKEND = "CPU".equalsIgnoreCase(
                Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));
    }
}
