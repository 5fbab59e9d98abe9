package org.alexnet.train;

import org.alexnet.train.averaging.AveragedRound;
import org.alexnet.train.averaging.RoundTraffic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per round: epoch, round/total, images/s, data-wait share, loss, learning rate, ETA,
 * and what the round cost beyond training: its overhead (wall time minus the slowest worker's
 * training time: broadcast, loading the state, the averaging shuffle, the driver receiving the
 * average) and the bytes the driver received.
 */
final class ProgressLine {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressLine.class);

    private final int epochs;
    private final int rounds;
    private final long stateBytes;
    private double secondsPerRound = Double.NaN;

    ProgressLine(int epochs, int rounds, long stateBytes) {
        this.epochs = epochs;
        this.rounds = rounds;
        this.stateBytes = stateBytes;
    }

    void round(int epoch, int round, AveragedRound sum, RoundTraffic.Figures spark, double seconds,
               double learningRate) {
        // smoothed round time for the ETA
        secondsPerRound = Double.isNaN(secondsPerRound) ? seconds : 0.8 * secondsPerRound + 0.2 * seconds;
        long roundsLeft = (long) (epochs - epoch) * rounds + (rounds - round - 1);
        LOG.info(String.format("epoch %d/%d round %d/%d: %.1f images/s, data wait %.0f%%, loss %.4f, lr %.2g, "
                        + "ETA %s (excluding evaluation); round overhead %.2f s%s, driver inbound %.1f MB (state %.1f MB)",
                epoch, epochs, round + 1, rounds, sum.examples() / seconds, 100 * sum.dataWaitShare(), sum.meanLoss(),
                learningRate, duration(roundsLeft * secondsPerRound), seconds - sum.slowestWorkerSeconds(),
                spark.dataStageSeconds() > 0 ? String.format(" (%.2f s of it shuffling the epoch's data)",
                        spark.dataStageSeconds()) : "", spark.driverInboundBytes() / 1e6, stateBytes / 1e6));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
