package org.alexnet.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.model.layers.ExactLrn;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.util.GraphIndices;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * AlexNet as in Krizhevsky, Sutskever and Hinton, "ImageNet Classification with Deep
 * Convolutional Neural Networks" (NIPS 2012): the paper's TWO-COLUMN net (one column per GPU),
 * 60,965,224 parameters with 1000 classes, not torchvision's single-column variant.
 *
 * <pre>
 * layer  kernel/stride/pad  maps per column  reads from            then
 * conv1  11 / 4 / 2         48               the image             ReLU, LRN, maxpool 3/2
 * conv2   5 / 1 / 2        128               own column            ReLU, LRN, maxpool 3/2
 * conv3   3 / 1 / 1        192               BOTH columns          ReLU
 * conv4   3 / 1 / 1        192               own column            ReLU
 * conv5   3 / 1 / 1        128               own column            ReLU, maxpool 3/2
 * fc6                      2048              BOTH columns          ReLU, dropout 0.5
 * fc7                      2048              BOTH columns          ReLU, dropout 0.5
 * fc8                      classes           BOTH columns (col A)  softmax
 * </pre>
 *
 * Column A's layers end in "a" (conv1a, ...), column B's in "b"; fc8 is one layer. conv1 pads 2
 * on every side and truncates, as torchvision does: (224 + 4 - 11) / 4 + 1 = 55 (cuda-convnet
 * instead pads 0 and lets its last window run past the edge; both give 55x55). Weights start
 * from N(0, 0.01); biases are 1 in conv2, conv4, conv5, fc6 and fc7, 0 elsewhere. Every layer
 * learns at the same rate, except that a net with fewer classes or a narrower fc7 than the paper's
 * gives its output layer a smaller multiple of it ({@link #outputLearningRateScale}), so the
 * logits move as far per step as the paper's do.
 *
 * <p>Ablations of the paper's section 3 are switches of {@link AlexNetConfig}: LRN off,
 * non-overlapping 2x2 pooling, tanh, and the one-column comparison net (one column of conv1-4,
 * a full-size conv5 and full-size fc layers, as the paper's footnote describes).
 */
public final class AlexNet {
    /** The output layer's name. */
    public static final String OUTPUT = "fc8";
    /** Padding of conv1 on every side (torchvision's convention, see the class comment). */
    public static final int CONV1_PADDING = 2;

    private AlexNet() {
    }

    /** A new, initialised network. */
    public static ComputationGraph build(AlexNetConfig c) {
        ComputationGraph graph = new ComputationGraph(configuration(c));
        graph.init();
        return graph;
    }

    /** The graph configuration (layers, initialisation, updater) of the configured variant. */
    public static ComputationGraphConfiguration configuration(AlexNetConfig c) {
        ComputationGraphConfiguration conf = layers(c);
        initialStds(c, conf).forEach((name, std) -> weighted(conf, name)
                .setWeightInitFn(new WeightInitDistribution(new NormalDistribution(0, std))));
        weighted(conf, OUTPUT).setIUpdater(new ClassicalMomentum(c.learningRate(), c.momentum(),
                outputLearningRateScale(c, conf)));
        return conf;
    }

    /**
     * The output layer's learning rate as a multiple of the network's: min(1, (classes / 1000) x
     * (F(paper) / F)), F being fc8's fan-in (the fc7 width) and F(paper) the same in the paper's
     * size of this net. 1 for the paper's net on ImageNet's 1000 classes.
     *
     * <p>Why: fc7's units all sit near 1 or above (their biases are 1), so one step moves every
     * logit along the same direction by about lr x F x E[a^2] x (its class's error share), and a
     * class's share of a batch's error is ~1/classes. The paper's 0.01 moves its 1000 logits by
     * ~0.08 a step; a 10-class net of fc7 width 1024 at the same rate moves them by ~2, and with
     * momentum 0.9 the logits swing by several units from batch to batch, until the net settles
     * on predicting the class prior whatever the image (loss ln(classes), chance accuracy). The
     * scale keeps that step at the paper's for any width and class count.
     */
    public static double outputLearningRateScale(AlexNetConfig c) {
        return outputLearningRateScale(c, layers(c));
    }

    private static double outputLearningRateScale(AlexNetConfig c, ComputationGraphConfiguration conf) {
        double fanIn = ((FeedForwardLayer) weighted(conf, OUTPUT)).getNIn();
        double paperFanIn = ((FeedForwardLayer) weighted(layers(c.atPaperSize()), OUTPUT)).getNIn();
        return Math.min(1.0, (double) c.classes() / AlexNetConfig.IMAGENET_CLASSES * paperFanIn / fanIn);
    }

    /**
     * The standard deviation each weighted layer's weights start from: {@code model.init-std}
     * times sqrt(the layer's fan-in in the paper's size of this net / its fan-in here) under
     * {@code model.init-scaling = fan-in}, {@code model.init-std} under {@code none}.
     */
    public static Map<String, Double> initialStds(AlexNetConfig c) {
        return initialStds(c, layers(c));
    }

    private static Map<String, Double> initialStds(AlexNetConfig c, ComputationGraphConfiguration conf) {
        Map<String, Double> fanIns = fanIns(conf, c.inputSize());
        Map<String, Double> paper = c.initScaling() == AlexNetConfig.InitScaling.FAN_IN
                ? fanIns(layers(c.atPaperSize()), Preset.FULL.inputSize) : fanIns;
        Map<String, Double> stds = new LinkedHashMap<>();
        fanIns.forEach((name, fanIn) -> stds.put(name, c.initStd() * Math.sqrt(paper.get(name) / fanIn)));
        return stds;
    }

    /**
     * The inputs each output unit of every weighted layer reads: an fc layer's inputs; a conv
     * layer's input maps times its kernel taps that fall inside the input (not on padding),
     * averaged over the output positions. Padding matters in small maps: a 3x3 kernel on the
     * tiny preset's 3x3 maps reads 5.4 inputs per map on average, on the paper's 13x13 ones 8.1.
     */
    private static Map<String, Double> fanIns(ComputationGraphConfiguration conf, int inputSize) {
        InputType input = InputType.convolutional(inputSize, inputSize, 3);
        Map<String, InputType> outputs = conf.getLayerActivationTypes(input);
        Map<String, Double> fanIns = new LinkedHashMap<>();
        for (String name : vertexOrder(conf)) {
            if (conf.getVertices().get(name) instanceof LayerVertex v && v.getLayerConf().getLayer() instanceof FeedForwardLayer f
                    && f.initializer().numParams(v.getLayerConf()) > 0) {
                double fanIn = f.getNIn();
                if (f instanceof ConvolutionLayer conv) {
                    String from = conf.getVertexInputs().get(name).get(0);
                    InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional)
                            (conf.getNetworkInputs().contains(from) ? input : outputs.get(from));
                    fanIn *= meanTaps(in.getHeight(), conv.getKernelSize()[0], conv.getStride()[0], conv.getPadding()[0])
                            * meanTaps(in.getWidth(), conv.getKernelSize()[1], conv.getStride()[1], conv.getPadding()[1]);
                }
                fanIns.put(name, fanIn);
            }
        }
        return fanIns;
    }

    /** Kernel taps inside an axis of n inputs (padded by pad, truncating), averaged over the output positions. */
    static double meanTaps(long n, int kernel, int stride, int pad) {
        long outputs = (n + 2L * pad - kernel) / stride + 1;
        long taps = 0;
        for (long o = 0; o < outputs; o++) {
            long first = o * stride - pad;
            taps += Math.max(0, Math.min(n, first + kernel) - Math.max(0, first));
        }
        return (double) taps / outputs;
    }

    private static BaseLayer weighted(ComputationGraphConfiguration conf, String name) {
        return (BaseLayer) ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }

    /** The layers, with every weight from N(0, init-std) (configuration() then sets each layer's own). */
    private static ComputationGraphConfiguration layers(AlexNetConfig c) {
        GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(c.seed())
                .dataType(c.precision() == AlexNetConfig.Precision.DOUBLE ? DataType.DOUBLE : DataType.FLOAT)
                .weightInit(new NormalDistribution(0, c.initStd()))
                .updater(new ClassicalMomentum(c.learningRate(), c.momentum()))
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(c.inputSize(), c.inputSize(), 3));
        Columns net = new Columns(g, c);

        //        layer    kernel stride pad  maps/column          bias  reads from
        net.conv ("conv1", 11,    4,     2,   c.scaled(48),        0,    net.image());
        net.norm ("norm1");
        net.pool ("pool1");
        net.conv ("conv2", 5,     1,     2,   c.scaled(128),       1,    net.ownColumn());
        net.norm ("norm2");
        net.pool ("pool2");
        net.conv ("conv3", 3,     1,     1,   c.scaled(192),       0,    net.bothColumns());
        net.conv ("conv4", 3,     1,     1,   c.scaled(192),       1,    net.ownColumn());
        net.conv ("conv5", 3,     1,     1,   net.lastConvMaps(),  1,    net.ownColumn());
        net.pool ("pool5");
        net.dense("fc6",                      net.fcWidth(),       1,    net.bothColumns());
        net.drop ("drop6");
        net.dense("fc7",                      net.fcWidth(),       1,    net.bothColumns());
        net.drop ("drop7");
        net.output("fc8",                     c.classes(),         0,    net.bothColumns());
        return g.setOutputs("fc8").build();
    }

    /** Every vertex name (input, layers, concatenations) in the order the network computes them. */
    public static List<String> vertexOrder(ComputationGraphConfiguration conf) {
        GraphIndices indices = new ComputationGraph(conf).calculateIndices();
        return Arrays.stream(indices.getTopologicalSortOrder()).mapToObj(i -> indices.getIdxToName().get(i)).toList();
    }

    /**
     * Adds each layer once per column, remembering each column's last output, so the model
     * above reads like the paper's table.
     */
    private static final class Columns {
        private final GraphBuilder g;
        private final AlexNetConfig c;
        private final String[] suffixes;
        private final String[] last;
        private final IActivation activation;

        Columns(GraphBuilder g, AlexNetConfig c) {
            this.g = g;
            this.c = c;
            this.suffixes = c.columns() == 2 ? new String[] {"a", "b"} : new String[] {""};
            this.last = new String[suffixes.length];
            this.activation = c.activation() == AlexNetConfig.Activation.RELU ? new ActivationReLU() : new ActivationTanH();
        }

        /** The input of each column's next layer: the image. */
        Inputs image() {
            return column -> new String[] {"input"};
        }

        /** The input of each column's next layer: that column's own last layer. */
        Inputs ownColumn() {
            return column -> new String[] {last[column]};
        }

        /** The input of each column's next layer: both columns' last layers, concatenated (a MergeVertex). */
        Inputs bothColumns() {
            if (suffixes.length == 1) {
                return ownColumn();
            }
            String merged = last[0].substring(0, last[0].length() - 1) + "ab";
            g.addVertex(merged, new MergeVertex(), last.clone());
            return column -> new String[] {merged};
        }

        /** conv5's maps: per column in the two-column net; the one-column net keeps the full 256. */
        int lastConvMaps() {
            return c.scaled(suffixes.length == 2 ? 128 : 256);
        }

        /** fc6/fc7 width: 2048 per column, or the full 4096 in the one-column net. */
        int fcWidth() {
            return c.scaled(suffixes.length == 2 ? 2048 : 4096);
        }

        void conv(String name, int kernel, int stride, int pad, int maps, double bias, Inputs from) {
            for (int i = 0; i < suffixes.length; i++) {
                add(i, name, new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(pad, pad)
                        .nOut(maps).activation(activation).biasInit(bias).build(), from.of(i));
            }
        }

        void norm(String name) {
            if (!c.lrn()) {
                return;
            }
            for (int i = 0; i < suffixes.length; i++) {
                add(i, name, new ExactLrn(c.lrnK(), c.lrnN(), c.lrnAlphaInPaperFormula(), c.lrnBeta()),
                        new String[] {last[i]});
            }
        }

        void pool(String name) {
            int size = c.pooling().size;
            int stride = c.pooling().stride;
            for (int i = 0; i < suffixes.length; i++) {
                add(i, name, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                        .kernelSize(size, size).stride(stride, stride).build(), new String[] {last[i]});
            }
        }

        void dense(String name, int width, double bias, Inputs from) {
            for (int i = 0; i < suffixes.length; i++) {
                add(i, name, new DenseLayer.Builder().nOut(width).activation(activation).biasInit(bias).build(),
                        from.of(i));
            }
        }

        /** Dropout of the previous layer's output, training only (DL4J scales by 1/(1-p) while training). */
        void drop(String name) {
            if (c.dropout() <= 0) {
                return;
            }
            for (int i = 0; i < suffixes.length; i++) {
                add(i, name, new DropoutLayer.Builder().dropOut(new Dropout(1 - c.dropout())).build(),
                        new String[] {last[i]});
            }
        }

        void output(String name, int classes, double bias, Inputs from) {
            OutputLayer layer = new OutputLayer.Builder(LossFunction.MCXENT).nOut(classes)
                    .activation(new ActivationSoftmax()).biasInit(bias).build();
            decayWeights(layer);
            g.addLayer(name, layer, from.of(0));
        }

        /**
         * Weight decay goes on each layer, not on the global builder: DL4J 1.0.0-M2.1 attaches a
         * global regularization other than L1/L2 to every layer twice (copyConfigToLayer, then
         * LayerValidation.configureBaseLayer appends it again), which would double the decay.
         */
        private void decayWeights(org.deeplearning4j.nn.conf.layers.Layer layer) {
            if (layer instanceof BaseLayer base && c.weightDecay() > 0) {
                base.setRegularization(new ArrayList<>(List.of(new PaperWeightDecay(c.weightDecay()))));
            }
        }

        private void add(int column, String name, org.deeplearning4j.nn.conf.layers.Layer layer, String[] inputs) {
            decayWeights(layer);
            String full = name + suffixes[column];
            g.addLayer(full, layer, inputs);
            last[column] = full;
        }

        @FunctionalInterface
        interface Inputs {
            String[] of(int column);
        }
    }
}
