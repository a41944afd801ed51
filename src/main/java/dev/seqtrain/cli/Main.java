package dev.seqtrain.cli;

import dev.seqtrain.io.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Arrays;

/**
 * The {@code seqtrain} command. Exit codes: 0 success; 1 the run failed (I/O, Spark, divergence);
 * 2 bad input (command line, config, data or model files), reported in one line naming the file,
 * place and problem. {@code --verbose} adds stack traces.
 */
@Command(name = "seqtrain", mixinStandardHelpOptions = true, version = "seqtrain 0.1.0",
        description = "Train and run recurrent networks (LSTM, GRU, tanh RNN) on Apache Spark.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, SampleCommand.class, PredictCommand.class, ImportTorchCommand.class,
                ExportOnnxCommand.class, CostModelCommand.class})
public final class Main implements Runnable {
    /** Kept referenced: java.util.logging holds loggers weakly, and netlib announces its BLAS at INFO. */
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib");
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_BAD_INPUT = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (used by tests instead of {@link #main}). */
    public static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with errors going to {@code err}; returns the exit code. */
    public static int run(PrintWriter err, String... args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        NETLIB_LOG.setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> report(cmd.getErr(), e, verbose));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // The model's workspaces, not the data, outgrew the heap (no reader holds a file): say what to change.
            return failed(err, "out of memory with a heap of " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB ("
                    + e.getMessage() + "); give the JVM more (SEQTRAIN_JAVA_OPTS=-Xmx4g) or use a smaller batch size", e, verbose);
        } catch (org.apache.hadoop.fs.FSError e) {
            // Hadoop's local file system throws a failed read or write (a full disk) as an Error; the
            // writers turn it into an IOException that names the file, this catches any other place.
            return failed(err, "a local file could not be read or written: " + e.getMessage(), e, verbose);
        }
    }

    /** An Error that ended the command: one line (the stack trace with --verbose), exit code 1. */
    private static int failed(PrintWriter err, String message, Error e, boolean verbose) {
        err.println("seqtrain: failed: " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILED;
    }

    static int report(PrintWriter err, Exception e, boolean verbose) {
        Throwable cause = e;
        while (!(cause instanceof BadInputException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof BadInputException) {
            err.println("seqtrain: error: " + cause.getMessage());
        } else if (cause instanceof dev.seqtrain.train.TrainingDivergedException) {
            err.println("seqtrain: failed: " + cause.getMessage());
            err.flush();
            return EXIT_FAILED;
        } else if (e instanceof java.io.IOException && !(e instanceof java.nio.file.FileSystemException) && e.getMessage() != null) {
            err.println("seqtrain: failed: " + e.getMessage());   // our I/O messages name the file and what failed
        } else {
            err.println("seqtrain: failed: " + e);
        }
        if (verbose) {
            e.printStackTrace(err);
        } else if (!(cause instanceof BadInputException)) {
            err.println("(run with --verbose for the stack trace)");
        }
        err.flush();
        return cause instanceof BadInputException ? EXIT_BAD_INPUT : EXIT_FAILED;
    }
}
