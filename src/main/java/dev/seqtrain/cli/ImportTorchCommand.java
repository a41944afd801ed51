package dev.seqtrain.cli;

import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.io.ModelInfo;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Builds a model directory from weights trained in PyTorch ({@code nn.LSTM/GRU/RNN} as {@code rnn.*}, {@code nn.Linear} as {@code fc.*}). */
@Command(name = "import-torch", mixinStandardHelpOptions = true,
        description = "Build a model directory from a PyTorch state_dict saved as safetensors.")
final class ImportTorchCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, description = "safetensors file with rnn.* and fc.* tensors")
    String weights;
    @Option(names = "--cell", required = true, description = "lstm, gru or rnn")
    String cell;
    @Option(names = "--input-size", required = true, description = "features per step (vocabulary size with --token-input)")
    int inputSize;
    @Option(names = "--hidden-size", required = true)
    int hidden;
    @Option(names = "--layers", defaultValue = "1")
    int layers;
    @Option(names = "--output-size", required = true)
    int outputSize;
    @Option(names = "--task", defaultValue = "many-to-many", description = "many-to-many or many-to-one")
    String task;
    @Option(names = "--loss", defaultValue = "softmax-ce", description = "softmax-ce, sigmoid-bce or mse (decides what predict outputs)")
    String loss;
    @Option(names = "--token-input", description = "inputs are token ids (the PyTorch model was fed one-hot vectors)")
    boolean tokenInput;
    @Option(names = "--out", required = true, description = "model directory to create")
    String out;
    @Option(names = "--overwrite", description = "replace an existing model directory")
    boolean overwrite;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        NetworkSpec spec;
        try {
            spec = new NetworkSpec(CellType.parse(cell), inputSize, tokenInput, hidden, layers, outputSize, Task.parse(task),
                    LossKind.parse(loss), 0f);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("import-torch: " + e.getMessage());
        }
        Configuration conf = new Configuration();
        Path weightsPath = new Path(weights);
        FileSystem fs = weightsPath.getFileSystem(conf);
        float[] params = ModelDirectory.readWeights(fs, weightsPath, spec, null);
        Path outDir = new Path(out);
        FileSystem outFs = outDir.getFileSystem(conf);
        if (outFs.exists(outDir) && outFs.listStatus(outDir).length > 0 && !overwrite) {
            throw new BadInputException(out + ": already exists and is not empty (use --overwrite to replace it)");
        }
        ModelDirectory.write(outDir, conf, new Model(spec, params, ModelInfo.of("import-torch " + weightsPath.getName())));
        System.out.println("model written to " + outDir + " (" + spec.cell().id() + ", " + params.length + " parameters)");
        return 0;
    }
}
