package dev.seqtrain.data;

import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;

import java.util.List;

/** Packs examples into one time-major {@link MiniBatch}, padded to the longest sequence. */
public final class Batcher {
    private Batcher() {
    }

    /** @param withTargets include targets (training, evaluation) or not (prediction) */
    public static MiniBatch pack(List<SequenceExample> examples, NetworkSpec spec, boolean withTargets) {
        int b = examples.size();
        int steps = 0;
        for (SequenceExample e : examples) {
            steps = Math.max(steps, e.length());
        }
        int in = spec.inputSize();
        int out = spec.outputSize();
        int[] lengths = new int[b];
        float[] features = spec.categoricalInput() ? null : new float[steps * b * in];
        int[] tokens = spec.categoricalInput() ? new int[steps * b] : null;
        boolean perStep = spec.task() == Task.MANY_TO_MANY;
        boolean classes = spec.loss() == LossKind.SOFTMAX_CROSS_ENTROPY;
        int[] classTargets = withTargets && classes ? new int[perStep ? steps * b : b] : null;
        float[] valueTargets = withTargets && !classes ? new float[(perStep ? steps * b : b) * out] : null;
        for (int s = 0; s < b; s++) {
            SequenceExample e = examples.get(s);
            lengths[s] = e.length();
            for (int t = 0; t < e.length(); t++) {
                if (tokens != null) {
                    tokens[t * b + s] = e.tokens()[t];
                } else {
                    System.arraycopy(e.features(), t * in, features, (t * b + s) * in, in);
                }
            }
            if (classTargets != null) {
                if (perStep) {
                    for (int t = 0; t < e.length(); t++) {
                        classTargets[t * b + s] = e.stepLabels()[t];
                    }
                } else {
                    classTargets[s] = e.label();
                }
            }
            if (valueTargets != null) {
                if (perStep) {
                    for (int t = 0; t < e.length(); t++) {
                        System.arraycopy(e.targets(), t * out, valueTargets, (t * b + s) * out, out);
                    }
                } else {
                    System.arraycopy(e.targets(), 0, valueTargets, s * out, out);
                }
            }
        }
        return new MiniBatch(steps, b, in, lengths, features, tokens, classTargets, valueTargets);
    }
}
