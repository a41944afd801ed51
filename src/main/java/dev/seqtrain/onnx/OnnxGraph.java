package dev.seqtrain.onnx;

import com.google.protobuf.ByteString;
import dev.seqtrain.onnx.proto.OnnxModel.AttributeProto;
import dev.seqtrain.onnx.proto.OnnxModel.GraphProto;
import dev.seqtrain.onnx.proto.OnnxModel.NodeProto;
import dev.seqtrain.onnx.proto.OnnxModel.TensorProto;
import dev.seqtrain.onnx.proto.OnnxModel.TensorShapeProto;
import dev.seqtrain.onnx.proto.OnnxModel.TypeProto;
import dev.seqtrain.onnx.proto.OnnxModel.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds one ONNX graph: weights as initializers, nodes in the order they run, and the graph's typed
 * inputs and outputs. Names a node's outputs itself ({@code prefix_N}), so the caller never invents
 * a name twice.
 */
final class OnnxGraph {
    /** An attribute of a node, built by {@link #attr}. */
    record Attribute(AttributeProto proto) {
    }

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, long[]> constants = new HashMap<>();
    private int nextName;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A float weight, row-major with {@code dims}; returns its name. */
    String floats(String name, float[] values, long... dims) {
        return initializer(name, TensorProto.DataType.FLOAT, littleEndian(values), dims);
    }

    /** An int64 constant (shapes, axes); returns its name. Asking again for the same constant reuses it. */
    String longs(String name, long... values) {
        long[] known = constants.get(name);
        if (known != null) {
            if (!Arrays.equals(known, values)) {
                throw new IllegalStateException("constant " + name + " defined twice with different values");
            }
            return name;
        }
        constants.put(name, values.clone());
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return initializer(name, TensorProto.DataType.INT64, ByteString.copyFrom(bytes.array()), values.length);
    }

    /** ONNX's raw_data for floats: little-endian IEEE 754, row-major. */
    private static ByteString littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return ByteString.copyFrom(bytes.array());
    }

    private String initializer(String name, TensorProto.DataType type, ByteString raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Adds a node with one output; returns the output's name. */
    String node(String opType, String[] inputs, Attribute... attributes) {
        return nodeWithOutputs(opType, 1, inputs, attributes)[0];
    }

    /** Adds a node with {@code outputs} outputs (an empty input name is an omitted optional input). */
    String[] nodeWithOutputs(String opType, int outputs, String[] inputs, Attribute... attributes) {
        String base = opType.toLowerCase() + "_" + nextName++;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(base);
        for (String in : inputs) {
            n.addInput(in);
        }
        String[] names = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            names[i] = outputs == 1 ? base : base + "_" + i;
            n.addOutput(names[i]);
        }
        for (Attribute a : attributes) {
            n.addAttribute(a.proto());
        }
        graph.addNode(n);
        return names;
    }

    /** Makes {@code value} available under {@code name} (a graph output), through an Identity node. */
    void output(String value, String name, TensorProto.DataType type, Object... dims) {
        graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(name + "_identity").addInput(value).addOutput(name));
        graph.addOutput(valueInfo(name, type, dims));
    }

    void input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    /** A tensor's type and shape: each dim a fixed {@code Integer}/{@code Long} or a named symbolic {@code String}. */
    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        TypeProto t = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(t).build();
    }

    static Attribute intAttr(String name, long value) {
        return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build());
    }

    static Attribute intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return new Attribute(a.build());
    }

    static Attribute stringAttr(String name, String value) {
        return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build());
    }

    static Attribute stringsAttr(String name, String... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) {
            a.addStrings(ByteString.copyFromUtf8(v));
        }
        return new Attribute(a.build());
    }

    /** A tensor-valued attribute (ConstantOfShape's fill value). */
    static Attribute tensorAttr(String name, float[] values) {
        TensorProto t = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(values.length)
                .setRawData(littleEndian(values)).build();
        return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build());
    }

    GraphProto build() {
        return graph.build();
    }
}
