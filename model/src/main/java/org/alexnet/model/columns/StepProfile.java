package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the column executor's steps spend their time, per column: each layer's forward and
 * backward pass, each exchange (including the wait for the other column) and the parameter
 * update. Each column's thread writes only its own table; read it between steps.
 */
public final class StepProfile {
    private final List<Map<String, Long>> nanos = List.of(new LinkedHashMap<>(), new LinkedHashMap<>());
    private volatile int steps;

    void add(int column, String what, long startNanos) {
        nanos.get(column).merge(what, System.nanoTime() - startNanos, Long::sum);
    }

    void stepDone() {
        steps++;
    }

    /** Forgets what was recorded (e.g. after warm-up). */
    public synchronized void reset() {
        nanos.forEach(Map::clear);
        steps = 0;
    }

    /** Milliseconds per step, per entry, for column A and column B, in the order first seen. */
    public String table() {
        List<String> names = new ArrayList<>(nanos.get(0).keySet());
        nanos.get(1).keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
        int n = Math.max(1, steps);
        StringBuilder sb = new StringBuilder(String.format("%-22s %10s %10s%n", "ms per step", "column A", "column B"));
        double[] total = new double[2];
        for (String name : names) {
            double[] ms = new double[2];
            for (int c = 0; c < 2; c++) {
                ms[c] = nanos.get(c).getOrDefault(name, 0L) / 1e6 / n;
                total[c] += ms[c];
            }
            sb.append(String.format("%-22s %10.1f %10.1f%n", name, ms[0], ms[1]));
        }
        sb.append(String.format("%-22s %10.1f %10.1f   (%d steps)%n", "total", total[0], total[1], steps));
        return sb.toString();
    }
}
