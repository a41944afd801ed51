package dev.seqtrain.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length, a JSON header mapping tensor names to
 * {@code {dtype, shape, data_offsets}}, then the raw little-endian data. Only {@code F32} tensors are
 * used by seqtrain.
 *
 * <p>Nothing in the file is trusted: the header length is checked against the file size (and a cap)
 * before it is read, every tensor's shape, byte size and offsets are checked against each other and
 * against the data region before any tensor memory is allocated, and tensors may neither overlap nor
 * leave gaps.
 */
public final class Safetensors {
    /** The reference implementation's limit on the header size. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A float32 tensor: its shape and its row-major values. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape holds " + n + " values, data has " + data.length);
            }
        }
    }

    private Safetensors() {
    }

    /** Checks the tensor names and shapes a header declares, before any tensor memory is allocated. */
    public interface HeaderCheck {
        /** @throws BadInputException when the header does not describe what the caller expects */
        void check(Map<String, int[]> shapes);
    }

    /** Reads every tensor. */
    public static Map<String, Tensor> read(InputStream stream, long fileLength, String source) throws IOException {
        return read(stream, fileLength, source, shapes -> { });
    }

    /**
     * Reads every tensor, after {@code check} has accepted the header.
     *
     * @param fileLength the file's size in bytes, used to bound every size the header claims
     * @param source     file name for error messages
     */
    public static Map<String, Tensor> read(InputStream stream, long fileLength, String source, HeaderCheck check)
            throws IOException {
        DataInputStream in = new DataInputStream(stream);
        if (fileLength < 8) {
            throw new BadInputException(source + ": not a safetensors file (" + fileLength + " bytes, the header length alone takes 8)");
        }
        long headerLength = Long.reverseBytes(readLong(in, source));
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileLength - 8) {
            throw new BadInputException(source + ": safetensors header claims " + Long.toUnsignedString(headerLength)
                    + " bytes but the file has " + (fileLength - 8) + " after the length field"
                    + (headerLength > MAX_HEADER_BYTES ? " (limit " + MAX_HEADER_BYTES + ")" : ""));
        }
        byte[] headerBytes = new byte[(int) headerLength];
        readFully(in, headerBytes, source, "header");
        long dataLength = fileLength - 8 - headerLength;
        List<Entry> entries = parseHeader(headerBytes, dataLength, source);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Entry e : entries) {
            shapes.put(e.name, e.shape);
        }
        check.check(shapes);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long position = 0;
        for (Entry e : entries) {
            // Entries are sorted by offset and proven contiguous, so the stream is read in order.
            byte[] raw = new byte[(int) (e.end - e.begin)];
            readFully(in, raw, source, "tensor " + e.name);
            position = e.end;
            float[] values = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            tensors.put(e.name, new Tensor(e.shape, values));
        }
        if (position != dataLength) {
            throw new BadInputException(source + ": " + (dataLength - position) + " bytes after the last tensor");
        }
        return tensors;
    }

    private record Entry(String name, int[] shape, long begin, long end) {
    }

    private static List<Entry> parseHeader(byte[] headerBytes, long dataLength, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new BadInputException(source + ": safetensors header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(source + ": safetensors header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                continue;
            }
            entries.add(parseEntry(f.getKey(), f.getValue(), dataLength, source));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin != expected) {
                throw new BadInputException(source + ": tensor " + e.name + " starts at byte " + e.begin + " of the data, expected "
                        + expected + " (tensors overlap or leave a gap)");
            }
            expected = e.end;
        }
        return entries;
    }

    private static Entry parseEntry(String name, JsonNode node, long dataLength, String source) {
        String where = source + ": tensor " + name;
        if (!node.isObject()) {
            throw new BadInputException(where + ": header entry is not an object");
        }
        String dtype = node.path("dtype").asText("");
        if (!dtype.equals("F32")) {
            throw new BadInputException(where + ": dtype '" + dtype + "' is not supported (seqtrain reads F32)");
        }
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (shapeNode == null || !shapeNode.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new BadInputException(where + ": header entry needs 'shape' and two 'data_offsets'");
        }
        int[] shape = new int[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new BadInputException(where + ": invalid dimension " + d);
            }
            shape[i] = (int) d.asLong();
            count *= shape[i];
            if (count > dataLength / 4 + 1) {
                throw new BadInputException(where + ": shape " + shapeNode + " needs more bytes than the file has");
            }
        }
        JsonNode b = offsets.get(0);
        JsonNode e = offsets.get(1);
        if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
            throw new BadInputException(where + ": data_offsets are not integers");
        }
        long begin = b.asLong();
        long end = e.asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new BadInputException(where + ": data_offsets [" + begin + ", " + end + "] outside the " + dataLength
                    + " data bytes of the file");
        }
        if (end - begin != count * 4) {
            throw new BadInputException(where + ": shape " + shapeNode + " needs " + count * 4 + " bytes, data_offsets give "
                    + (end - begin));
        }
        return new Entry(name, shape, begin, end);
    }

    /** Writes tensors in the given order, with optional string metadata. */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new java.util.TreeMap<>(metadata).forEach(meta::put);   // sorted: the same bytes in every JVM
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] text = JSON.writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(length.array());
        out.write(text);
        for (int i = text.length; i < padded; i++) {
            out.write(' ');
        }
        for (Tensor t : tensors.values()) {
            ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(t.data());
            out.write(buf.array());
        }
    }

    private static long readLong(DataInputStream in, String source) throws IOException {
        try {
            return in.readLong();
        } catch (EOFException e) {
            throw new BadInputException(source + ": file ends inside the header length");
        }
    }

    private static void readFully(DataInputStream in, byte[] into, String source, String what) throws IOException {
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new BadInputException(source + ": file ends inside the " + what + " (truncated file)");
        }
    }
}
