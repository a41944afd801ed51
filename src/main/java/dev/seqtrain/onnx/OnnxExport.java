package dev.seqtrain.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqtrain.io.AtomicFiles;
import dev.seqtrain.io.Model;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.ParameterLayout;
import dev.seqtrain.nn.Task;
import dev.seqtrain.onnx.proto.OnnxModel.ModelProto;
import dev.seqtrain.onnx.proto.OnnxModel.OperatorSetIdProto;
import dev.seqtrain.onnx.proto.OnnxModel.StringStringEntryProto;
import dev.seqtrain.onnx.proto.OnnxModel.TensorProto.DataType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

import static dev.seqtrain.onnx.OnnxGraph.intAttr;
import static dev.seqtrain.onnx.OnnxGraph.intsAttr;
import static dev.seqtrain.onnx.OnnxGraph.tensorAttr;

/**
 * A trained model as an ONNX file that ONNX Runtime (or any ONNX tool) runs with the same outputs as
 * {@code predict}: the recurrent layers as ONNX's own LSTM / GRU / RNN operators, then the dense head
 * and the loss's output transform (softmax, sigmoid or none).
 *
 * <p>The graph's interface, batch-major like the training data:
 * <ul>
 *   <li>{@code input}: {@code float [batch, steps, features]} (the raw features: the training
 *       statistics' standardisation is in the graph), or {@code int64 [batch, steps]} token ids;</li>
 *   <li>{@code sequence_lens}: {@code int32 [batch]}, the real steps of each (padded) sequence, 1..steps;</li>
 *   <li>{@code output}: predictions, {@code [batch, steps, outputs]} per step (positions past a
 *       sequence's length hold the head applied to a zero state: ignore them) or {@code [batch, outputs]}
 *       per sequence (at its last real step); {@code logits}: the same before softmax / sigmoid.</li>
 * </ul>
 *
 * <p>Gate orders differ between PyTorch (whose order our weights use) and ONNX, so the weight blocks
 * are reordered here: LSTM {@code i f g o → i o f c}, GRU {@code r z n → z r h} with
 * {@code linear_before_reset = 1} (PyTorch applies the reset gate after the hidden product).
 */
public final class OnnxExport {
    /** ONNX operator set 17 (IR version 8): read by ONNX Runtime 1.13 and later. */
    static final int OPSET = 17;
    static final int IR_VERSION = 8;
    private static final int[] LSTM_ORDER = {0, 3, 1, 2};
    private static final int[] GRU_ORDER = {1, 0, 2};
    private static final int[] RNN_ORDER = {0};

    private OnnxExport() {
    }

    /** Writes the model's ONNX file atomically (readers see the old file or the whole new one). */
    public static void write(Model model, Path target, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        Path parent = target.getParent();
        if (parent != null && !fs.exists(parent)) {
            fs.mkdirs(parent);
        }
        AtomicFiles.write(fs, target, toBytes(model));
    }

    public static byte[] toBytes(Model model) {
        return toProto(model).toByteArray();
    }

    static ModelProto toProto(Model model) {
        NetworkSpec spec = model.spec();
        ParameterLayout layout = new ParameterLayout(spec);
        float[] p = model.params();
        OnnxGraph g = new OnnxGraph("seqtrain_" + spec.cell().id());
        int gates = spec.cell().gates * spec.hidden();

        // Steps first, as ONNX's recurrent operators want them: [steps, batch, features].
        String x;
        String firstW = null;
        if (spec.categoricalInput()) {
            g.input("input", DataType.INT64, "batch", "steps");
            String tokens = g.node("Transpose", new String[]{"input"}, intsAttr("perm", 1, 0));
            if (spec.inputSize() <= gates) {
                // One-hot rows times W_ih: the product PyTorch's one-hot input makes, cheap for a small vocabulary.
                x = g.node("OneHot", new String[]{tokens, g.longs("vocabulary_size", spec.inputSize()),
                        g.floats("one_hot_values", new float[]{0f, 1f}, 2)});
            } else {
                // A large vocabulary: look up each token's column of W_ih (= its input projection) and
                // let the recurrent operator multiply by the identity, instead of a one-hot [.., vocabulary] tensor.
                x = g.node("Gather", new String[]{g.floats("input_projection", transposedGateBlocks(p,
                        layout.view("rnn.weight_ih_l0"), spec), spec.inputSize(), gates), tokens});
                String zeros = g.node("ConstantOfShape", new String[]{g.longs("identity_shape", gates, gates)},
                        tensorAttr("value", new float[]{0f}));
                firstW = g.node("Unsqueeze", new String[]{g.node("EyeLike", new String[]{zeros}), g.longs("axis_0", 0)});
            }
        } else {
            g.input("input", DataType.FLOAT, "batch", "steps", spec.inputSize());
            String raw = "input";
            float[] mean = model.info().featureMean();
            if (mean != null) {
                raw = g.node("Sub", new String[]{raw, g.floats("feature_mean", mean, mean.length)});
                float[] std = model.info().featureStd();
                raw = g.node("Div", new String[]{raw, g.floats("feature_std", std, std.length)});
            }
            x = g.node("Transpose", new String[]{raw}, intsAttr("perm", 1, 0, 2));
        }
        g.input("sequence_lens", DataType.INT32, "batch");

        String lastHidden = null;
        for (int l = 0; l < spec.layers(); l++) {
            int in = firstW != null && l == 0 ? gates : spec.layerInputSize(l);
            String w = l == 0 && firstW != null ? firstW
                    : g.floats("W_" + l, gateBlocks(p, layout.view("rnn.weight_ih_l" + l), spec), 1, gates, in);
            String r = g.floats("R_" + l, gateBlocks(p, layout.view("rnn.weight_hh_l" + l), spec), 1, gates, spec.hidden());
            float[] bias = new float[2 * gates];
            System.arraycopy(gateBlocks(p, layout.view("rnn.bias_ih_l" + l), spec), 0, bias, 0, gates);
            System.arraycopy(gateBlocks(p, layout.view("rnn.bias_hh_l" + l), spec), 0, bias, gates, gates);
            String b = g.floats("B_" + l, bias, 1, 2L * gates);
            String[] outs = recurrent(g, spec, new String[]{x, w, r, b, "sequence_lens"});
            x = g.node("Squeeze", new String[]{outs[0], g.longs("axis_1", 1)});   // [steps, batch, hidden]
            lastHidden = outs[1];                                                 // [1, batch, hidden]
        }

        String features;
        Object[] outDims;
        if (spec.task() == Task.MANY_TO_MANY) {
            features = g.node("Transpose", new String[]{x}, intsAttr("perm", 1, 0, 2));
            outDims = new Object[]{"batch", "steps", spec.outputSize()};
        } else {
            // The state after each sequence's last real step (ONNX's Y_h honours sequence_lens).
            features = g.node("Squeeze", new String[]{lastHidden, g.longs("axis_0", 0)});
            outDims = new Object[]{"batch", spec.outputSize()};
        }
        ParameterLayout.View fcWeight = layout.view("fc.weight");
        float[] fcT = transpose(p, fcWeight.offset(), fcWeight.rows(), fcWeight.cols());
        String logits = g.node("Add", new String[]{
                g.node("MatMul", new String[]{features, g.floats("fc_weight_t", fcT, spec.hidden(), spec.outputSize())}),
                g.floats("fc_bias", slice(p, layout.view("fc.bias")), spec.outputSize())});
        String predictions = switch (spec.loss()) {
            case SOFTMAX_CROSS_ENTROPY -> g.node("Softmax", new String[]{logits}, intAttr("axis", -1));
            case SIGMOID_BINARY_CROSS_ENTROPY -> g.node("Sigmoid", new String[]{logits});
            case MEAN_SQUARED_ERROR -> logits;
        };
        g.output(predictions, "output", DataType.FLOAT, outDims);
        g.output(logits, "logits", DataType.FLOAT, outDims);

        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("seqtrain")
                .setProducerVersion("0.1.0").setGraph(g.build())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setDocString("seqtrain " + spec.cell().id() + ", " + spec.layers() + " layer(s) of " + spec.hidden()
                        + ", " + spec.task().id + ", " + spec.loss().id);
        metadata(m, "seqtrain.cell", spec.cell().id());
        metadata(m, "seqtrain.task", spec.task().id);
        metadata(m, "seqtrain.loss", spec.loss().id);
        metadata(m, "seqtrain.source", model.info().source());
        if (model.info().classes() != null) {
            metadata(m, "seqtrain.classes", json(model.info().classes()));
        }
        if (model.info().vocabulary() != null) {
            metadata(m, "seqtrain.vocabulary", json(model.info().vocabulary()));
        }
        return m.build();
    }

    /** ONNX's operator for the cell; returns its outputs Y and Y_h. */
    private static String[] recurrent(OnnxGraph g, NetworkSpec spec, String[] inputs) {
        OnnxGraph.Attribute hidden = intAttr("hidden_size", spec.hidden());
        return switch (spec.cell()) {
            case LSTM -> g.nodeWithOutputs("LSTM", 3, inputs, hidden);
            case GRU -> g.nodeWithOutputs("GRU", 2, inputs, hidden, intAttr("linear_before_reset", 1));
            case RNN -> g.nodeWithOutputs("RNN", 2, inputs, hidden, OnnxGraph.stringsAttr("activations", "Tanh"));
        };
    }

    /** The tensor's rows, regrouped from PyTorch's gate order to ONNX's (every gate block is H rows). */
    static float[] gateBlocks(float[] params, ParameterLayout.View v, NetworkSpec spec) {
        int[] order = switch (spec.cell()) {
            case LSTM -> LSTM_ORDER;
            case GRU -> GRU_ORDER;
            case RNN -> RNN_ORDER;
        };
        int block = spec.hidden() * v.cols();
        float[] out = new float[v.size()];
        for (int k = 0; k < order.length; k++) {
            System.arraycopy(params, v.offset() + order[k] * block, out, k * block, block);
        }
        return out;
    }

    /** {@code [gates, vocabulary]} weight in ONNX gate order, transposed to {@code [vocabulary, gates]}. */
    private static float[] transposedGateBlocks(float[] params, ParameterLayout.View v, NetworkSpec spec) {
        return transpose(gateBlocks(params, v, spec), 0, v.rows(), v.cols());
    }

    private static float[] transpose(float[] a, int off, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[off + r * cols + c];
            }
        }
        return t;
    }

    private static float[] slice(float[] p, ParameterLayout.View v) {
        float[] out = new float[v.size()];
        System.arraycopy(p, v.offset(), out, 0, out.length);
        return out;
    }

    private static void metadata(ModelProto.Builder m, String key, String value) {
        if (value != null) {
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        }
    }

    private static String json(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
