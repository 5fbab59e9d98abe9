package org.alexnet.model.columns;

import org.alexnet.model.Backend;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.LoggerFactory;

/**
 * oneDNN's own library (org.bytedeco:dnnl, the JavaCPP presets of oneDNN 2.5 for ND4J's javacpp
 * 1.5.7), loaded once per JVM for the kernels the column executor takes from it directly rather
 * than through libnd4j: conv1's weight gradient ({@link OneDnnWeightGradient}) and the fully
 * connected layers' products ({@link OneDnnGemm}). Only on the CPU backend; where it cannot load
 * (no native jar, another platform) it says why once and the callers keep libnd4j's operations.
 */
final class OneDnnLibrary {
    /** Whether the library is loaded and usable on this backend. */
    static final boolean AVAILABLE = load();

    private OneDnnLibrary() {
    }

    private static boolean load() {
        if (!Backend.isCpu()) {
            return false; // other backends: their own kernels, nothing to warn about
        }
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            LoggerFactory.getLogger(OneDnnLibrary.class).warn("oneDNN's own library (org.bytedeco:dnnl) does not load, "
                    + "so conv1's backward pass and the fully connected products take libnd4j's slower ways: {}",
                    e.toString());
            return false;
        }
    }

    /**
     * Whether a path on this library runs: loaded, and not switched off by {@code -D<property>=true}
     * (then a warning names the property and what runs instead, logged as {@code owner}).
     */
    static boolean enabledUnless(String property, Class<?> owner, String instead) {
        if (Boolean.getBoolean(property)) {
            LoggerFactory.getLogger(owner).warn("{} (slower): disabled by -D{}=true", instead, property);
            return false;
        }
        return AVAILABLE;
    }

    /** A pointer to the array's first element (a view's buffer pointer already points there). */
    static Pointer at(INDArray a) {
        long first = a.data().addressPointer().address();
        return new Pointer() {
            {
                address = first; // Pointer's own field: a local named 'address' would be shadowed by it
            }
        };
    }
}
