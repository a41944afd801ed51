package dev.seqtrain.cli;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.FeatureScaling;
import dev.seqtrain.data.FileSequences;
import dev.seqtrain.data.RawSequence;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.io.AtomicFiles;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.RecurrentState;
import dev.seqtrain.nn.Task;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Runs a model over sequences in the long CSV format and writes per-step or per-sequence predictions. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict with a model directory. Input: sequence_id,step,x0..x{I-1} (token id in x0 for token models).")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory")
    String model;
    @Option(names = "--input", required = true, description = "long CSV: sequence_id,step,x0,...")
    String input;
    @Option(names = "--output", required = true, description = "CSV to write")
    String output;
    @Option(names = "--batch-size", defaultValue = "64")
    int batchSize;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @picocli.CommandLine.Mixin
    CsvInputOptions csv = new CsvInputOptions();

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) {
            throw new BadInputException("--batch-size " + batchSize + ": must be at least 1");
        }
        csv.check();
        Configuration conf = new Configuration();
        Model m = ModelDirectory.read(new Path(model), conf);
        NetworkSpec spec = m.spec();
        FileSequences sequences = FileSequences.open(input, "csv-long", "label", csv.maxLineBytes, conf, csv.consumer());
        Path outPath = new Path(output);
        FileSystem outFs = outPath.getFileSystem(conf);
        outFs.setWriteChecksum(false);
        long[] written = {0};
        // Streamed: one batch of sequences and its rows are held, never the input or the output.
        AtomicFiles.write(outFs, outPath, stream -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
            out.write(header(spec));
            Network net = new Network(spec);
            written[0] = InBatches.forEach(sequences, batchSize, batch -> writeRows(out, net, m, batch));
            out.flush();
        });
        csv.report();
        System.out.println("predictions for " + written[0] + " sequences written to " + output);
        return 0;
    }

    private void writeRows(Writer out, Network net, Model m, List<RawSequence> batch) throws java.io.IOException {
        NetworkSpec spec = m.spec();
        List<SequenceExample> examples = new ArrayList<>(batch.size());
        for (RawSequence s : batch) {
            SequenceExample e = toExample(s, spec, input);
            if (m.info().featureMean() != null) {
                e = FeatureScaling.normalize(e, m.info().featureMean(), m.info().featureStd());
            }
            examples.add(e);
        }
        MiniBatch mb = Batcher.pack(examples, spec, false);
        float[] p = net.predict(m.params(), mb, 0, mb.steps(), new RecurrentState(spec.layers(), mb.size(), spec.hidden()));
        appendRows(out, net, p, spec, batch);
    }

    static SequenceExample toExample(RawSequence s, NetworkSpec spec, String source) {
        int expected = spec.categoricalInput() ? 1 : spec.inputSize();
        if (s.inputSize() != expected) {
            throw new BadInputException(source + ": " + s.inputSize() + " feature columns, the model expects " + expected
                    + (spec.categoricalInput() ? " (x0 = token id)" : ""));
        }
        if (!spec.categoricalInput()) {
            return SequenceExample.dense(s.length(), s.features());
        }
        int[] tokens = new int[s.length()];
        for (int t = 0; t < s.length(); t++) {
            float v = s.features()[t];
            if (v != Math.rint(v) || v < 0 || v >= spec.inputSize()) {
                throw new BadInputException(source + ": sequence '" + s.id() + "' step " + t + ": token id " + v
                        + " is not an integer in 0.." + (spec.inputSize() - 1));
            }
            tokens[t] = (int) v;
        }
        return new SequenceExample(s.length(), null, tokens, SequenceExample.NO_LABEL, null, null);
    }

    static String header(NetworkSpec spec) {
        StringBuilder b = new StringBuilder("sequence_id");
        if (spec.task() == Task.MANY_TO_MANY) {
            b.append(",step");
        }
        String prefix = spec.loss() == LossKind.MEAN_SQUARED_ERROR ? "y" : "p";
        for (int j = 0; j < spec.outputSize(); j++) {
            b.append(',').append(prefix).append(j);
        }
        return b.append('\n').toString();
    }

    /** Rows in sequence order, steps ascending (the network returns them step-major). */
    private static void appendRows(Writer out, Network net, float[] p, NetworkSpec spec, List<RawSequence> sequences)
            throws java.io.IOException {
        float[][][] bySequence = net.bySequence(p);
        for (int s = 0; s < bySequence.length; s++) {
            String id = sequences.get(s).id();
            for (int step = 0; step < bySequence[s].length; step++) {
                out.write(id);
                if (spec.task() == Task.MANY_TO_MANY) {
                    out.write(',');
                    out.write(Integer.toString(step));
                }
                for (float v : bySequence[s][step]) {
                    out.write(',');
                    out.write(Float.toString(v));
                }
                out.write('\n');
            }
        }
    }
}
