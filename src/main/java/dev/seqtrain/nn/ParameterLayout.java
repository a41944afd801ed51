package dev.seqtrain.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor lives inside the network's single flat {@code float[]}.
 * Names and shapes are PyTorch's {@code state_dict} ones ({@code rnn.weight_ih_l0} is {@code [gates·H, I]},
 * row-major), so the flat array can be written as safetensors and loaded by {@code nn.LSTM} unchanged.
 */
public final class ParameterLayout {

    /** A named, shaped, row-major window into the flat parameter array. */
    public record View(String name, int offset, int[] shape) {
        public int size() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        public int rows() {
            return shape[0];
        }

        public int cols() {
            return shape.length > 1 ? shape[1] : 1;
        }
    }

    private final Map<String, View> views = new LinkedHashMap<>();
    private final int size;

    public ParameterLayout(NetworkSpec spec) {
        int g = spec.cell().gates * spec.hidden();
        int h = spec.hidden();
        int offset = 0;
        for (int l = 0; l < spec.layers(); l++) {
            offset = add("rnn.weight_ih_l" + l, offset, g, spec.layerInputSize(l));
            offset = add("rnn.weight_hh_l" + l, offset, g, h);
            offset = add("rnn.bias_ih_l" + l, offset, g);
            offset = add("rnn.bias_hh_l" + l, offset, g);
        }
        offset = add("fc.weight", offset, spec.outputSize(), h);
        offset = add("fc.bias", offset, spec.outputSize());
        this.size = offset;
    }

    static long countParameters(CellType cell, int input, int hidden, int layers, int output) {
        long g = (long) cell.gates * hidden;
        long n = 0;
        for (int l = 0; l < layers; l++) {
            long in = l == 0 ? input : hidden;
            n += g * in + g * hidden + 2 * g;
        }
        return n + (long) output * hidden + output;
    }

    private int add(String name, int offset, int... shape) {
        View v = new View(name, offset, shape);
        views.put(name, v);
        return offset + v.size();
    }

    /** Total number of floats. */
    public int size() {
        return size;
    }

    public View view(String name) {
        View v = views.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return v;
    }

    public boolean has(String name) {
        return views.containsKey(name);
    }

    /** Views in {@code state_dict} order. */
    public List<View> views() {
        return Collections.unmodifiableList(new ArrayList<>(views.values()));
    }
}
