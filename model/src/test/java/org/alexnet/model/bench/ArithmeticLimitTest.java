package org.alexnet.model.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.alexnet.model.AlexNetConfig;
import org.junit.jupiter.api.Test;

/** The FLOPs per image counted from the graph equal the paper's layer table; the SGEMM rate is a rate. */
class ArithmeticLimitTest {

    @Test
    void countsThePapersMultiplyAdds() {
        // output positions x output maps x (input maps per column x kernel area), both columns
        double conv1 = 55 * 55 * 96 * (3 * 11 * 11.0);
        double conv2 = 27 * 27 * 256 * (48 * 25.0);
        double conv3 = 13 * 13 * 384 * (256 * 9.0);
        double conv4 = 13 * 13 * 384 * (192 * 9.0);
        double conv5 = 13 * 13 * 256 * (192 * 9.0);
        double fc = 9216 * 4096.0 + 4096 * 4096.0 + 4096 * 1000.0;
        double macs = conv1 + conv2 + conv3 + conv4 + conv5 + fc;
        ArithmeticLimit.Flops flops = ArithmeticLimit.perImage(AlexNetConfig.preset("full", Map.of()));
        assertEquals(2 * macs, flops.forward(), 1e-9 * macs, "forward: 2 FLOPs per multiply-add of every layer");
        assertEquals(4 * macs - 2 * conv1, flops.backward(), 1e-9 * macs,
                "backward: weight and input gradients, without conv1's input gradient");
        assertEquals(6 * macs - 2 * conv1, flops.training(), 1e-9 * macs, "a training step");
    }

    @Test
    void measuresARate() {
        double rate = ArithmeticLimit.gemmFlopsPerSecond(128, 2);
        assertTrue(rate > 1e8 && rate < 1e14, "a plausible fp32 rate: " + rate);
        ArithmeticLimit.Peak peak = new ArithmeticLimit.Peak(24e9, 15e9, 2);
        assertEquals(30e9, peak.flopsPerSecond(), 1, "the better of all cores and one core times the cores");
        String line = ArithmeticLimit.report(new ArithmeticLimit.Flops(1e9, 2e9), peak, 5);
        assertTrue(line.contains("10.0 images/s") && line.contains("50%"), line);
    }
}
