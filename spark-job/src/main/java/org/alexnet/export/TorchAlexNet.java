package org.alexnet.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.alexnet.archive.ArchiveJson;
import org.alexnet.archive.ModelArchive;
import org.alexnet.archive.RawArrays;
import org.alexnet.model.AlexNet;
import org.alexnet.model.AlexNetConfig;
import org.alexnet.preprocessing.DatasetLayout;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained model's weights under the names and layouts of the PyTorch two-column AlexNet in
 * {@code deploy/export/alexnet_torch.py} (module attributes conv1..conv5, fc6..fc8, buffer
 * mean_image), for {@link SafetensorsWriter}. The paper's two columns become ONE PyTorch layer
 * per depth, column A's output channels first, then column B's:
 * <pre>
 * ours (DL4J)                       PyTorch                                      shape (paper)
 * conv1a, conv1b  W [48,3,11,11]    conv1 = Conv2d(3, 96, 11, 4, 2)              [96, 3, 11, 11]
 * conv2a, conv2b  W [128,48,5,5]    conv2 = Conv2d(96, 256, 5, 1, 2, groups=2)   [256, 48, 5, 5]
 * conv3a, conv3b  W [192,256,3,3]   conv3 = Conv2d(256, 384, 3, 1, 1)            [384, 256, 3, 3]
 * conv4a, conv4b  W [192,192,3,3]   conv4 = Conv2d(384, 384, 3, 1, 1, groups=2)  [384, 192, 3, 3]
 * conv5a, conv5b  W [128,192,3,3]   conv5 = Conv2d(384, 256, 3, 1, 1, groups=2)  [256, 192, 3, 3]
 * fc6a, fc6b      W [9216,2048]     fc6 = Linear(9216, 4096)                     [4096, 9216]
 * fc7a, fc7b      W [4096,2048]     fc7 = Linear(4096, 4096)                     [4096, 4096]
 * fc8             W [4096,classes]  fc8 = Linear(4096, classes)                  [classes, 4096]
 * </pre>
 * Each layer's weight is the concatenation of the columns' weights along the output axis (and
 * its bias likewise). A layer that reads only its own column (conv2, conv4, conv5) is a grouped
 * convolution with groups = 2: group g's output channels read group g's input channels, which
 * is column g's half of the previous layer's output. Layers that read both columns (conv3, fc6,
 * fc7, fc8) read DL4J's concatenation of column A's then column B's maps, the same channel order.
 * Convolution weights are [out, in, kh, kw] in DL4J as in PyTorch; DL4J's dense weights are
 * [in, out] and are transposed to PyTorch's [out, in]. fc6's input is pool5's [256, 6, 6] maps
 * flattened in NCHW order (channel, then row, then column), as DL4J's CNN-to-dense step and
 * PyTorch's {@code torch.flatten(x, 1)} both do. The local response normalisation (after conv1
 * and conv2) sums over the maps of ONE column, so the script applies it to each group of
 * channels separately; PyTorch's LocalResponseNorm divides alpha by n, so the metadata's alpha is
 * ours in the paper's formula times n. The one-column comparison net ({@code model.columns=1})
 * maps layer to layer with groups = 1.
 *
 * <p>The mean image is the tensor {@code mean_image}, [3, 256, 256] (CHW, RGB, 0-255): an input
 * crop is the image's central 256x256 patch's window minus the same window of it. The metadata
 * holds the class list, the architecture, the configuration and the provenance as JSON strings.
 */
public final class TorchAlexNet {
    private static final String[] CONVS = {"conv1", "conv2", "conv3", "conv4", "conv5"};

    private TorchAlexNet() {
    }

    /** Which PyTorch layers are grouped convolutions in the two-column net. */
    static boolean grouped(String layer, AlexNetConfig c) {
        return c.columns() == 2 && (layer.equals("conv2") || layer.equals("conv4") || layer.equals("conv5"));
    }

    /** The tensors, in the module's state_dict order. */
    public static List<SafetensorsWriter.Tensor> tensors(ModelArchive archive) throws IOException {
        ComputationGraph graph = archive.graph();
        AlexNetConfig c = archive.model();
        String[] columns = c.columns() == 2 ? new String[] {"a", "b"} : new String[] {""};
        List<SafetensorsWriter.Tensor> out = new ArrayList<>();
        for (String conv : CONVS) {
            out.add(tensor(conv + ".weight", joined(graph, conv, columns, "W", false)));
            out.add(tensor(conv + ".bias", joined(graph, conv, columns, "b", false)));
        }
        for (String fc : new String[] {"fc6", "fc7"}) {
            out.add(tensor(fc + ".weight", joined(graph, fc, columns, "W", true)));
            out.add(tensor(fc + ".bias", joined(graph, fc, columns, "b", true)));
        }
        out.add(tensor("fc8.weight", joined(graph, "fc8", new String[] {""}, "W", true)));
        out.add(tensor("fc8.bias", joined(graph, "fc8", new String[] {""}, "b", true)));
        out.add(tensor("mean_image", meanImageChw(archive.stats().meanImage())));
        return out;
    }

    /** The metadata: what the PyTorch side needs to build the net and name its outputs. */
    public static Map<String, String> metadata(ModelArchive archive) throws IOException {
        AlexNetConfig c = archive.model();
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("columns", c.columns());
        arch.put("classes", c.classes());
        arch.put("input_size", c.inputSize());
        arch.put("conv1_padding", AlexNet.CONV1_PADDING);
        arch.put("pool_kernel", c.pooling().size);
        arch.put("pool_stride", c.pooling().stride);
        arch.put("activation", c.activation().name().toLowerCase(Locale.ROOT));
        arch.put("lrn", c.lrn() ? Map.of("size", c.lrnN(), "alpha", c.lrnAlphaInPaperFormula() * c.lrnN(),
                "beta", c.lrnBeta(), "k", c.lrnK(), "per_column", true) : null);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("alexnet.architecture", text(arch));
        m.put("alexnet.classes", text(archive.classes()));
        m.put("alexnet.mean_image", "tensor mean_image [3, " + DatasetLayout.IMAGE_SIZE + ", "
                + DatasetLayout.IMAGE_SIZE + "], RGB, 0-255: resize the image's short side to "
                + DatasetLayout.IMAGE_SIZE + ", take its central " + DatasetLayout.IMAGE_SIZE + "x"
                + DatasetLayout.IMAGE_SIZE + " patch, crop " + c.inputSize() + "x" + c.inputSize()
                + " from it and subtract the same window of mean_image");
        m.put("alexnet.config", c.toConfig().toPropertiesText());
        m.put("alexnet.provenance", text(archive.provenance()));
        return m;
    }

    private static String text(Object value) throws IOException {
        return new String(ArchiveJson.write(value), StandardCharsets.UTF_8);
    }

    /** The columns' parameter arrays joined along the output axis; dense weights transposed to [out, in]. */
    private static INDArray joined(ComputationGraph graph, String layer, String[] columns, String key, boolean dense) {
        INDArray[] parts = new INDArray[columns.length];
        for (int i = 0; i < columns.length; i++) {
            INDArray p = graph.getLayer(layer + columns[i]).getParam(key);
            if (key.equals("b")) {
                p = p.reshape(p.length());
            } else if (dense) {
                p = p.transpose();
            }
            parts[i] = p;
        }
        return (parts.length == 1 ? parts[0] : Nd4j.concat(0, parts)).dup('c');
    }

    /** HWC (as stored) to CHW (as PyTorch's images are). */
    private static INDArray meanImageChw(float[] hwc) {
        int side = DatasetLayout.IMAGE_SIZE;
        return Nd4j.createFromArray(hwc).reshape('c', side, side, 3).permute(2, 0, 1).dup('c');
    }

    private static SafetensorsWriter.Tensor tensor(String name, INDArray a) {
        return new SafetensorsWriter.Tensor(name, RawArrays.typeName(a.dataType()), a.shape(),
                a.length() * a.dataType().width(), out -> RawArrays.write(a, out));
    }
}
