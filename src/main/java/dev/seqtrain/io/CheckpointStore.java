package dev.seqtrain.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Checkpoints of a run under {@code DIR/checkpoints/}: one directory per checkpoint,
 * {@code epoch-000003/} holding {@code state.safetensors} (parameters and optimizer state as float32
 * tensors) and {@code checkpoint.json} (where the run is, the SHA-256 of the state file, and the
 * run's bookkeeping). A checkpoint is assembled in a hidden temporary directory and renamed into
 * place, so a crash leaves either a whole checkpoint or none; on load the checksum and every shape
 * are verified, and a damaged checkpoint is reported and skipped for the previous one.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE = "state.safetensors";
    private static final String META = "checkpoint.json";
    private static final String PREFIX = "epoch-";
    private static final String BLOCK_DELTA = "blockMomentum";
    private static final String BEST = "bestParams";

    /**
     * A checkpoint's contents. {@code info} is free-form bookkeeping (epoch, best loss, config...);
     * {@code blockDelta} the driver's block momentum (null when the run uses none); {@code bestParams}
     * the weights of the best epoch so far when they are not kept elsewhere (an estimator's fit has no
     * model directory; null otherwise).
     */
    public record Checkpoint(int epoch, float[] params, float[][] optimizerSlots, long optimizerStep, float[] blockDelta,
                             float[] bestParams, ObjectNode info) {
        public Checkpoint(int epoch, float[] params, float[][] optimizerSlots, long optimizerStep, float[] blockDelta, ObjectNode info) {
            this(epoch, params, optimizerSlots, optimizerStep, blockDelta, null, info);
        }
    }

    private final FileSystem fs;
    private final Path dir;

    public CheckpointStore(Path dir, Configuration conf) throws IOException {
        this.dir = dir;
        this.fs = dir.getFileSystem(conf);
        fs.setWriteChecksum(false);
    }

    /** Writes the checkpoint of a completed epoch, then deletes all but the newest {@code keep}. */
    public void write(Checkpoint c, int keep) throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("params", new Safetensors.Tensor(new int[] {c.params().length}, c.params()));
        for (int i = 0; i < c.optimizerSlots().length; i++) {
            tensors.put("optimizer." + i, new Safetensors.Tensor(new int[] {c.optimizerSlots()[i].length}, c.optimizerSlots()[i]));
        }
        if (c.blockDelta() != null) {
            tensors.put(BLOCK_DELTA, new Safetensors.Tensor(new int[] {c.blockDelta().length}, c.blockDelta()));
        }
        if (c.bestParams() != null) {
            tensors.put(BEST, new Safetensors.Tensor(new int[] {c.bestParams().length}, c.bestParams()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of("producer", "seqtrain-checkpoint"));
        byte[] state = out.toByteArray();
        ObjectNode meta = c.info().deepCopy();
        meta.put("epoch", c.epoch());
        meta.put("optimizerStep", c.optimizerStep());
        meta.put("optimizerSlots", c.optimizerSlots().length);
        meta.put("blockMomentum", c.blockDelta() != null);
        meta.put("bestParams", c.bestParams() != null);
        meta.put("parameters", c.params().length);
        meta.put("stateSha256", ModelDirectory.sha256(state));
        fs.mkdirs(dir);
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.getPath().getName().startsWith(".tmp-")) {
                fs.delete(st.getPath(), true);   // left by a run killed while writing
            }
        }
        Path tmp = new Path(dir, ".tmp-" + name(c.epoch()) + "-" + UUID.randomUUID());
        try {
            fs.mkdirs(tmp);
            AtomicFiles.write(fs, new Path(tmp, STATE), state);
            AtomicFiles.write(fs, new Path(tmp, META), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        } catch (IOException e) {
            fs.delete(tmp, true);   // a full disk leaves no partial checkpoint behind; the previous ones stay
            throw new IOException("cannot write checkpoint " + name(c.epoch()) + " in " + dir + " (the previous ones are kept): "
                    + e.getMessage(), e);
        }
        Path target = new Path(dir, name(c.epoch()));
        if (fs.exists(target)) {
            fs.delete(target, true);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        List<Path> all = list();
        for (int i = 0; i + keep < all.size(); i++) {
            fs.delete(all.get(i), true);
        }
    }

    /** The newest checkpoint that passes verification, or null when there is none. */
    public Checkpoint latestValid() throws IOException {
        List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                return read(all.get(i));
            } catch (BadInputException e) {
                LOG.warn("checkpoint {} is damaged ({}); trying the previous one", all.get(i), e.getMessage());
                System.err.println("seqtrain: warning: checkpoint " + all.get(i) + " is damaged (" + e.getMessage()
                        + "); using the previous one");
            }
        }
        return null;
    }

    /** Checkpoint directories, oldest first (temporary ones excluded). */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isDirectory() && s.getPath().getName().startsWith(PREFIX)) {
                out.add(s.getPath());
            }
        }
        out.sort(null);
        return out;
    }

    public Checkpoint read(Path path) throws IOException {
        byte[] metaBytes = ModelDirectory.readSmallFile(fs, new Path(path, META), 16L * 1024 * 1024);
        JsonNode meta;
        try {
            meta = JSON.readTree(metaBytes);
        } catch (IOException e) {
            throw new BadInputException(path + "/" + META + ": not valid JSON");
        }
        if (meta == null || !meta.isObject() || !meta.has("stateSha256") || !meta.has("parameters") || !meta.has("epoch")) {
            throw new BadInputException(path + "/" + META + ": incomplete");
        }
        int n = meta.get("parameters").asInt();
        int slots = meta.path("optimizerSlots").asInt(0);
        boolean hasDelta = meta.path("blockMomentum").asBoolean(false);
        boolean hasBest = meta.path("bestParams").asBoolean(false);
        Path statePath = new Path(path, STATE);
        byte[] state = ModelDirectory.readSmallFile(fs, statePath, 8L + 16L * 1024 * 1024 + 4L * n * (slots + 3) + 4096);
        if (!ModelDirectory.sha256(state).equals(meta.get("stateSha256").asText())) {
            throw new BadInputException(statePath + ": SHA-256 does not match " + META + " (truncated or damaged)");
        }
        Map<String, Safetensors.Tensor> t = Safetensors.read(new ByteArrayInputStream(state), state.length, statePath.toString(), shapes -> {
            if (shapes.size() != slots + 1 + (hasDelta ? 1 : 0) + (hasBest ? 1 : 0) || shapes.get("params") == null
                    || shapes.get("params")[0] != n) {
                throw new BadInputException(statePath + ": tensors do not match " + META);
            }
        });
        float[][] opt = new float[slots][];
        for (int i = 0; i < slots; i++) {
            opt[i] = requiredTensor(t, "optimizer." + i, n, statePath, "optimizer state " + i);
        }
        float[] delta = hasDelta ? requiredTensor(t, BLOCK_DELTA, n, statePath, "block momentum") : null;
        float[] best = hasBest ? requiredTensor(t, BEST, n, statePath, "best parameters") : null;
        return new Checkpoint(meta.get("epoch").asInt(), t.get("params").data(), opt, meta.path("optimizerStep").asLong(),
                delta, best, (ObjectNode) meta);
    }

    /** The tensor {@code name} of {@code n} floats that checkpoint.json says is there. */
    private static float[] requiredTensor(Map<String, Safetensors.Tensor> t, String name, int n, Path statePath, String what) {
        Safetensors.Tensor x = t.get(name);
        if (x == null || x.data().length != n) {
            throw new BadInputException(statePath + ": " + what + " missing or mis-sized");
        }
        return x.data();
    }

    private static String name(int epoch) {
        return String.format("%s%06d", PREFIX, epoch);
    }
}
