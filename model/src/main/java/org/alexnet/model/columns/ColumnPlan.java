package org.alexnet.model.columns;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Which layer runs in which column, in what order, and where the columns exchange activations,
 * read off the wiring of the canonical graph's configuration (so the executor follows the model
 * as built, ablations included). Every merge vertex joins the two columns, column A's part first
 * (as it concatenates them), so a layer belongs to the column whose part of the next merge its
 * chain of layers computes; the one layer in neither column (fc8) is the output and runs in
 * column A. A layer reading a merge is where the columns exchange; the exchange point is named
 * after its readers (conv3, fc6, fc7, fc8).
 *
 * @param columns the steps of column A and of column B, in forward order, pairwise alike
 * @param output  the output layer's step (column A), reading an exchange point
 */
record ColumnPlan(List<List<Step>> columns, Step output) {

    /** Where a layer's input comes from. */
    enum Source { IMAGE, OWN_COLUMN, EXCHANGE }

    /**
     * One layer of a column.
     *
     * @param layer  the layer (vertex) name in the canonical graph ("conv1a")
     * @param name   the name of both columns' layers at this place ("conv1"): what their names
     *               share; the output layer's own name ("fc8")
     * @param source where its input comes from
     * @param point  the exchange point's name when source is EXCHANGE ("conv3", "fc6", ...)
     */
    record Step(String layer, String name, Source source, String point) {
    }

    /** The plan of a two-column graph; a clear error for anything else. */
    static ColumnPlan of(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, Integer> columnOf = columnsOfLayers(vertices, inputs);
        List<List<String>> layers = List.of(new ArrayList<>(), new ArrayList<>());
        String output = null;
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            GraphVertex v = vertices.get(name);
            if (v == null || v instanceof MergeVertex) {
                continue; // the network input, or a merge (handled by its reader)
            }
            if (!(v instanceof LayerVertex)) {
                throw notCanonical("vertex '" + name + "' is a " + v.getClass().getSimpleName());
            }
            if (inputs.get(name).size() != 1) {
                throw notCanonical("layer '" + name + "' has " + inputs.get(name).size() + " inputs");
            }
            Integer column = columnOf.get(name);
            if (column != null) {
                layers.get(column).add(name);
            } else if (output == null && conf.getNetworkOutputs().equals(List.of(name))) {
                output = name;
            } else {
                throw notCanonical("layer '" + name + "' belongs to neither column and is not the only output");
            }
        }
        if (output == null) {
            throw notCanonical("no output layer outside the columns");
        }
        if (layers.get(0).size() != layers.get(1).size()) {
            throw notCanonical("the columns differ: " + layers);
        }
        List<List<Step>> columns = List.of(new ArrayList<>(), new ArrayList<>());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < layers.get(0).size(); i++) {
            String name = shared(layers.get(0).get(i), layers.get(1).get(i));
            if (name.isEmpty() || !names.add(name) || name.equals(output)) {
                throw notCanonical("layers " + layers.get(0).get(i) + " and " + layers.get(1).get(i)
                        + " do not share a name of their own");
            }
            for (int c = 0; c < 2; c++) {
                columns.get(c).add(step(layers.get(c).get(i), name, c, vertices, inputs, columns.get(c)));
            }
        }
        Step out = step(output, output, 0, vertices, inputs, columns.get(0));
        if (out.source() != Source.EXCHANGE) {
            throw notCanonical("the output layer must read both columns");
        }
        return new ColumnPlan(List.of(List.copyOf(columns.get(0)), List.copyOf(columns.get(1))), out);
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

    /** The steps column c computes: its own layers, then, in column A, the output layer. */
    List<Step> stepsOf(int column) {
        List<Step> all = new ArrayList<>(columns.get(column));
        if (column == 0) {
            all.add(output);
        }
        return all;
    }

    /**
     * The column of every column layer: walking back from each merge's input k through the
     * layers that read their predecessor alone, up to one that reads the image or another
     * merge, every layer met is column k's.
     */
    private static Map<String, Integer> columnsOfLayers(Map<String, GraphVertex> vertices,
                                                        Map<String, List<String>> inputs) {
        Map<String, Integer> columnOf = new HashMap<>();
        for (Map.Entry<String, GraphVertex> merge : vertices.entrySet()) {
            if (!(merge.getValue() instanceof MergeVertex)) {
                continue;
            }
            List<String> parts = inputs.get(merge.getKey());
            if (parts.size() != 2) {
                throw notCanonical("merge '" + merge.getKey() + "' joins " + parts.size() + " inputs, not two columns");
            }
            for (int column = 0; column < 2; column++) {
                String layer = parts.get(column);
                while (vertices.get(layer) instanceof LayerVertex) {
                    Integer before = columnOf.put(layer, column);
                    if (before != null && before != column) {
                        throw notCanonical("layer '" + layer + "' feeds both columns");
                    }
                    List<String> in = inputs.get(layer);
                    if (before != null || in.size() != 1) {
                        break; // walked already, or an error the plan reports with the layer
                    }
                    layer = in.get(0);
                }
            }
        }
        return columnOf;
    }

    private static Step step(String layer, String name, int column, Map<String, GraphVertex> vertices,
                             Map<String, List<String>> inputs, List<Step> own) {
        String input = inputs.get(layer).get(0);
        String previous = own.isEmpty() ? null : own.get(own.size() - 1).layer();
        if (!vertices.containsKey(input)) { // the network's input: the image
            if (previous != null) {
                throw notCanonical("layer '" + layer + "' reads the image, not its column's previous layer");
            }
            return new Step(layer, name, Source.IMAGE, null);
        }
        if (vertices.get(input) instanceof MergeVertex) {
            // this column's part of the merge is its own previous layer
            if (!inputs.get(input).get(column).equals(previous)) {
                throw notCanonical("merge '" + input + "' does not join the two columns' latest layers: "
                        + inputs.get(input));
            }
            return new Step(layer, name, Source.EXCHANGE, name);
        }
        if (!input.equals(previous)) {
            throw notCanonical("layer '" + layer + "' reads '" + input + "', not its column's previous layer");
        }
        return new Step(layer, name, Source.OWN_COLUMN, null);
    }

    /** What the names of the two columns' layers at one place share: "conv1" of conv1a and conv1b. */
    private static String shared(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return a.substring(0, n);
    }

    private static IllegalArgumentException notCanonical(String why) {
        return new IllegalArgumentException("not the canonical two-column AlexNet graph: " + why);
    }
}
