package dev.seqtrain.cli;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.FeatureScaling;
import dev.seqtrain.data.LongCsvReader;
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

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.InputStreamReader;
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

    @Override
    public Integer call() throws Exception {
        Configuration conf = new Configuration();
        Model m = ModelDirectory.read(new Path(model), conf);
        NetworkSpec spec = m.spec();
        Path inPath = new Path(input);
        FileSystem fs = inPath.getFileSystem(conf);
        LongCsvReader.Table table;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(inPath), StandardCharsets.UTF_8))) {
            table = LongCsvReader.read(r, input, 0);
        } catch (FileNotFoundException e) {
            throw new BadInputException(input + ": file not found");
        }
        int expected = spec.categoricalInput() ? 1 : spec.inputSize();
        if (table.featureColumns().size() != expected) {
            throw new BadInputException(input + ": " + table.featureColumns().size() + " feature columns, the model expects "
                    + expected + (spec.categoricalInput() ? " (x0 = token id)" : ""));
        }
        List<SequenceExample> examples = new ArrayList<>();
        for (LongCsvReader.Sequence s : table.sequences()) {
            SequenceExample e = toExample(s, spec, input);
            if (m.info().featureMean() != null) {
                e = FeatureScaling.normalize(e, m.info().featureMean(), m.info().featureStd());
            }
            examples.add(e);
        }
        StringBuilder out = new StringBuilder(header(spec));
        Network net = new Network(spec);
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<SequenceExample> chunk = examples.subList(from, Math.min(examples.size(), from + batchSize));
            MiniBatch mb = Batcher.pack(chunk, spec, false);
            float[] p = net.predict(m.params(), mb, 0, mb.steps(), new RecurrentState(spec.layers(), mb.size(), spec.hidden()));
            appendRows(out, net, p, spec, table.sequences(), from);
        }
        Path outPath = new Path(output);
        FileSystem outFs = outPath.getFileSystem(conf);
        outFs.setWriteChecksum(false);
        AtomicFiles.write(outFs, outPath, out.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println("predictions for " + examples.size() + " sequences written to " + output);
        return 0;
    }

    static SequenceExample toExample(LongCsvReader.Sequence s, NetworkSpec spec, String source) {
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
    private static void appendRows(StringBuilder out, Network net, float[] p, NetworkSpec spec,
                                   List<LongCsvReader.Sequence> sequences, int first) {
        float[][][] bySequence = net.bySequence(p);
        for (int s = 0; s < bySequence.length; s++) {
            String id = sequences.get(first + s).id();
            for (int step = 0; step < bySequence[s].length; step++) {
                out.append(id);
                if (spec.task() == Task.MANY_TO_MANY) {
                    out.append(',').append(step);
                }
                for (float v : bySequence[s][step]) {
                    out.append(',').append(v);
                }
                out.append('\n');
            }
        }
    }
}
