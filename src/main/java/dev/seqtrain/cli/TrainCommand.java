package dev.seqtrain.cli;

import dev.seqtrain.data.SparkDataset;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.io.ModelInfo;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.Task;
import dev.seqtrain.io.CheckpointStore;
import dev.seqtrain.io.OutputLock;
import dev.seqtrain.train.BlockMomentum;
import dev.seqtrain.train.MemoryEstimate;
import dev.seqtrain.train.StopRequest;
import dev.seqtrain.train.LearningRateScaling;
import dev.seqtrain.train.ParameterAveragingTrainer;
import dev.seqtrain.train.TrainerSettings;
import dev.seqtrain.train.TrainingRun;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileNotFoundException;
import java.io.FileReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code seqtrain train}: distributed training from a config file. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a network on Spark by parameter averaging.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "a .properties file of settings (see README for every key)")
    String config;
    @Option(names = "--set", description = "override a setting: --set key=value (repeatable)")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--master", description = "Spark master URL (default: local[*], or spark-submit's)")
    String master;
    @Option(names = "--output", description = "run directory, any Hadoop path (default: runs/<config name>)")
    String output;
    @Option(names = "--resume", description = "continue the run in --output from its newest valid checkpoint")
    boolean resume;
    @Option(names = "--overwrite", description = "replace a run already in --output")
    boolean overwrite;
    @Option(names = "--sample-length", defaultValue = "300", description = "language models: characters to sample at the end")
    int sampleLength;
    @Option(names = "--verbose", description = "print stack traces")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        MasterUrl.check(master);   // before the output directory is touched
        TrainConfig cfg;
        if (config != null) {
            try (Reader r = new FileReader(config, StandardCharsets.UTF_8)) {
                cfg = TrainConfig.load(r, config, overrides);
            } catch (FileNotFoundException e) {
                throw new BadInputException(config + ": config file not found");
            }
        } else {
            cfg = TrainConfig.load(null, "--set", overrides);
        }
        String name = config == null ? "run" : new java.io.File(config).getName().replaceFirst("\\.properties$", "");
        Path out = new Path(output != null ? output : "runs/" + name);
        Configuration hadoop = new Configuration();
        try (OutputLock lock = OutputLock.acquire(out.getFileSystem(hadoop), out);
             StopRequest stop = StopRequest.install(cfg.getLong("train.stopGraceSeconds"), System.out, lock::release)) {
            CheckpointStore.Checkpoint from = TrainingRun.prepareOutput(out, hadoop, resume, overwrite);
            if (resume && from == null) {
                System.out.println("seqtrain: no run to resume in " + out + "; starting one");
            }
            return train(cfg, name, out, hadoop, stop, from);
        } catch (TrainingRun.StoppedBySignal e) {
            System.out.println("seqtrain: " + e.getMessage());
            return e.exitCode();
        }
    }

    private int train(TrainConfig cfg, String name, Path out, Configuration hadoop, StopRequest stop,
                      CheckpointStore.Checkpoint from) throws Exception {
        long started = System.nanoTime();
        try (JavaSparkContext sc = SparkSessions.start(master, "seqtrain train " + name)) {
            SparkSessions.awaitExecutors(sc, cfg.getLong("train.executorWaitSeconds"));
            long loadStart = System.nanoTime();
            SparkDataset.Loaded data = SparkDataset.load(sc, dataSettings(cfg));
            double readSeconds = (System.nanoTime() - loadStart) / 1e9;
            NetworkSpec spec = networkSpec(cfg, data);
            TrainerSettings settings = trainerSettings(cfg);
            checkMemory(sc, spec, settings, cfg);
            String unknown = cfg.get("data.unknownChar");
            ModelInfo info = new ModelInfo(data.vocabulary(), data.classes(), "seqtrain train " + name, data.featureMean(),
                    data.featureStd(), unknown.isEmpty() ? null : unknown);
            System.out.printf("seqtrain: %,d training and %,d validation sequences; %s, %d×%d, %d outputs; master %s%n",
                    data.trainCount(), data.validCount(), spec.cell().id(), spec.layers(), spec.hidden(), spec.outputSize(),
                    sc.master());
            if (!data.skippedByReason().isEmpty()) {
                System.out.println("seqtrain: skipped bad records: " + data.skippedByReason());
            }
            ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(sc, spec, settings, data.examples(),
                    new ParameterAveragingTrainer.Placement(org.apache.spark.storage.StorageLevel.fromString(cfg.get("data.storageLevel")),
                            cfg.getInt("data.chunkBatches")));
            double placeSeconds = (System.nanoTime() - loadStart) / 1e9 - readSeconds;
            System.out.printf("seqtrain: data read in %.1f s (summaries), placed in %.1f s: %,d examples in %,d chunks (%s)%n",
                    readSeconds, placeSeconds, trainer.layout().totalExamples(), trainer.layout().partitions(),
                    cfg.get("data.storageLevel"));
            int rounds = trainer.roundsPerEpoch(0);
            System.out.printf("seqtrain: %d workers, %d round%s in the first epoch, GEMM on the driver: %s%n", trainer.workers(),
                    rounds, rounds == 1 ? "" : "s", dev.seqtrain.nn.GemmBackend.describe());
            TrainingRun run = new TrainingRun(trainer, spec, settings, info, cfg.values(), data.skippedByReason(), out,
                    hadoop, System.out);
            run.withStopRequest(stop);
            run.withMaxSteps(cfg.getLong("train.maxSteps")).withEvaluationEvery(cfg.getInt("train.evalEvery"))
                    .withProgressSeconds(cfg.getLong("train.progressSeconds"));
            if (cfg.get("train.onDivergence").equals("rollback")) {
                run.withRollbacks(cfg.getInt("train.maxRollbacks"));
            }
            TrainingRun.Outcome outcome = run.run(from);
            trainer.close();
            double minutes = (System.nanoTime() - started) / 60e9;
            System.out.printf("seqtrain: done in %.1f min. Model: %s%s%n", minutes, outcome.modelDir(),
                    outcome.bestEpoch() > 0 ? String.format(" (best validation loss %.4f, epoch %d)", outcome.bestValidLoss(),
                            outcome.bestEpoch()) : "");
            System.out.println("seqtrain: metrics: " + new Path(out, "metrics.jsonl") + ", checkpoints: " + new Path(out, "checkpoints"));
            if (spec.task() == Task.MANY_TO_MANY && data.vocabulary() != null && sampleLength > 0) {
                Model model = ModelDirectory.read(outcome.modelDir(), hadoop);
                // The sample is a courtesy: a run that trained and wrote its model must not fail on it.
                String prime = data.vocabulary().contains("\n") ? "\n" : data.vocabulary().get(0);
                try {
                    String text = Sampler.sample(model, prime, sampleLength, 0.8, cfg.getLong("train.seed"));
                    System.out.println("seqtrain: sample (temperature 0.8):");
                    System.out.println(text);
                } catch (RuntimeException e) {
                    System.out.println("seqtrain: warning: no sample: " + e.getMessage());
                }
            }
        }
        return 0;
    }

    static SparkDataset.Settings dataSettings(TrainConfig c) {
        return new SparkDataset.Settings(c.get("data.format"), c.get("model.task"), c.get("data.train"), c.get("data.valid"),
                c.getDouble("data.validFraction"), c.getInt("data.seqLength"), c.getInt("data.stride"), c.get("data.idColumn"),
                c.get("data.labelColumn"), c.get("data.badRecords").equals("skip"), c.getLong("data.maxBadRecords"),
                c.getInt("data.maxSeqLength"), c.getLong("train.seed"), c.get("data.unknownChar"), c.getLong("data.splitBytes"),
                c.getLong("data.validMaxExamples"), c.getInt("data.maxLineBytes"));
    }

    static NetworkSpec networkSpec(TrainConfig c, SparkDataset.Loaded d) {
        try {
            return d.networkSpec(c.get("model.task"), CellType.parse(c.get("model.cell")), c.getInt("model.hidden"),
                    c.getInt("model.layers"), (float) c.getDouble("model.dropout"));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(c.source() + ": " + e.getMessage());
        }
    }

    static TrainerSettings trainerSettings(TrainConfig c) {
        OptimizerKind kind = OptimizerKind.parse(c.get("train.optimizer"));
        Optimizer d = Optimizer.defaults(kind);
        Optimizer opt = new Optimizer(kind, (float) c.getDouble("train.momentum"), c.getBoolean("train.nesterov"), d.beta1(),
                d.beta2(), d.rho(), d.epsilon(), (float) c.getDouble("train.weightDecay"));
        float lr = (float) c.getDouble("train.learningRate");
        LearningRateSchedule schedule = switch (c.get("train.lrSchedule")) {
            case "step" -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, lr, c.getLong("train.lrStepSize"),
                    (float) c.getDouble("train.lrGamma"), 1, 0f);
            case "cosine" -> new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, lr, 1, 1f,
                    c.getLong("train.lrStepSize"), (float) c.getDouble("train.lrMin"));
            default -> LearningRateSchedule.constant(lr);
        };
        return new TrainerSettings(c.getInt("train.epochs"), c.getInt("train.batchSize"), c.getInt("train.workers"),
                TrainerSettings.parseAveragingFrequencies(c.get("train.averagingFrequency")),
                c.get("train.averaging").equals("gradients"), c.getBoolean("train.averageOptimizerState"),
                LearningRateScaling.parse(c.get("train.learningRateScaling")), opt, schedule, c.getDouble("train.clipNorm"),
                c.getInt("train.tbptt"),
                c.getLong("train.seed"), c.getInt("train.patience"), c.getInt("train.checkpointEvery"),
                c.getInt("train.keepCheckpoints"), c.getInt("train.aggregationFanIn"), (float) c.getDouble("model.forgetBias"),
                blockMomentum(c), c.getLong("train.warmupSteps"));
    }

    /** Refuses a model the heaps cannot hold, before allocating it (see {@link MemoryEstimate}). */
    static void checkMemory(JavaSparkContext sc, NetworkSpec spec, TrainerSettings settings, TrainConfig cfg) {
        int slots = settings.optimizer().newState(1).slots.length;
        int steps = cfg.getInt("train.tbptt") > 0 ? cfg.getInt("train.tbptt") : cfg.getInt("data.seqLength");
        MemoryEstimate estimate = MemoryEstimate.of(spec, slots, settings.batchSize(), steps);
        int tasks = sc.isLocal() ? sc.defaultParallelism() : sc.getConf().getInt("spark.executor.cores", 1);
        if (settings.workers() > 0) {
            tasks = Math.min(tasks, settings.workers());
        }
        estimate.check(Runtime.getRuntime().maxMemory(), sc.getConf().getSizeAsBytes("spark.executor.memory", "1g"), tasks,
                sc.isLocal(), cfg.source() + ": model.hidden=" + spec.hidden() + ", model.layers=" + spec.layers());
    }

    /** Block momentum filters averaged parameters; synchronous SGD (gradient averaging) has none. */
    static BlockMomentum blockMomentum(TrainConfig c) {
        String m = c.get("train.blockMomentum");
        float lr = (float) c.getDouble("train.blockLearningRate");
        boolean nesterov = c.getBoolean("train.blockNesterov");
        if (c.get("train.averaging").equals("gradients")) {
            if (!m.equals("auto") && Double.parseDouble(m) != 0 || lr != 1f) {
                throw new BadInputException(c.source() + ": train.blockMomentum and train.blockLearningRate apply to"
                        + " train.averaging=parameters, not gradients");
            }
            return BlockMomentum.NONE;
        }
        return m.equals("auto") ? BlockMomentum.auto(lr, nesterov) : new BlockMomentum(Float.parseFloat(m), lr, nesterov);
    }
}
