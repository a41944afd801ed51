package dev.seqtrain.cli;

import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code seqtrain sample}: text from a character language model. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Generate text with a character language model.")
final class SampleCommand implements Callable<Integer> {
    /** Ten million characters: minutes of generation, a few tens of MB; more is a typo. */
    static final int MAX_LENGTH = 10_000_000;
    @Option(names = "--model", required = true, description = "model directory")
    String model;
    @Option(names = "--length", defaultValue = "500", description = "characters to generate")
    int length;
    @Option(names = "--prime", defaultValue = "", description = "text to start from (every character must be in the vocabulary)")
    String prime;
    @Option(names = "--temperature", defaultValue = "0.8", description = "> 0; lower is more conservative")
    double temperature;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (length < 0 || length > MAX_LENGTH) {
            throw new dev.seqtrain.io.BadInputException("--length " + length + ": must be between 0 and " + MAX_LENGTH);
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new dev.seqtrain.io.BadInputException("--temperature " + temperature + ": must be a number > 0");
        }
        Model m = ModelDirectory.read(new Path(model), new Configuration());
        System.out.println(Sampler.sample(m, prime, length, temperature, seed));
        return 0;
    }
}
