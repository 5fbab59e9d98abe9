package org.alexnet.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What this build is: the project version, the ND4J/DL4J and Spark versions it was built
 * against (Maven-filtered build.properties) and the git commit it was built from
 * (build-commit.txt, written at build time by spark-job/pom.xml; "unknown" outside a git
 * checkout, with "-dirty" when the working tree had uncommitted changes).
 */
public record BuildInfo(String version, String gitCommit, String nd4jVersion, String sparkVersion) {
    private static final String UNKNOWN = "unknown";

    /** This build. */
    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a jar without its resources: every field unknown
        }
        String commit = UNKNOWN;
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-commit.txt")) {
            if (in != null) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                commit = text.isEmpty() ? UNKNOWN : text;
            }
        } catch (IOException e) {
            // unknown
        }
        return new BuildInfo(known(p.getProperty("version")), commit, known(p.getProperty("dl4j.version")),
                known(p.getProperty("spark.version")));
    }

    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value;
    }
}
