package dev.seqtrain.ml;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.data.SparkDataset;
import dev.seqtrain.data.SqlSequences;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.RecurrentState;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

/**
 * The network's raw outputs for table rows, a chunk at a time on an executor: features read from the
 * row, normalised with the training statistics, packed into one minibatch per chunk, run forward.
 * One per task: a {@link Network} holds workspaces and is not shared between threads.
 */
final class RowPredictor {
    static final int CHUNK = 64;

    private final Model model;
    private final Network net;
    private final int featuresIndex;
    private final int featuresDepth;
    private final String featuresCol;

    RowPredictor(Model model, int featuresIndex, int featuresDepth, String featuresCol) {
        this.model = model;
        this.net = new Network(model.spec());
        this.featuresIndex = featuresIndex;
        this.featuresDepth = featuresDepth;
        this.featuresCol = featuresCol;
    }

    /**
     * Raw head outputs per row: {@code [row][step][output]}, one step (the last) for many-to-one models.
     * {@code where} names the chunk's first row for error messages.
     */
    float[][][] raw(List<Row> rows, String where) {
        NetworkSpec spec = model.spec();
        List<SequenceExample> examples = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String at = where + " + " + i;
            float[][] m = SqlSequences.matrix(rows.get(i), featuresIndex, featuresDepth, at, featuresCol);
            if (m.length == 0) {
                throw new BadInputException(at + ": zero-length sequence in column " + featuresCol);
            }
            if (m[0].length != spec.inputSize()) {
                throw new BadInputException(at + ": " + m[0].length + " features per step in column " + featuresCol
                        + ", the model was trained on " + spec.inputSize());
            }
            float[] flat = new float[m.length * m[0].length];
            for (int t = 0; t < m.length; t++) {
                System.arraycopy(m[t], 0, flat, t * m[t].length, m[t].length);
            }
            SequenceExample e = SequenceExample.dense(m.length, flat);
            if (model.info().featureMean() != null) {
                e = SparkDataset.normalize(e, model.info().featureMean(), model.info().featureStd());
            }
            examples.add(e);
        }
        MiniBatch mb = Batcher.pack(examples, spec, false);
        int o = spec.outputSize();
        float[] head = net.predictRaw(model.params(), mb, 0, mb.steps(), new RecurrentState(spec.layers(), mb.size(), spec.hidden()));
        float[][][] out = new float[rows.size()][][];
        boolean perStep = spec.task() == dev.seqtrain.nn.Task.MANY_TO_MANY;
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[perStep ? examples.get(i).length() : 1][];
        }
        for (int p = 0; p < net.positions(); p++) {
            int s = net.positionSequence(p);
            int step = perStep ? net.positionStep(0, p) : 0;
            float[] v = new float[o];
            System.arraycopy(head, p * o, v, 0, o);
            out[s][step] = v;
        }
        return out;
    }
}
