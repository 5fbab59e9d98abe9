package org.alexnet.archive;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;
import org.alexnet.config.CommandLine;
import org.alexnet.config.ConfigException;
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
    private ConvertModel() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Converts; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            CommandLine cli = CommandLine.parse(args, Set.of("input", "output"), Set.of());
            java.nio.file.Path input = java.nio.file.Path.of(cli.require("input"));
            Path output = new Path(cli.require("output"));
            ModelArchive.Contents contents = LegacyModelFile.read(input);
            ModelArchive.publish(contents, output.getFileSystem(new Configuration()), output);
            out.println("converted " + input + " -> " + output + " (" + contents.model().preset() + " preset, "
                    + contents.classes().size() + " classes)");
            return 0;
        } catch (ConfigException e) {
            err.println("convert-model: " + e.getMessage());
            err.println("usage: convert-model --input OLD.zip --output NEW.zip");
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("convert-model: " + e.getMessage());
            return 2;
        }
    }
}
