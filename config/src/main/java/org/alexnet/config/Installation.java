package org.alexnet.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where the installation's conf/ directory is: {@code -Dalexnet.conf.dir} (set by deploy/alexnet)
 * or {@code ALEXNET_CONF_DIR}. Without either, jobs use the schema defaults, which conf/ documents.
 */
public final class Installation {
    private Installation() {
    }

    /** The named files of conf/ (e.g. "model.properties"); empty when no conf dir is known. */
    public static List<Path> confFiles(String... names) {
        String dir = System.getProperty("alexnet.conf.dir", System.getenv("ALEXNET_CONF_DIR"));
        if (dir == null || dir.isBlank()) {
            return List.of();
        }
        return Arrays.stream(names).map(n -> Path.of(dir, n)).toList();
    }
}
