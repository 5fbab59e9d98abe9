package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Which layer runs in which column, in what order, and where the columns exchange activations,
 * read off the canonical graph's configuration (so the executor follows the model as built,
 * ablations included): layers named "...a" are column A's, "...b" column B's, the one layer in
 * neither (fc8) is the output and runs in column A; every merge vertex of one "a" and one "b"
 * layer is an exchange point, named after the layers that read it (conv3, fc6, fc7, fc8).
 *
 * @param columns the steps of column A and of column B, in forward order
 * @param output  the output layer's step (column A), reading an exchange point
 */
record ColumnPlan(List<List<Step>> columns, Step output) {

    /** Where a layer's input comes from. */
    enum Source { IMAGE, OWN_COLUMN, EXCHANGE }

    /**
     * One layer of a column.
     *
     * @param layer  the layer (vertex) name in the canonical graph
     * @param source where its input comes from
     * @param point  the exchange point's name when source is EXCHANGE ("conv3", "fc6", ...)
     */
    record Step(String layer, Source source, String point) {
    }

    /** The plan of a two-column graph; a clear error for anything else. */
    static ColumnPlan of(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        List<List<Step>> columns = List.of(new ArrayList<>(), new ArrayList<>());
        Step output = null;
        int[] order = graph.topologicalSortOrder();
        for (int index : order) {
            String name = graph.getVertices()[index].getVertexName();
            GraphVertex v = vertices.get(name);
            if (v == null || v instanceof MergeVertex) {
                continue; // the network input, or a merge (handled by its reader)
            }
            if (!(v instanceof LayerVertex)) {
                throw notCanonical("vertex '" + name + "' is a " + v.getClass().getSimpleName());
            }
            List<String> in = inputs.get(name);
            if (in.size() != 1) {
                throw notCanonical("layer '" + name + "' has " + in.size() + " inputs");
            }
            int column = columnOf(name);
            Step step = step(name, column < 0 ? 0 : column, in.get(0), vertices, inputs, columns);
            if (column >= 0) {
                columns.get(column).add(step);
            } else if (output == null && conf.getNetworkOutputs().equals(List.of(name))) {
                output = step;
            } else {
                throw notCanonical("layer '" + name + "' belongs to neither column and is not the only output");
            }
        }
        if (output == null || output.source() != Source.EXCHANGE) {
            throw notCanonical("the output layer must read both columns");
        }
        return new ColumnPlan(List.of(List.copyOf(columns.get(0)), List.copyOf(columns.get(1))), output);
    }

    /** Every exchange point in forward order (e.g. conv3, fc6, fc7, fc8). */
    List<String> exchangePoints() {
        List<String> points = new ArrayList<>();
        for (Step s : columns.get(0)) {
            if (s.source() == Source.EXCHANGE) {
                points.add(s.point());
            }
        }
        points.add(output.point());
        return points;
    }

    private static Step step(String name, int column, String input, Map<String, GraphVertex> vertices,
                             Map<String, List<String>> inputs, List<List<Step>> columns) {
        List<Step> own = columns.get(column);
        String previous = own.isEmpty() ? null : own.get(own.size() - 1).layer();
        if (input.equals("input")) {
            return new Step(name, Source.IMAGE, null);
        }
        if (vertices.get(input) instanceof MergeVertex) {
            // column A's part first, and this column's part is its own previous layer
            List<String> merged = inputs.get(input);
            if (merged.size() != 2 || columnOf(merged.get(0)) != 0 || columnOf(merged.get(1)) != 1
                    || !merged.get(column).equals(previous)) {
                throw notCanonical("merge '" + input + "' does not join the two columns' latest layers: " + merged);
            }
            return new Step(name, Source.EXCHANGE, columnOf(name) < 0 ? name : name.substring(0, name.length() - 1));
        }
        if (!input.equals(previous)) {
            throw notCanonical("layer '" + name + "' reads '" + input + "', not its column's previous layer");
        }
        return new Step(name, Source.OWN_COLUMN, null);
    }

    /** 0 for names ending in "a", 1 for "b", -1 otherwise. */
    private static int columnOf(String layer) {
        return layer.endsWith("a") ? 0 : layer.endsWith("b") ? 1 : -1;
    }

    private static IllegalArgumentException notCanonical(String why) {
        return new IllegalArgumentException("not the canonical two-column AlexNet graph: " + why);
    }
}
