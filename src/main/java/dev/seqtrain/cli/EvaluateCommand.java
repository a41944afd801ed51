package dev.seqtrain.cli;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.FeatureScaling;
import dev.seqtrain.data.FileSequences;
import dev.seqtrain.data.RawSequence;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.data.TaskTargets;
import dev.seqtrain.data.TextFileWindows;
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
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Iterator;
import java.util.HashMap;
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

    @picocli.CommandLine.Mixin
    CsvInputOptions csv = new CsvInputOptions();

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) {
            throw new BadInputException("--batch-size " + batchSize + ": must be at least 1");
        }
        if (seqLength < 1) {
            throw new BadInputException("--seq-length " + seqLength + ": must be at least 1");
        }
        csv.check();
        Configuration conf = new Configuration();
        Model m = ModelDirectory.read(new Path(model), conf);
        NetworkSpec spec = m.spec();
        boolean lm = m.info().vocabulary() != null;
        String fmt = format != null ? format : lm ? "text" : "csv-long";
        Iterator<SequenceExample> examples = lm ? textExamples(m, fmt, conf) : csvExamples(m, fmt, conf);
        // Streamed: one batch is held, never the file.
        Network net = new Network(spec);
        LossSum[] sum = {LossSum.ZERO};
        long sequences = InBatches.forEach(examples, batchSize, batch -> {
            MiniBatch mb = Batcher.pack(batch, spec, true);
            sum[0] = sum[0].plus(net.evaluate(m.params(), mb, 0, mb.steps(), new RecurrentState(spec.layers(), mb.size(), spec.hidden())));
        });
        LossSum total = sum[0];
        if (sequences == 0) {
            throw new BadInputException(lm ? data + ": fewer than one sequence (" + (seqLength + 1) + " characters)"
                    : data + ": no sequences to evaluate");
        }
        StringBuilder line = new StringBuilder(String.format("%s: %d sequences, %d output positions, loss %.4f", data,
                sequences, total.positions(), total.mean()));
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
        csv.report();
        System.out.println(line);
        return 0;
    }

    private Iterator<SequenceExample> textExamples(Model m, String fmt, Configuration conf) throws IOException {
        if (!fmt.equals("text")) {
            throw new BadInputException("--format " + fmt + ": a language model is evaluated on text");
        }
        return new TextFileWindows(data, m.info().vocabulary(), m.info().unknownToken(), seqLength, conf);
    }

    private Iterator<SequenceExample> csvExamples(Model m, String fmt, Configuration conf) throws IOException {
        NetworkSpec spec = m.spec();
        if (!fmt.equals("csv-wide") && !fmt.equals("csv-long")) {
            throw new BadInputException("--format " + fmt + ": expected csv-wide or csv-long");
        }
        Iterator<RawSequence> raw = FileSequences.open(data, fmt, labelColumn, csv.maxLineBytes, conf, csv.consumer());
        String task = spec.loss() == LossKind.SOFTMAX_CROSS_ENTROPY ? "classify"
                : spec.loss() == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? "multilabel" : "regress";
        Map<String, Integer> classes = new HashMap<>();
        for (int i = 0; i < spec.outputSize(); i++) {
            // Named classes from training; an imported model's classes are its output indices.
            classes.put(m.info().classes() != null ? m.info().classes().get(i) : String.valueOf(i), i);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public SequenceExample next() {
                RawSequence q = raw.next();
                if (q.inputSize() != spec.inputSize()) {
                    throw new BadInputException(data + ": " + q.inputSize() + " features per step, the model expects " + spec.inputSize());
                }
                SequenceExample e = TaskTargets.toExample(q, task, classes, data);
                if (spec.task() == Task.MANY_TO_MANY && e.targets() != null && e.targets().length != e.length() * spec.outputSize()) {
                    throw new BadInputException(data + ": targets do not match the model's " + spec.outputSize() + " outputs per step");
                }
                return m.info().featureMean() != null ? FeatureScaling.normalize(e, m.info().featureMean(), m.info().featureStd()) : e;
            }
        };
    }
}
