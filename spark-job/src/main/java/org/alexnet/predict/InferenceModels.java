package org.alexnet.predict;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.archive.ModelArchive;
import org.apache.hadoop.conf.Configuration;

/**
 * The JVM's trained models, keyed by the model file's identity ({@link ModelRef}): each file is
 * read once per JVM (executor or driver) and kept; tasks borrow replicas of its network, built
 * when more tasks run at once than replicas exist and reused by later tasks. A model file that
 * replaces one with the same path evicts the older model and its replicas.
 */
final class InferenceModels {
    private static final Map<ModelRef, Loaded> MODELS = new HashMap<>();

    /** A model read from its file, and its idle replicas. */
    private static final class Loaded {
        final ModelArchive archive;
        final Map<List<Integer>, Deque<InferenceModel>> idle = new HashMap<>();

        Loaded(ModelArchive archive) {
            this.archive = archive;
        }
    }

    private InferenceModels() {
    }

    /** The model file's contents, read on first use in this JVM. */
    static ModelArchive archive(ModelRef ref, Configuration conf) throws IOException {
        return loaded(ref, conf).archive;
    }

    /** A replica of the model for the given devices (empty: the current one), idle or new. */
    static InferenceModel borrow(ModelRef ref, Configuration conf, List<Integer> devices) throws IOException {
        Loaded model = loaded(ref, conf);
        synchronized (model) {
            Deque<InferenceModel> idle = model.idle.get(devices);
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        return new InferenceModel(model.archive, devices);
    }

    /** Returns a replica for later tasks; one whose threads failed is closed instead. */
    static void giveBack(ModelRef ref, List<Integer> devices, InferenceModel replica) {
        Loaded model;
        synchronized (MODELS) {
            model = MODELS.get(ref);
        }
        if (model == null || !replica.reusable()) {
            replica.close();
            return;
        }
        synchronized (model) {
            model.idle.computeIfAbsent(devices, d -> new ArrayDeque<>()).push(replica);
        }
    }

    private static Loaded loaded(ModelRef ref, Configuration conf) throws IOException {
        synchronized (MODELS) {
            Loaded model = MODELS.get(ref);
            if (model == null) {
                // a newer file under the same path replaces the older model
                MODELS.entrySet().removeIf(e -> {
                    boolean stale = e.getKey().path().equals(ref.path());
                    if (stale) {
                        synchronized (e.getValue()) {
                            e.getValue().idle.values().forEach(d -> d.forEach(InferenceModel::close));
                        }
                    }
                    return stale;
                });
                model = new Loaded(ref.open(conf));
                MODELS.put(ref, model);
            }
            return model;
        }
    }
}
