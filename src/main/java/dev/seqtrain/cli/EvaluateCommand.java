package dev.seqtrain.cli;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.FeatureScaling;
import dev.seqtrain.data.LongCsvReader;
import dev.seqtrain.data.RawSequence;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.data.SparkDataset;
import dev.seqtrain.data.TextCorpus;
import dev.seqtrain.data.WideCsvParser;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.LossSum;
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
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code seqtrain evaluate}: a model's loss and task metric on a labelled file, on the driver. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Loss and metric (accuracy; perplexity and bits/char; NLL per step; RMSE) of a model on labelled data.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory")
    String model;
    @Option(names = "--data", required = true, description = "a file in the model's training format")
    String data;
    @Option(names = "--format", description = "text, csv-wide or csv-long (default: text for language models, else csv-long)")
    String format;
    @Option(names = "--seq-length", defaultValue = "100", description = "text: characters per sequence")
    int seqLength;
    @Option(names = "--label-column", defaultValue = "label", description = "csv-wide: the label column")
    String labelColumn;
    @Option(names = "--batch-size", defaultValue = "64")
    int batchSize;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Configuration conf = new Configuration();
        Model m = ModelDirectory.read(new Path(model), conf);
        NetworkSpec spec = m.spec();
        boolean lm = m.info().vocabulary() != null;
        String fmt = format != null ? format : lm ? "text" : "csv-long";
        byte[] bytes = read(conf);
        List<SequenceExample> examples = lm ? textExamples(m, bytes, fmt) : csvExamples(m, bytes, fmt);
        if (examples.isEmpty()) {
            throw new BadInputException(data + ": no sequences to evaluate");
        }
        Network net = new Network(spec);
        LossSum total = LossSum.ZERO;
        for (int from = 0; from < examples.size(); from += batchSize) {
            MiniBatch mb = Batcher.pack(examples.subList(from, Math.min(examples.size(), from + batchSize)), spec, true);
            total = total.plus(net.evaluate(m.params(), mb, 0, mb.steps(), new RecurrentState(spec.layers(), mb.size(), spec.hidden())));
        }
        StringBuilder line = new StringBuilder(String.format("%s: %d sequences, %d output positions, loss %.4f", data,
                examples.size(), total.positions(), total.mean()));
        if (spec.loss() == LossKind.SOFTMAX_CROSS_ENTROPY) {
            line.append(String.format(", accuracy %.2f%%", 100 * total.accuracy()));
            if (lm) {
                line.append(String.format(", perplexity %.3f, %.4f bits/char", Math.exp(total.mean()), total.mean() / Math.log(2)));
            }
        } else if (spec.loss() == LossKind.SIGMOID_BINARY_CROSS_ENTROPY) {
            line.append(String.format(" (NLL per step, nats; coin flips: %.4f)", spec.outputSize() * Math.log(2)));
        } else {
            line.append(String.format(", RMSE %.4f", Math.sqrt(total.mean())));
        }
        System.out.println(line);
        return 0;
    }

    private byte[] read(Configuration conf) throws Exception {
        Path p = new Path(data);
        FileSystem fs = p.getFileSystem(conf);
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new BadInputException(data + ": file not found");
        }
    }

    private List<SequenceExample> textExamples(Model m, byte[] bytes, String fmt) {
        if (!fmt.equals("text")) {
            throw new BadInputException("--format " + fmt + ": a language model is evaluated on text");
        }
        String text = TextCorpus.decode(bytes, data);
        int[] ids = TextCorpus.encode(text, m.info().vocabulary(), m.info().unknownToken(), data);
        List<SequenceExample> out = TextCorpus.windows(ids, seqLength, seqLength);
        if (out.isEmpty()) {
            throw new BadInputException(data + ": fewer than one sequence (" + (seqLength + 1) + " characters)");
        }
        return out;
    }

    private List<SequenceExample> csvExamples(Model m, byte[] bytes, String fmt) throws Exception {
        NetworkSpec spec = m.spec();
        List<RawSequence> raw = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
            switch (fmt) {
                case "csv-wide" -> raw.addAll(WideCsvParser.parse(r, data, "id", labelColumn, Integer.MAX_VALUE, null));
                case "csv-long" -> {
                    LongCsvReader.Table t = LongCsvReader.read(r, data, 0);
                    for (LongCsvReader.Sequence q : t.sequences()) {
                        raw.add(new RawSequence(q.id(), q.length(), t.featureColumns().size(), q.features(), q.targets(),
                                t.targetColumns().size(), q.label()));
                    }
                }
                default -> throw new BadInputException("--format " + fmt + ": expected csv-wide or csv-long");
            }
        }
        for (RawSequence q : raw) {
            if (q.inputSize() != spec.inputSize()) {
                throw new BadInputException(data + ": " + q.inputSize() + " features per step, the model expects " + spec.inputSize());
            }
        }
        String task = spec.loss() == LossKind.SOFTMAX_CROSS_ENTROPY ? "classify"
                : spec.loss() == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? "multilabel" : "regress";
        Map<String, Integer> classes = new HashMap<>();
        for (int i = 0; i < spec.outputSize(); i++) {
            // Named classes from training; an imported model's classes are its output indices.
            classes.put(m.info().classes() != null ? m.info().classes().get(i) : String.valueOf(i), i);
        }
        List<SequenceExample> out = new ArrayList<>();
        for (SequenceExample e : SparkDataset.toExamples(data, raw, task, classes)) {
            if (spec.task() == Task.MANY_TO_MANY && e.targets() != null && e.targets().length != e.length() * spec.outputSize()) {
                throw new BadInputException(data + ": targets do not match the model's " + spec.outputSize() + " outputs per step");
            }
            out.add(m.info().featureMean() != null ? FeatureScaling.normalize(e, m.info().featureMean(), m.info().featureStd()) : e);
        }
        return out;
    }
}
