package org.alexnet.model.cli;

import java.util.List;
import java.util.Map;
import org.alexnet.config.CommandLine;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Installation;
import org.alexnet.config.Usage;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * {@code deploy/alexnet describe}: every layer of the configured model with what it reads, its
 * output shape, its parameter count and the standard deviation its weights start from, and a
 * final line {@code parameters: N}.
 * Options: --preset NAME, --classes N, --config FILE, --set model.key=value.
 */
public final class Describe {
    static final Usage USAGE = Usage.of("describe", "Every layer of the configured model: what it reads, its output "
                    + "shape, its parameter count and the standard deviation its weights start from; then "
                    + "'parameters: N'. With --model DIR instead: a saved model or checkpoint's provenance, "
                    + "configuration and layers.")
            .option("preset", "NAME", "full | small | tiny (the same as --set model.preset=NAME)")
            .option("classes", "N", "output classes (the same as --set model.classes=N; default 1000)")
            .option("model", "DIR", "describe a training output (its model.zip), or a model or checkpoint file")
            .config(AlexNetConfig.SCHEMA, "model.properties");

    private Describe() {
    }

    public static void main(String[] args) {
        if (USAGE.printIfAsked(args, System.out)) {
            System.exit(0);
        }
        try {
            CommandLine cli = CommandLine.parse(args, USAGE);
            Map<String, String> fromOptions = new java.util.LinkedHashMap<>();
            cli.option("preset").ifPresent(p -> fromOptions.put(AlexNetConfig.PRESET.name(), p));
            cli.option("classes").ifPresent(c -> fromOptions.put(AlexNetConfig.CLASSES.name(), c));
            Config config = cli.resolve(AlexNetConfig.SCHEMA, Installation.confFiles("model.properties"), fromOptions);
            System.out.print(describe(AlexNetConfig.from(config)));
        } catch (ConfigException e) {
            System.err.println("describe: " + e.getMessage());
            System.err.println(USAGE.synopsis());
            System.exit(2);
        }
    }

    private static String outputRate(double scale) {
        return scale == 1.0 ? AlexNet.OUTPUT + " too (the paper's rule)"
                : AlexNet.OUTPUT + " x " + Math.round(scale * 1e4) / 1e4 + " (its logits step as far as the paper's 1000-class fc8's do)";
    }

    /** The table and the final "parameters: N" line. */
    public static String describe(AlexNetConfig c) {
        ComputationGraphConfiguration conf = AlexNet.configuration(c);
        InputType input = InputType.convolutional(c.inputSize(), c.inputSize(), 3);
        Map<String, InputType> shapes = conf.getLayerActivationTypes(input);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("AlexNet (Krizhevsky et al. 2012), %s, preset %s, %d classes, input 3x%dx%d%n",
                c.columns() == 2 ? "two columns" : "one column (the paper's one-GPU comparison net)",
                c.preset(), c.classes(), c.inputSize(), c.inputSize()));
        sb.append(String.format("initial weights: N(0, s) per layer, model.init-std %s, model.init-scaling %s%n",
                c.initStd(), org.alexnet.config.ConfigKey.enumText(c.initScaling())));
        sb.append(String.format("learning rate: model.learning-rate %s in every layer, %s%n", c.learningRate(),
                outputRate(AlexNet.outputLearningRateScale(c))));
        Map<String, Double> stds = AlexNet.initialStds(c);
        sb.append(String.format("%-8s %-22s %-18s %-14s %12s  %s%n", "layer", "kind", "reads", "output", "parameters",
                "s"));
        long total = 0;
        for (String name : AlexNet.vertexOrder(conf)) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue; // the network input
            }
            List<String> inputs = conf.getVertexInputs().get(name);
            long params = 0;
            String kind;
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                params = layer.initializer().numParams(lv.getLayerConf());
                kind = kind(layer);
            } else {
                kind = "concat (columns)";
            }
            total += params;
            sb.append(String.format("%-8s %-22s %-18s %-14s %,12d%s%n", name, kind, String.join("+", inputs),
                    shape(shapes.get(name)), params, stds.containsKey(name) ? String.format("  %.4f", stds.get(name)) : ""));
        }
        sb.append("parameters: ").append(total).append('\n');
        return sb.toString();
    }

    private static String kind(Layer layer) {
        if (layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer conv) {
            return String.format("conv %dx%d/%d pad %d", conv.getKernelSize()[0], conv.getKernelSize()[1],
                    conv.getStride()[0], conv.getPadding()[0]);
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer pool) {
            return String.format("maxpool %dx%d/%d", pool.getKernelSize()[0], pool.getKernelSize()[1], pool.getStride()[0]);
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.LocalResponseNormalization lrn) {
            return String.format("LRN n=%d k=%s", (int) lrn.getN(), lrn.getK());
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.OutputLayer) {
            return "fc + softmax";
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.DenseLayer) {
            return "fc";
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.DropoutLayer) {
            return "dropout";
        }
        return layer.getClass().getSimpleName();
    }

    private static String shape(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels() + "x" + c.getHeight() + "x" + c.getWidth();
        }
        return Long.toString(t.arrayElementsPerExample());
    }
}
