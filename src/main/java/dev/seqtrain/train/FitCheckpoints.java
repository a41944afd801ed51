package dev.seqtrain.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seqtrain.io.CheckpointStore;
import dev.seqtrain.io.OutputLock;
import dev.seqtrain.nn.OptimizerState;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An estimator's checkpoints ({@code checkpointDir}, every {@code checkpointInterval} epochs and at the
 * end): the training state, the best epoch's weights and the loss history, so that the same fit run
 * again continues where the last one stopped (a retried Spark job, a killed driver) and ends with the
 * bytes an uninterrupted fit would have. A checkpoint from another fit (other Params, architecture or
 * data statistics: the caller's fingerprint) is refused rather than continued. One fit writes a directory at a time ({@link OutputLock}).
 */
public final class FitCheckpoints implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final CheckpointStore store;
    private final int interval;
    private final ObjectNode fingerprint;
    private final OutputLock lock;

    /** A fit after {@code epochsDone} epochs: its state and what it had kept by then (what a checkpoint holds). */
    record Progress(int epochsDone, ModelState state, float[] best, List<Double> train, List<Double> valid, double bestLoss,
                    int bestEpoch, int withoutImprovement, boolean stoppedEarly) {
    }

    /**
     * @param fingerprint what makes two fits the same (Params, architecture, data statistics); a
     *                    checkpoint is continued only when its fingerprint is equal
     */
    public FitCheckpoints(Path dir, Configuration conf, int interval, ObjectNode fingerprint) throws IOException {
        if (interval < 1) {
            throw new IllegalArgumentException("checkpointInterval must be >= 1, got " + interval);
        }
        FileSystem fs = dir.getFileSystem(conf);
        this.dir = dir;
        this.lock = OutputLock.acquire(fs, dir);
        this.store = new CheckpointStore(dir, conf);
        this.interval = interval;
        // As the checkpoint will hold it (numbers as JSON text gives them back), so that equal means equal.
        this.fingerprint = (ObjectNode) JSON.readTree(JSON.writeValueAsString(fingerprint));
    }

    boolean due(int epochsDone, boolean last) {
        return last || epochsDone % interval == 0;
    }

    /** The newest valid checkpoint of this fit, or null to start from the beginning. */
    Progress resume() throws IOException {
        CheckpointStore.Checkpoint c = store.latestValid();
        if (c == null) {
            return null;
        }
        JsonNode theirs = c.info().path("fit");
        if (!fingerprint.equals(theirs)) {
            throw new IllegalArgumentException(dir + ": holds checkpoints of another fit (" + difference(theirs)
                    + "); give this fit its own checkpointDir, or delete the old checkpoints");
        }
        ObjectNode info = c.info();
        return new Progress(c.epoch(), new ModelState(c.params(), new OptimizerState(c.optimizerSlots(), c.optimizerStep()),
                c.blockDelta()), c.bestParams(), doubles(info.path("trainLoss")), doubles(info.path("validLoss")),
                info.path("bestValidLoss").asDouble(Double.POSITIVE_INFINITY), info.path("bestEpoch").asInt(0),
                info.path("epochsWithoutImprovement").asInt(0), info.path("stoppedEarly").asBoolean(false));
    }

    void write(Progress p) throws IOException {
        ObjectNode info = JSON.createObjectNode();
        info.set("fit", fingerprint);
        ArrayNode t = info.putArray("trainLoss");
        p.train().forEach(t::add);
        ArrayNode v = info.putArray("validLoss");
        p.valid().forEach(v::add);
        info.put("bestValidLoss", p.bestLoss());
        info.put("bestEpoch", p.bestEpoch());
        info.put("epochsWithoutImprovement", p.withoutImprovement());
        info.put("stoppedEarly", p.stoppedEarly());
        ModelState state = p.state();
        store.write(new CheckpointStore.Checkpoint(p.epochsDone(), state.params(), state.optimizer().slots, state.optimizer().step,
                state.blockDelta(), p.best(), info), 2);
    }

    /** The first field that differs, for the message. */
    private String difference(JsonNode theirs) {
        if (!theirs.isObject()) {
            return "a checkpoint without a fit description";
        }
        String d = firstDifference("", fingerprint, theirs);
        return d != null ? d : "it has settings this fit does not";
    }

    /** {@code path was X, now Y} for the first field (depth first) where {@code ours} and {@code theirs} differ. */
    private static String firstDifference(String path, JsonNode ours, JsonNode theirs) {
        if (ours.isObject() && theirs != null && theirs.isObject()) {
            for (var it = ours.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                String d = firstDifference(path.isEmpty() ? k : path + "." + k, ours.get(k), theirs.get(k));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (ours.equals(theirs)) {
            return null;
        }
        return path + " was " + (theirs == null ? "unset" : abbreviate(theirs.toString())) + ", now " + abbreviate(ours.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asDouble()));
        return out;
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}
