package org.alexnet.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spark installation made from the Spark jars Maven resolved for the tests: jars/ links to them
 * (the launcher library builds every JVM's classpath from it, executors' too), and bin/ holds
 * spark-class and spark-submit, which run Spark's own launcher as a distribution's scripts do.
 */
final class SparkHome {
    private SparkHome() {
    }

    /** Creates (or completes) a SPARK_HOME at {@code home}. */
    static Path create(Path home) throws IOException {
        Files.createDirectories(home.resolve("jars"));
        for (String jar : sparkClasspath().split(File.pathSeparator)) {
            Path j = Path.of(jar);
            Path link = home.resolve("jars").resolve(j.getFileName());
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, j);
            }
        }
        for (String script : List.of("spark-class", "spark-submit")) {
            copyExecutable("/spark-home/bin/" + script, home.resolve("bin").resolve(script));
        }
        return home;
    }

    /** Copies an executable script from the test resources. */
    static void copyExecutable(String resource, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (InputStream in = SparkHome.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + resource + " missing");
            }
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!target.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + target + " executable");
        }
    }

    /**
     * Spark and its dependencies, as a Spark distribution's jars/ holds them: the Maven-resolved
     * classpath of this test minus the project's own modules and the libraries that reach the
     * cluster inside the shaded jar (DL4J, ND4J, JavaCPP presets) or only serve the tests.
     */
    static String sparkClasspath() {
        List<String> app = List.of("/alexnet-", "/target/", "/org/deeplearning4j/", "/org/nd4j/", "/org/bytedeco/",
                "/org/datavec/", "/org/junit/", "/org/opentest4j/", "/org/apiguardian/", "/org/yaml/snakeyaml/");
        List<String> jars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith(".jar") && app.stream().noneMatch(e::contains)) {
                jars.add(e);
            }
        }
        if (jars.stream().noneMatch(j -> j.contains("spark-launcher_2.12"))) {
            throw new IllegalStateException("spark-launcher is not on the test classpath");
        }
        return String.join(File.pathSeparator, jars);
    }
}
