package org.alexnet.model.columns;

import java.util.List;
import org.alexnet.model.Backend;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J device of each column, validated against the backend's devices, and how an array
 * gets onto a column's device: copied only where the device differs (never on the CPU backend,
 * whose arrays every thread reads).
 *
 * @param deviceA column A's device
 * @param deviceB column B's device (the same as A's when one device holds both)
 */
record Placement(int deviceA, int deviceB) {

    /** One device (both columns share it) or two (A, B) that the backend has; a clear error otherwise. */
    static Placement of(List<Integer> devices) {
        int available = Nd4j.getAffinityManager().getNumberOfDevices();
        if (devices == null || devices.isEmpty() || devices.size() > 2) {
            throw new IllegalArgumentException("impossible placement " + devices + ": the two columns need one or two "
                    + "devices (the backend has " + available + ")");
        }
        for (Integer d : devices) {
            if (d == null || d < 0 || d >= available) {
                throw new IllegalArgumentException("impossible placement " + devices + ": device " + d
                        + " does not exist; the " + Backend.name() + " backend has device(s) 0.." + (available - 1));
            }
        }
        return new Placement(devices.get(0), devices.get(devices.size() - 1));
    }

    /** Both columns on the calling thread's device (the CPU, or the current GPU). */
    static Placement onCurrentDevice() {
        int device = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        return new Placement(device, device);
    }

    /** The device of column 0 (A) or 1 (B). */
    int device(int column) {
        return column == 0 ? deviceA : deviceB;
    }

    /** Device of column A and of column B. */
    int[] devices() {
        return new int[] {deviceA, deviceB};
    }

    /** The array on the column's device: itself when it is there already (or on the CPU), else a copy. */
    INDArray onDeviceOf(int column, INDArray a) {
        return onDevice(a, device(column));
    }

    /** The array on the given device: itself when it is there already (or on the CPU), else a copy. */
    static INDArray onDevice(INDArray a, int device) {
        if (Backend.isCpu() || Nd4j.getAffinityManager().getDeviceForArray(a) == device) {
            return a;
        }
        return Nd4j.getAffinityManager().replicateToDevice(device, a);
    }
}
