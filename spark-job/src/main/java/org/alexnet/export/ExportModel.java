package org.alexnet.export;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;
import org.alexnet.archive.FilePublisher;
import org.alexnet.archive.ModelArchive;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code deploy/alexnet export --model DIR --format safetensors --output FILE}: a trained
 * model's weights for other frameworks, in the safetensors format with the names and layouts of
 * the PyTorch two-column AlexNet ({@link TorchAlexNet}; {@code deploy/export/alexnet_torch.py}
 * loads it, and from PyTorch {@code torch.onnx.export} goes on to ONNX). Exit 0 = written,
 * 2 = bad command line or a model that cannot be read.
 */
public final class ExportModel {
    private static final Set<String> FORMATS = Set.of("safetensors");

    static final Usage USAGE = Usage.of("export", "Writes a trained model's weights for PyTorch "
                    + "(deploy/export/alexnet_torch.py loads them into the same net).")
            .required("model", "DIR", "a training output (its model.zip), or a model or checkpoint file")
            .option("format", "F", "safetensors (the default and only format)")
            .required("output", "FILE", "the file to write");

    private ExportModel() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Exports; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (USAGE.printIfAsked(args, out)) {
            return 0;
        }
        try {
            CommandLine cli = CommandLine.parse(args, USAGE);
            String format = cli.option("format").orElse("safetensors");
            if (!FORMATS.contains(format)) {
                throw new ConfigException("unknown --format '" + format + "' (supported: safetensors)");
            }
            Configuration hadoop = new Configuration();
            Path modelPath = new Path(cli.require("model"));
            Path output = new Path(cli.require("output"));
            ModelArchive archive = ModelArchive.open(modelPath.getFileSystem(hadoop), modelPath);
            var tensors = TorchAlexNet.tensors(archive);
            var metadata = TorchAlexNet.metadata(archive);
            FileSystem fs = output.getFileSystem(hadoop);
            FilePublisher.publish(fs, output, o -> SafetensorsWriter.write(tensors, metadata, o));
            out.println("exported " + archive.source() + " -> " + output + " (" + format + ", " + tensors.size()
                    + " tensors, " + (fs.getFileStatus(output).getLen() >> 20) + " MB)");
            return 0;
        } catch (ConfigException e) {
            err.println("export: " + e.getMessage());
            err.println(USAGE.synopsis());
            return 2;
        } catch (IOException e) {
            err.println("export: " + e.getMessage());
            return 2;
        }
    }
}
