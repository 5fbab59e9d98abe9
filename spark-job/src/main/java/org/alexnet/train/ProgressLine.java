package org.alexnet.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line per round: epoch, round/total, images/s, data-wait share, loss, learning rate, ETA. */
final class ProgressLine {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final int epochs;
    private final int rounds;
    private double secondsPerRound = Double.NaN;

    ProgressLine(int epochs, int rounds) {
        this.epochs = epochs;
        this.rounds = rounds;
    }

    void round(int epoch, int round, WeightedSum sum, double seconds, double learningRate) {
        // smoothed round time for the ETA
        secondsPerRound = Double.isNaN(secondsPerRound) ? seconds : 0.8 * secondsPerRound + 0.2 * seconds;
        long roundsLeft = (long) (epochs - epoch) * rounds + (rounds - round - 1);
        LOG.info(String.format("epoch %d/%d round %d/%d: %.1f images/s, data wait %.0f%%, loss %.4f, lr %.2g, "
                        + "ETA %s (excluding evaluation)", epoch, epochs, round + 1, rounds, sum.examples() / seconds,
                100 * sum.dataWaitShare(), sum.meanLoss(), learningRate, duration(roundsLeft * secondsPerRound)));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
