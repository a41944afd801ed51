package dev.seqtrain.cli;

import dev.seqtrain.data.TextCorpus;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.RecurrentState;

import java.util.List;
import java.util.SplittableRandom;

/** Generates text from a character language model, one character at a time, carrying the state. */
final class Sampler {
    private Sampler() {
    }

    static String sample(Model model, String prime, int length, double temperature, long seed) {
        NetworkSpec spec = model.spec();
        List<String> vocab = model.info().vocabulary();
        if (vocab == null || !spec.categoricalInput()) {
            throw new BadInputException("sample needs a character language model (this model has no vocabulary)");
        }
        if (!(temperature > 0)) {
            throw new BadInputException("--temperature must be > 0, got " + temperature);
        }
        String start = prime.isEmpty() ? vocab.get(0) : prime;
        int[] ids = TextCorpus.encode(start, vocab, model.info().unknownToken(), "--prime");
        Network net = new Network(spec);
        RecurrentState state = new RecurrentState(spec.layers(), 1, spec.hidden());
        float[] probs = null;
        for (int id : ids) {
            probs = step(net, model.params(), spec, state, id);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(prime);
        for (int i = 0; i < length; i++) {
            int next = draw(probs, temperature, rng);
            out.append(vocab.get(next));
            probs = step(net, model.params(), spec, state, next);
        }
        return out.toString();
    }

    private static float[] step(Network net, float[] params, NetworkSpec spec, RecurrentState state, int token) {
        MiniBatch mb = new MiniBatch(1, 1, spec.inputSize(), new int[] {1}, null, new int[] {token}, null, null);
        return net.predict(params, mb, 0, 1, state);
    }

    private static int draw(float[] p, double temperature, SplittableRandom rng) {
        double[] w = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            w[i] = Math.pow(Math.max(p[i], 1e-30), 1.0 / temperature);
            sum += w[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u <= 0) {
                return i;
            }
        }
        return w.length - 1;
    }
}
