package org.alexnet.model;

import static org.alexnet.config.ConfigKey.boolKey;
import static org.alexnet.config.ConfigKey.doubleKey;
import static org.alexnet.config.ConfigKey.enumKey;
import static org.alexnet.config.ConfigKey.intKey;
import static org.alexnet.config.ConfigKey.longKey;
import static org.alexnet.config.ConfigKey.stringKey;

import java.util.List;
import java.util.Map;
import org.alexnet.config.Config;
import org.alexnet.config.ConfigException;
import org.alexnet.config.ConfigKey;
import org.alexnet.config.ConfigRecord;
import org.alexnet.config.ConfigSchema;

/**
 * Everything that defines a model: the preset, the paper's ablation switches, LRN constants and
 * the optimiser's constants. Immutable and validated; saved inside every model file so a saved
 * model says exactly what it is. Keys are documented in conf/model.properties.
 *
 * <p>Keys left unset are derived, and {@link #complete(Config)} writes what was derived into a
 * job's configuration (what jobs print and save): the width and input size from the preset; the
 * class count from the dataset (training) or {@value #IMAGENET_CLASSES} where no dataset is read;
 * the initialisation. <b>Initialisation rule:</b> every weight of layer l is drawn from
 * N(0, s_l) with s_l = init-std * sqrt(F_l(paper) / F_l), where F_l is the layer's fan-in (input
 * maps x kernel area, or inputs of an fc layer) and F_l(paper) that of the same layer in the
 * paper's size of this net (width 1, 224x224 input). The full preset is the paper's N(0, 0.01) in
 * every layer; a narrower or smaller net keeps the paper's signal scale layer by layer (small:
 * conv1 0.01, conv2-conv5, fc7, fc8 0.02, fc6 0.04), where the paper's 0.01 everywhere would
 * shrink it by sqrt(F_l(paper) / F_l) per layer and leave the net at chance. That is
 * {@code model.init-scaling = fan-in} with {@code model.init-std = 0.01}, the default when
 * neither key is set; setting {@code model.init-std} alone gives every layer exactly that std
 * (scaling {@code none}).
 *
 * @param preset           name of the preset the sizes came from
 * @param classes          number of output classes (1000 for ImageNet)
 * @param width            multiplier on every conv map count and fc width (1 = the paper)
 * @param inputSize        side of the square input crop (224 in the paper)
 * @param columns          2 = the paper's two-GPU net; 1 = its one-GPU comparison net
 * @param lrn              local response normalisation after conv1 and conv2
 * @param lrnK             LRN k
 * @param lrnN             LRN n (neighbouring maps summed, centred)
 * @param lrnAlpha         LRN alpha as configured
 * @param lrnBeta          LRN beta
 * @param lrnAlphaConvention whether alpha is used as written (paper) or divided by n (cuda-convnet, Caffe)
 * @param pooling          overlapping 3x3/2 (paper) or non-overlapping 2x2/2 pooling
 * @param activation       ReLU (paper) or tanh
 * @param dropout          probability of DROPPING a unit of fc6 and fc7 (0.5; 0 = off)
 * @param initStd          standard deviation of the N(0, s) weight initialisation of the paper's-size net
 * @param initScaling      fan-in: each layer's std scaled by sqrt(paper's fan-in / fan-in); none: initStd everywhere
 * @param learningRate     initial learning rate
 * @param momentum         classical momentum
 * @param weightDecay      weight decay inside the momentum update
 * @param seed             seed of the weight initialisation and of dropout
 * @param precision        float (training) or double (gradient checks)
 */
public record AlexNetConfig(String preset, int classes, double width, int inputSize, int columns,
                            boolean lrn, double lrnK, int lrnN, double lrnAlpha, double lrnBeta,
                            LrnAlphaConvention lrnAlphaConvention, Pooling pooling, Activation activation,
                            double dropout, double initStd, InitScaling initScaling, double learningRate, double momentum,
                            double weightDecay, long seed, Precision precision) implements java.io.Serializable {

    /** How the configured LRN alpha enters the formula. */
    public enum LrnAlphaConvention {
        /** b = a / (k + alpha * sum a^2)^beta, as printed in the paper (section 3.3). */
        PAPER,
        /** b = a / (k + alpha/n * sum a^2)^beta, as cuda-convnet, Caffe and cuDNN compute. */
        DIVIDED_BY_N
    }

    /** Max-pooling variants: the paper's overlapping pooling, or the ablation. */
    public enum Pooling {
        /** 3x3 windows, stride 2 (paper, section 3.4). */
        OVERLAPPING(3, 2),
        /** 2x2 windows, stride 2 (the paper's ablation baseline). */
        NON_OVERLAPPING(2, 2);

        public final int size;
        public final int stride;

        Pooling(int size, int stride) {
            this.size = size;
            this.stride = stride;
        }
    }

    /** Hidden-unit nonlinearity. */
    public enum Activation { RELU, TANH }

    /** How {@code model.init-std} becomes each layer's standard deviation (see the class comment). */
    public enum InitScaling {
        /** init-std * sqrt(the layer's fan-in in the paper's net / its fan-in here): the paper's signal scale. */
        FAN_IN,
        /** init-std for every layer, whatever its fan-in (the paper's recipe taken literally). */
        NONE
    }

    /** The paper's weight standard deviation (section 5). */
    public static final double PAPER_INIT_STD = 0.01;
    /** The class count where neither the configuration nor a dataset gives one (ImageNet's). */
    public static final int IMAGENET_CLASSES = 1000;

    /** Floating-point precision of parameters and activations. */
    public enum Precision { FLOAT, DOUBLE }

    public static final ConfigKey<String> PRESET = stringKey("model.preset", "full",
            "full (the paper: width 1, 224x224 input), small (width 1/4, 128x128) or tiny (width 1/16, 64x64)")
            .requiring(p -> Preset.find(p) != null, "one of full | small | tiny");
    public static final ConfigKey<Integer> CLASSES = intKey("model.classes", null, 2, 1_000_000,
            "number of classes; unset = the dataset's (training), 1000 where no dataset is read");
    public static final ConfigKey<Double> WIDTH = doubleKey("model.width", null, 1e-3, 4,
            "multiplier on every map count and fc width; unset = the preset's");
    public static final ConfigKey<Integer> INPUT_SIZE = intKey("model.input-size", null, 63, 4096,
            "side of the square input crop; unset = the preset's (224 for full)");
    public static final ConfigKey<Integer> COLUMNS = intKey("model.columns", 2, 1, 2,
            "2 = the paper's two-column net; 1 = the paper's one-GPU comparison net")
            .requiring(c -> c == 1 || c == 2, "1 or 2");
    public static final ConfigKey<Boolean> LRN = boolKey("model.lrn", true,
            "local response normalisation after conv1 and conv2 (false = the paper's ablation)");
    public static final ConfigKey<Double> LRN_K = doubleKey("model.lrn.k", 2.0, 0, 1e6, "LRN k");
    public static final ConfigKey<Integer> LRN_N = intKey("model.lrn.n", 5, 1, 1001, "LRN n, odd")
            .requiring(n -> n % 2 == 1, "odd");
    public static final ConfigKey<Double> LRN_ALPHA = doubleKey("model.lrn.alpha", 1e-4, 0, 1e3, "LRN alpha");
    public static final ConfigKey<Double> LRN_BETA = doubleKey("model.lrn.beta", 0.75, 0, 10, "LRN beta");
    public static final ConfigKey<LrnAlphaConvention> LRN_ALPHA_CONVENTION = enumKey("model.lrn.alpha-convention",
            LrnAlphaConvention.PAPER, LrnAlphaConvention.class,
            "paper = alpha as written in the paper's formula; divided-by-n = alpha/n (cuda-convnet, Caffe, cuDNN)");
    public static final ConfigKey<Pooling> POOLING = enumKey("model.pooling", Pooling.OVERLAPPING, Pooling.class,
            "overlapping = 3x3 stride 2 (paper); non-overlapping = 2x2 stride 2 (ablation)");
    public static final ConfigKey<Activation> ACTIVATION = enumKey("model.activation", Activation.RELU,
            Activation.class, "relu (paper) or tanh (ablation)");
    public static final ConfigKey<Double> DROPOUT = doubleKey("model.dropout", 0.5, 0, 0.99,
            "probability of dropping a unit of fc6 and fc7 during training (0 = off)");
    public static final ConfigKey<Double> INIT_STD = doubleKey("model.init-std", null, 1e-9, 10,
            "weights ~ N(0, init-std) in the paper's-size net; unset = 0.01 (the paper) with model.init-scaling fan-in");
    public static final ConfigKey<InitScaling> INIT_SCALING = enumKey("model.init-scaling", null, InitScaling.class,
            "fan-in = each layer's std is init-std * sqrt(its fan-in in the paper's net / its fan-in); none = init-std "
                    + "everywhere; unset = fan-in when model.init-std is unset, none when it is set");
    public static final ConfigKey<Double> LEARNING_RATE = doubleKey("model.learning-rate", 0.01, 0, 100,
            "initial learning rate (the schedule divides it)")
            .requiring(r -> r > 0, "positive (the schedule divides it; 0 would stop the job after its data was read)");
    public static final ConfigKey<Double> MOMENTUM = doubleKey("model.momentum", 0.9, 0, 0.9999,
            "classical momentum");
    public static final ConfigKey<Double> WEIGHT_DECAY = doubleKey("model.weight-decay", 0.0005, 0, 1,
            "weight decay inside the momentum update: v <- m v - wd lr w - lr g");
    public static final ConfigKey<Long> SEED = longKey("model.seed", 42L, "seed of initialisation and dropout");
    public static final ConfigKey<Precision> PRECISION = enumKey("model.precision", Precision.FLOAT,
            Precision.class, "float (training) or double (gradient checks)");

    /** Every model key, in the order conf/model.properties lists them and of the record's components. */
    public static final ConfigSchema SCHEMA = new ConfigSchema(List.of(PRESET, CLASSES, WIDTH, INPUT_SIZE, COLUMNS,
            LRN, LRN_K, LRN_N, LRN_ALPHA, LRN_BETA, LRN_ALPHA_CONVENTION, POOLING, ACTIVATION, DROPOUT, INIT_STD,
            INIT_SCALING, LEARNING_RATE, MOMENTUM, WEIGHT_DECAY, SEED, PRECISION));

    /** The record bound to {@link #SCHEMA}: reading, writing and validating derive from it. */
    private static final ConfigRecord<AlexNetConfig> RECORD = ConfigRecord.of(AlexNetConfig.class, SCHEMA);

    /**
     * Validates every construction ({@link #from}, {@code new}, deserialization): each value as
     * its key requires, and an input large enough for the net; errors name the key.
     */
    public AlexNetConfig {
        RECORD.validate(preset, classes, width, inputSize, columns, lrn, lrnK, lrnN, lrnAlpha, lrnBeta,
                lrnAlphaConvention, pooling, activation, dropout, initStd, initScaling, learningRate, momentum,
                weightDecay, seed, precision);
        int beforePool5 = pooledSide(pooling, pooledSide(pooling, conv1Side(inputSize)));
        if (beforePool5 < pooling.size) {
            throw new ConfigException("config key 'model.input-size': " + inputSize
                    + " is too small: the maps before pool5 would be smaller than the pooling window");
        }
    }

    /**
     * Builds the model configuration from a resolved configuration (which may hold other jobs'
     * keys too), deriving the keys left unset (see the class comment).
     */
    public static AlexNetConfig from(Config c) {
        Preset preset = Preset.find(c.get(PRESET));
        boolean stdSet = c.find(INIT_STD).isPresent();
        return RECORD.from(c, Map.of(CLASSES, IMAGENET_CLASSES, WIDTH, preset.width, INPUT_SIZE, preset.inputSize,
                INIT_STD, PAPER_INIT_STD, INIT_SCALING, stdSet ? InitScaling.NONE : InitScaling.FAN_IN));
    }

    /** A preset with every other key at its default, plus overrides ("model.classes" -> "10", ...). */
    public static AlexNetConfig preset(String preset, Map<String, String> overrides) {
        Map<String, String> all = new java.util.LinkedHashMap<>(overrides);
        all.putIfAbsent(PRESET.name(), preset);
        return from(SCHEMA.resolve(all));
    }

    /**
     * A job's configuration with every model key written out as the model uses it (what unset keys
     * were derived to), so the configuration a job prints and saves says exactly what was built.
     * Other jobs' keys are kept.
     */
    public static Config complete(Config c) {
        return c.with(RECORD.toText(from(c)));
    }

    /** The model configuration as configuration text (every model key), for saving with the model. */
    public Config toConfig() {
        return RECORD.toConfig(this);
    }

    /** A copy with some keys' values replaced, validated like any construction. */
    public AlexNetConfig with(Map<ConfigKey<?>, ?> changes) {
        return RECORD.with(this, changes);
    }

    /**
     * This net at the paper's size (width 1, 224x224 input), every other choice the same: the
     * reference whose fan-ins {@link InitScaling#FAN_IN} scales to.
     */
    public AlexNetConfig atPaperSize() {
        return with(Map.of(WIDTH, 1.0, INPUT_SIZE, Preset.FULL.inputSize, INIT_SCALING, InitScaling.NONE));
    }

    /**
     * The alpha to use in the paper's formula b = a / (k + alpha' * sum a^2)^beta, whatever
     * convention the configuration is written in.
     */
    public double lrnAlphaInPaperFormula() {
        return lrnAlphaConvention == LrnAlphaConvention.PAPER ? lrnAlpha : lrnAlpha / lrnN;
    }

    /** Maps per column of a layer with {@code paperMaps} per column in the paper, scaled by width. */
    public int scaled(int paperMaps) {
        return Math.max(1, (int) Math.round(paperMaps * width));
    }

    /** Side of the feature map after conv1 (torchvision padding: 2 on every side, truncating). */
    public int conv1Side() {
        return conv1Side(inputSize);
    }

    /** Side of the maps that fc6 reads (6 for the paper's 224 input). */
    public int pool5Side() {
        return pooledSide(pooling, pooledSide(pooling, pooledSide(pooling, conv1Side())));
    }

    private static int conv1Side(int inputSize) {
        return (inputSize + 2 * AlexNet.CONV1_PADDING - 11) / 4 + 1;
    }

    private static int pooledSide(Pooling pooling, int side) {
        return (side - pooling.size) / pooling.stride + 1;
    }
}
