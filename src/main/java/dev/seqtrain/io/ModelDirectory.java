package dev.seqtrain.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.ParameterLayout;
import dev.seqtrain.nn.Task;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model on disk (any Hadoop file system): {@code model.json} describes the architecture, the task
 * and the data schema; {@code weights.safetensors} holds the parameters as float32 tensors named and
 * shaped like PyTorch's {@code state_dict}. {@code model.json} records the SHA-256 of the weights file,
 * checked on load, so a model whose weights were swapped or damaged is refused.
 *
 * <p>Each file is written under a temporary name and renamed into place.
 */
public final class ModelDirectory {
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final int FORMAT_VERSION = 1;
    private static final long MAX_MODEL_JSON_BYTES = 64L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelDirectory() {
    }

    /**
     * Writes the model as a whole: both files into {@code DIR.next/}, then {@code DIR} is moved to
     * {@code DIR.prev/} and {@code DIR.next/} to {@code DIR}, then the previous model deleted. A kill or
     * a full disk at any moment leaves a complete model: {@code DIR} itself, or, for the instant between
     * the two renames, {@code DIR.prev/}, which {@link #read} falls back to and the next write moves
     * back. A failed write removes its partial files and leaves the previous model as it was.
     */
    public static void write(Path dir, Configuration conf, Model model) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        fs.setWriteChecksum(false);
        Path next = sibling(dir, ".next");
        Path prev = sibling(dir, ".prev");
        recoverInterruptedSwitch(fs, dir, prev);
        fs.delete(next, true);
        byte[] weights = weightsBytes(model.spec(), model.params());
        ObjectNode json = toJson(model.spec(), model.info());
        json.put("weightsSha256", sha256(weights));
        try {
            fs.mkdirs(next);
            writeFile(fs, new Path(next, WEIGHTS), weights);
            writeFile(fs, new Path(next, MODEL_JSON), JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            fs.delete(next, true);
            throw new IOException("cannot write the model to " + dir + " (the previous one is kept): " + e.getMessage(), e);
        }
        if (fs.exists(dir) && !fs.rename(dir, prev)) {
            throw new IOException("cannot move " + dir + " aside to " + prev);
        }
        if (!fs.rename(next, dir)) {
            throw new IOException("cannot move " + next + " to " + dir + " (the previous model is in " + prev + ")");
        }
        fs.delete(prev, true);
    }

    /** A write killed between its two renames left no {@code dir} but a complete {@code prev}: put it back. */
    private static void recoverInterruptedSwitch(FileSystem fs, Path dir, Path prev) throws IOException {
        if (!fs.exists(dir) && fs.exists(new Path(prev, MODEL_JSON))) {
            fs.rename(prev, dir);
        } else if (fs.exists(new Path(dir, MODEL_JSON))) {
            fs.delete(prev, true);
        }
    }

    private static Path sibling(Path dir, String suffix) {
        return new Path(dir.getParent(), dir.getName() + suffix);
    }

    private static void writeFile(FileSystem fs, Path path, byte[] bytes) throws IOException {
        try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(path, true)) {
            out.write(bytes);
            out.hsync();
        } catch (org.apache.hadoop.fs.FSError e) {
            throw AtomicFiles.asIOException(e);   // a full local disk: the caller removes the partial model
        }
    }

    /** The parameters as a safetensors file image, tensors in {@code state_dict} order. */
    public static byte[] weightsBytes(NetworkSpec spec, float[] params) throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (ParameterLayout.View v : new ParameterLayout(spec).views()) {
            float[] data = new float[v.size()];
            System.arraycopy(params, v.offset(), data, 0, data.length);
            tensors.put(v.name(), new Safetensors.Tensor(v.shape(), data));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of("format", "pt", "producer", "seqtrain"));
        return out.toByteArray();
    }

    public static Model read(Path dir, Configuration conf) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        Path prev = sibling(dir, ".prev");
        if (!fs.exists(new Path(dir, MODEL_JSON)) && fs.exists(new Path(prev, MODEL_JSON))) {
            dir = prev;   // caught between the two renames of a write (see write)
        }
        Path jsonPath = new Path(dir, MODEL_JSON);
        Path weightsPath = new Path(dir, WEIGHTS);
        byte[] jsonBytes = readSmallFile(fs, jsonPath, MAX_MODEL_JSON_BYTES);
        JsonNode root;
        try {
            root = JSON.readTree(jsonBytes);
        } catch (IOException e) {
            throw new BadInputException(jsonPath + ": not valid JSON: " + e.getMessage().split("\n")[0]);
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(jsonPath + ": not a JSON object");
        }
        NetworkSpec spec = specFromJson(root, jsonPath.toString());
        ModelInfo info = new ModelInfo(strings(root, "vocabulary", jsonPath), strings(root, "classes", jsonPath),
                root.path("source").asText(null), floats(root, "featureMean", spec, jsonPath), floats(root, "featureStd", spec, jsonPath),
                root.path("unknownToken").asText(null));
        if (info.unknownToken() != null && (info.vocabulary() == null || !info.vocabulary().contains(info.unknownToken()))) {
            throw new BadInputException(jsonPath + ": unknownToken '" + info.unknownToken() + "' is not in the vocabulary");
        }
        if (spec.categoricalInput() && info.vocabulary() != null && info.vocabulary().size() != spec.inputSize()) {
            throw new BadInputException(jsonPath + ": vocabulary has " + info.vocabulary().size() + " entries but inputSize is "
                    + spec.inputSize());
        }
        float[] params = readWeights(fs, weightsPath, spec, root.path("weightsSha256").asText(null));
        return new Model(spec, params, info);
    }

    /** Reads a weights file, checking names and shapes against {@code spec} before allocating tensors. */
    public static float[] readWeights(FileSystem fs, Path path, NetworkSpec spec, String expectedSha256) throws IOException {
        long length;
        try {
            length = fs.getFileStatus(path).getLen();
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": file not found");
        }
        ParameterLayout layout = new ParameterLayout(spec);
        String source = path.toString();
        Map<String, Safetensors.Tensor> tensors;
        MessageDigest digest = newSha256();
        // Streamed: only the header is buffered before it has been checked against the architecture.
        try (InputStream in = new DigestInputStream(fs.open(path), digest)) {
            tensors = Safetensors.read(in, length, source, shapes -> checkShapes(layout, shapes, source));
            in.transferTo(OutputStream.nullOutputStream());
        }
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(HexFormat.of().formatHex(digest.digest()))) {
            throw new BadInputException(path + ": SHA-256 does not match the one recorded in " + MODEL_JSON
                    + " (file damaged or replaced)");
        }
        float[] params = new float[layout.size()];
        for (ParameterLayout.View v : layout.views()) {
            System.arraycopy(tensors.get(v.name()).data(), 0, params, v.offset(), v.size());
        }
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                throw new BadInputException(source + ": parameter " + nameAt(layout, i) + " is " + params[i]);
            }
        }
        return params;
    }

    private static String nameAt(ParameterLayout layout, int index) {
        for (ParameterLayout.View v : layout.views()) {
            if (index >= v.offset() && index < v.offset() + v.size()) {
                return v.name() + "[" + (index - v.offset()) + "]";
            }
        }
        return "#" + index;
    }

    static void checkShapes(ParameterLayout layout, Map<String, int[]> shapes, String source) {
        TreeSet<String> unexpected = new TreeSet<>(shapes.keySet());
        for (ParameterLayout.View v : layout.views()) {
            int[] got = shapes.get(v.name());
            if (got == null) {
                throw new BadInputException(source + ": missing tensor " + v.name() + " " + shape(v.shape()));
            }
            if (!java.util.Arrays.equals(got, v.shape())) {
                throw new BadInputException(source + ": tensor " + v.name() + " has shape " + shape(got) + ", expected "
                        + shape(v.shape()) + " for this architecture");
            }
            unexpected.remove(v.name());
        }
        if (!unexpected.isEmpty()) {
            throw new BadInputException(source + ": unexpected tensors " + unexpected
                    + " (bidirectional, projected or differently named layers are not supported)");
        }
    }

    static String shape(int[] s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            b.append(i > 0 ? ", " : "").append(s[i]);
        }
        return b.append(']').toString();
    }

    public static ObjectNode toJson(NetworkSpec spec, ModelInfo info) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", "seqtrain-model");
        n.put("formatVersion", FORMAT_VERSION);
        n.put("cell", spec.cell().id());
        n.put("input", spec.categoricalInput() ? "tokens" : "dense");
        n.put("inputSize", spec.inputSize());
        n.put("hidden", spec.hidden());
        n.put("layers", spec.layers());
        n.put("outputSize", spec.outputSize());
        n.put("task", spec.task().id);
        n.put("loss", spec.loss().id);
        n.put("dropout", spec.dropout());
        if (info.source() != null) {
            n.put("source", info.source());
        }
        if (info.vocabulary() != null) {
            ArrayNode a = n.putArray("vocabulary");
            info.vocabulary().forEach(a::add);
        }
        if (info.unknownToken() != null) {
            n.put("unknownToken", info.unknownToken());
        }
        if (info.classes() != null) {
            ArrayNode a = n.putArray("classes");
            info.classes().forEach(a::add);
        }
        if (info.featureMean() != null) {
            ArrayNode m = n.putArray("featureMean");
            ArrayNode d = n.putArray("featureStd");
            for (int i = 0; i < info.featureMean().length; i++) {
                m.add(info.featureMean()[i]);
                d.add(info.featureStd()[i]);
            }
        }
        return n;
    }

    public static NetworkSpec specFromJson(JsonNode root, String source) {
        int version = intField(root, "formatVersion", source);
        if (version != FORMAT_VERSION) {
            throw new BadInputException(source + ": formatVersion " + version + " is not supported (this seqtrain reads "
                    + FORMAT_VERSION + ")");
        }
        try {
            String input = textField(root, "input", source);
            if (!input.equals("tokens") && !input.equals("dense")) {
                throw new IllegalArgumentException("field 'input' must be 'tokens' or 'dense', got '" + input + "'");
            }
            return new NetworkSpec(CellType.parse(textField(root, "cell", source)), intField(root, "inputSize", source),
                    input.equals("tokens"), intField(root, "hidden", source), intField(root, "layers", source),
                    intField(root, "outputSize", source), Task.parse(textField(root, "task", source)),
                    LossKind.parse(textField(root, "loss", source)), (float) root.path("dropout").asDouble(0));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        }
    }

    private static String textField(JsonNode root, String name, String source) {
        JsonNode n = root.get(name);
        if (n == null || !n.isTextual()) {
            throw new BadInputException(source + ": field '" + name + "' is missing or not a string");
        }
        return n.asText();
    }

    private static int intField(JsonNode root, String name, String source) {
        JsonNode n = root.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new BadInputException(source + ": field '" + name + "' is missing or not an integer");
        }
        return n.asInt();
    }

    private static List<String> strings(JsonNode root, String name, Path source) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new BadInputException(source + ": field '" + name + "' is not an array");
        }
        List<String> out = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new BadInputException(source + ": field '" + name + "' holds a non-string " + e);
            }
            out.add(e.asText());
        }
        return out;
    }

    private static float[] floats(JsonNode root, String name, NetworkSpec spec, Path source) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray() || n.size() != spec.inputSize() || spec.categoricalInput()) {
            throw new BadInputException(source + ": field '" + name + "' must be an array of " + spec.inputSize()
                    + " numbers (dense input only)");
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isNumber() || !Float.isFinite((float) n.get(i).asDouble())
                    || (name.equals("featureStd") && n.get(i).asDouble() <= 0)) {
                throw new BadInputException(source + ": field '" + name + "' entry " + i + " is not a valid number");
            }
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }

    public static byte[] readSmallFile(FileSystem fs, Path path, long limit) throws IOException {
        long length;
        try {
            length = fs.getFileStatus(path).getLen();
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": file not found");
        }
        if (length > limit) {
            throw new BadInputException(path + ": " + length + " bytes, more than the " + limit + " allowed");
        }
        try (InputStream in = fs.open(path)) {
            byte[] b = in.readNBytes((int) length);
            if (b.length != length) {
                throw new BadInputException(path + ": file shorter than its listed size (changed while reading?)");
            }
            return b;
        }
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
