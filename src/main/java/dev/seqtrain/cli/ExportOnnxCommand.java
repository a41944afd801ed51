package dev.seqtrain.cli;

import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.onnx.OnnxExport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Writes a model directory's network as one ONNX file, for ONNX Runtime and the tools that read ONNX. */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        description = "Write a trained model as an ONNX file (inputs: input, sequence_lens; outputs: output, logits).")
final class ExportOnnxCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (as train writes it)")
    String model;
    @Option(names = "--out", required = true, description = "ONNX file to write, e.g. model.onnx")
    String out;
    @Option(names = "--overwrite", description = "replace an existing file")
    boolean overwrite;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Configuration conf = new Configuration();
        Model m = ModelDirectory.read(new Path(model), conf);
        Path target = new Path(out);
        FileSystem fs = target.getFileSystem(conf);
        if (fs.exists(target)) {
            if (fs.getFileStatus(target).isDirectory()) {
                throw new BadInputException(out + ": is a directory; --out names the ONNX file to write");
            }
            if (!overwrite) {
                throw new BadInputException(out + ": already exists (use --overwrite to replace it)");
            }
        }
        OnnxExport.write(m, target, conf);
        System.out.println("ONNX model written to " + target + " (" + m.spec().cell().id() + ", " + m.spec().layers()
                + " layer(s), " + m.spec().task().id + "; inputs: input, sequence_lens; outputs: output, logits)");
        return 0;
    }
}
