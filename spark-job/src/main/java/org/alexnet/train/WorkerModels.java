package org.alexnet.train;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.model.AlexNetConfig;

/**
 * The executor JVM's pool of model replicas, keyed by configuration: a model is built the first
 * time a task needs one and reused by later rounds. Tasks running at the same time on one
 * executor each borrow their own replica.
 */
final class WorkerModels {
    private static final Map<String, Deque<WorkerModel>> IDLE = new HashMap<>();

    private WorkerModels() {
    }

    static WorkerModel borrow(AlexNetConfig config, TrainConfig.Executor strategy, List<Integer> devices) {
        String key = key(config, strategy, devices);
        synchronized (IDLE) {
            Deque<WorkerModel> idle = IDLE.get(key);
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        return new WorkerModel(config, strategy, devices);
    }

    static void giveBack(WorkerModel model, TrainConfig.Executor strategy, List<Integer> devices) {
        synchronized (IDLE) {
            IDLE.computeIfAbsent(key(model.config(), strategy, devices), k -> new ArrayDeque<>()).push(model);
        }
    }

    private static String key(AlexNetConfig config, TrainConfig.Executor strategy, List<Integer> devices) {
        return config.toConfig().toPropertiesText() + strategy + devices;
    }
}
