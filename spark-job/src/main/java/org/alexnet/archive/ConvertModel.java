package org.alexnet.archive;

import java.io.IOException;
import java.io.PrintStream;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
import org.alexnet.config.Usage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code deploy/alexnet convert-model --input OLD.zip --output NEW.zip}: converts a model.zip of
 * the earlier format (DL4J's ModelSerializer zip with Java-serialized entries), which this
 * version refuses to open, into the current format. Only for files you trust: it deserializes
 * the old entries, though only through a strict allow-list ({@link LegacyModelFile}). Exit 0 =
 * converted, 2 = bad command line or an input that cannot be converted.
 */
public final class ConvertModel {
    static final Usage USAGE = Usage.of("convert-model", "Converts a model.zip of the earlier format (DL4J's "
                    + "ModelSerializer zip) into the current model archive. Only for files you trust: the old entries "
                    + "are Java-deserialized, though only through a strict allow-list. Exit 0 = converted, 2 = bad "
                    + "command line or an input that cannot be converted.")
            .required("input", "OLD.zip", "the model file of the earlier format")
            .required("output", "NEW.zip", "the model archive to write");

    private ConvertModel() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Converts; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (USAGE.printIfAsked(args, out)) {
            return 0;
        }
        try {
            CommandLine cli = CommandLine.parse(args, USAGE);
            java.nio.file.Path input = java.nio.file.Path.of(cli.require("input"));
            Path output = new Path(cli.require("output"));
            ModelArchive.Contents contents = LegacyModelFile.read(input);
            ModelArchive.publish(contents, output.getFileSystem(new Configuration()), output);
            out.println("converted " + input + " -> " + output + " (" + contents.model().preset() + " preset, "
                    + contents.classes().size() + " classes)");
            return 0;
        } catch (ConfigException e) {
            err.println("convert-model: " + e.getMessage());
            err.println(USAGE.synopsis());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("convert-model: " + e.getMessage());
            return 2;
        }
    }
}
