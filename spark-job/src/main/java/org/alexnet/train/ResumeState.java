package org.alexnet.train;

import java.util.List;
import java.util.Map;

/**
 * Everything a checkpoint holds besides the parameters, momentum and configuration to continue
 * training exactly where it stopped (stored as JSON in the checkpoint, like the one dictionary
 * of pytorch/examples' ImageNet checkpoints). Every random choice derives from the seed, epoch,
 * round and worker, so no random state is needed.
 *
 * @param nextEpoch       the epoch training resumes in
 * @param nextRound       the round of that epoch it resumes at (0 = the epoch's start)
 * @param epochLossSum    sum of the training losses (times examples) of that epoch's rounds so far
 * @param epochImages     images of that epoch trained so far
 * @param schedule        the learning-rate schedule's state ({@code LearningRateSchedule#state})
 * @param metrics         every completed epoch's figures (metrics.jsonl and curves.png are redrawn from them)
 * @param trainingStarted when training of this output began (ISO-8601), kept across resumes
 */
public record ResumeState(int nextEpoch, int nextRound, double epochLossSum, long epochImages,
                          Map<String, String> schedule, List<MetricsLog.Epoch> metrics, String trainingStarted) {
    public ResumeState {
        if (nextEpoch < 1 || nextRound < 0 || epochImages < 0 || schedule == null || metrics == null) {
            throw new IllegalArgumentException("not a resume state: epoch " + nextEpoch + ", round " + nextRound
                    + ", images " + epochImages);
        }
        schedule = Map.copyOf(schedule);
        metrics = List.copyOf(metrics);
    }
}
