package org.alexnet.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The GPUs Spark assigned to the running task ({@code spark.task.resource.gpu.amount=2} gives
 * each task the two devices of the paper's columns); empty on the CPU.
 */
public final class TaskDevices {
    private TaskDevices() {
    }

    public static List<Integer> current() {
        TaskContext task = TaskContext.get();
        List<Integer> devices = new ArrayList<>();
        if (task == null) {
            return devices;
        }
        scala.Option<ResourceInformation> gpu = task.resources().get("gpu");
        if (gpu.isDefined()) {
            for (String address : gpu.get().addresses()) {
                try {
                    devices.add(Integer.parseInt(address.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("GPU address '" + address + "' from Spark's discovery script is "
                            + "not a device number", e);
                }
            }
        }
        return devices;
    }

    /** "CPU" or "GPUs [0, 1]", for log lines. */
    static String describe(List<Integer> devices) {
        return devices.isEmpty() ? "CPU" : "GPUs " + devices;
    }
}
