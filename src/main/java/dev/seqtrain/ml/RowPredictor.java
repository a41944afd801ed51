package dev.seqtrain.ml;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.data.FeatureScaling;
import dev.seqtrain.data.SqlSequences;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.nn.Loss;
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
    private final Loss loss;
    private final int featuresIndex;
    private final int featuresDepth;
    private final String featuresCol;

    RowPredictor(Model model, int featuresIndex, int featuresDepth, String featuresCol) {
        this.model = model;
        this.net = new Network(model.spec());
        this.loss = Loss.of(model.spec().loss());
        this.featuresIndex = featuresIndex;
        this.featuresDepth = featuresDepth;
        this.featuresCol = featuresCol;
    }

    /** Per row, {@code [step][output]}: one step for many-to-one models, every step for per-step ones. */
    record Outputs(float[][][] raw, float[][][] predicted) {
    }

    /**
     * Raw head outputs and the predictions made of them (the loss's own transform, as {@code predict}
     * does: softmax, sigmoid or the values). {@code where} names the chunk's first row for error messages.
     */
    Outputs outputs(List<Row> rows, String where) {
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
            SequenceExample e = SequenceExample.dense(m.length, SqlSequences.flatten(m));
            if (model.info().featureMean() != null) {
                e = FeatureScaling.normalize(e, model.info().featureMean(), model.info().featureStd());
            }
            examples.add(e);
        }
        MiniBatch mb = Batcher.pack(examples, spec, false);
        float[] head = net.predictRaw(model.params(), mb, 0, mb.steps(), new RecurrentState(spec.layers(), mb.size(), spec.hidden()));
        float[][][] raw = net.bySequence(head);
        float[][][] predicted = new float[raw.length][][];
        for (int r = 0; r < raw.length; r++) {
            predicted[r] = new float[raw[r].length][];
            for (int k = 0; k < raw[r].length; k++) {
                predicted[r][k] = raw[r][k].clone();
                loss.toPrediction(predicted[r][k], 0, predicted[r][k].length);
            }
        }
        return new Outputs(raw, predicted);
    }
}
