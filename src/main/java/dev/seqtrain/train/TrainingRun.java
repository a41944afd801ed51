package dev.seqtrain.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seqtrain.io.AtomicFiles;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.io.CheckpointStore;
import dev.seqtrain.io.Model;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.io.ModelInfo;
import dev.seqtrain.nn.GemmBackend;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.LossSum;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.OptimizerState;
import dev.seqtrain.report.TrainingReport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import scala.Tuple2;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A whole training run around the Spark loop: epochs of rounds, validation, metrics, checkpoints,
 * the best model, early stopping, and resuming from the newest valid checkpoint.
 *
 * <p>Outputs under the run directory: {@code model/} (the model with the best validation loss, or the
 * last one when there is no validation data), {@code checkpoints/}, {@code metrics.jsonl}.
 */
public final class TrainingRun {
    /** Settings that may change between a run and its resumption without changing its results. */
    private static final Set<String> RESUMABLE_CHANGES = Set.of("train.epochs", "train.patience", "train.checkpointEvery",
            "train.keepCheckpoints", "train.maxSteps", "train.progressSeconds", "train.allowBackendChange", "train.stopGraceSeconds");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the run ended. */
    public record Outcome(Path modelDir, int epochs, double bestValidLoss, int bestEpoch, boolean stoppedEarly,
                          float[] finalParams) {
    }

    private final ParameterAveragingTrainer trainer;
    private final NetworkSpec spec;
    private final TrainerSettings settings;
    /** On divergence: 0 = stop; N > 0 = roll back to the start of the epoch and halve the learning rate, at most N times. */
    private int maxRollbacks;
    private final ModelInfo info;
    private final Map<String, String> config;
    private final Map<String, Long> skipped;
    private final Path out;
    private final Configuration conf;
    private final PrintStream console;
    private boolean reportFailureShown;
    private long maxSteps;
    private int evalEvery;
    private long progressSeconds = 30;
    private StopRequest stop;
    // The run's state between rounds.
    private ModelState state;
    private RunPosition position;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch = -1;
    private int evaluationsWithoutImprovement;
    private int rollbacks;
    private double lrScale = 1.0;
    private List<String> metrics;

    public TrainingRun(ParameterAveragingTrainer trainer, NetworkSpec spec, TrainerSettings settings, ModelInfo info,
                       Map<String, String> config, Map<String, Long> skipped, Path out, Configuration conf, PrintStream console) {
        this.trainer = trainer;
        this.spec = spec;
        this.settings = settings;
        this.info = info;
        this.config = config;
        this.skipped = skipped;
        this.out = out;
        this.conf = conf;
        this.console = console;
    }

    /** With {@code train.onDivergence=rollback}: how many times a diverged epoch may be retried at half the rate. */
    public TrainingRun withRollbacks(int max) {
        this.maxRollbacks = max;
        return this;
    }

    /**
     * What a run writes in its output directory: all that --overwrite removes, and nothing else. The
     * checkpoints go first, so that an --overwrite killed half-way leaves nothing --resume would continue.
     */
    static final List<String> RUN_OUTPUTS = List.of("checkpoints", "model", "model.next", "model.prev", "metrics.jsonl",
            TrainingReport.PICTURE, TrainingReport.PAGE);

    /**
     * Refuses an output directory that already holds a run, unless resuming or overwriting; a resume of
     * a run whose checkpoints are all gone or damaged is refused too (starting over would replace its
     * model with a worse one). Overwriting deletes the run's own outputs ({@link #RUN_OUTPUTS}), never
     * other files the directory holds. The caller holds the directory's {@code OutputLock}.
     *
     * @return the checkpoint to resume from (read and verified once, here, before Spark starts), or null
     *         for a new run
     */
    public static CheckpointStore.Checkpoint prepareOutput(Path out, Configuration conf, boolean resume, boolean overwrite)
            throws IOException {
        FileSystem fs = out.getFileSystem(conf);
        // A checkpoints directory with only a temporary checkpoint in it is a run killed while writing
        // its first one (checkpoint 0, before anything else): nothing to resume, and nothing lost.
        CheckpointStore checkpoints = new CheckpointStore(new Path(out, "checkpoints"), conf);
        boolean holdsRun = fs.exists(new Path(out, "metrics.jsonl")) || fs.exists(new Path(out, "model"))
                || !checkpoints.list().isEmpty();
        CheckpointStore.Checkpoint from = null;
        if (holdsRun && overwrite) {
            for (String name : RUN_OUTPUTS) {
                fs.delete(new Path(out, name), true);
            }
        } else if (holdsRun && !resume) {
            throw new BadInputException(out + ": already holds a run (use --resume to continue it or --overwrite to replace it)");
        } else if (holdsRun) {
            from = checkpoints.latestValid();
            if (from == null) {
                throw new BadInputException(out + ": --resume, but the run there has no valid checkpoint to continue from"
                        + " (use --overwrite to start it again from scratch)");
            }
        }
        fs.mkdirs(out);
        AtomicFiles.deleteLeftovers(fs, out, RUN_OUTPUTS);   // a run killed while replacing metrics.jsonl or the report
        return from;
    }

    /** Runs from {@code ckpt} (what {@link #prepareOutput} returned), or from the start when it is null. */
    public Outcome run(CheckpointStore.Checkpoint ckpt) throws IOException {
        FileSystem fs = out.getFileSystem(conf);
        fs.setWriteChecksum(false);
        CheckpointStore checkpoints = new CheckpointStore(new Path(out, "checkpoints"), conf);
        metrics = new ArrayList<>();
        if (ckpt != null) {
            checkSameConfig(ckpt.info());
            checkSameData(ckpt.info());
            state = new ModelState(ckpt.params(), new OptimizerState(ckpt.optimizerSlots(), ckpt.optimizerStep()),
                    ckpt.blockDelta());
            position = RunPosition.readFrom(ckpt.info(), ckpt.epoch());
            bestLoss = ckpt.info().path("bestValidLoss").asDouble(Double.POSITIVE_INFINITY);
            bestEpoch = ckpt.info().path("bestEpoch").asInt(-1);
            evaluationsWithoutImprovement = ckpt.info().path("epochsWithoutImprovement").asInt(0);
            rollbacks = ckpt.info().path("rollbacks").asInt(0);
            lrScale = ckpt.info().path("learningRateScale").asDouble(1.0);
            if (lrScale != 1.0) {
                trainer.setSettings(settings.withLearningRateScale(lrScale));
            }
            metrics.addAll(readMetrics(fs, position.evaluations()));
            console.printf("resuming from %s (epoch %d, round %d, %,d steps)%n", new Path(out, "checkpoints"),
                    position.epoch() + 1, position.round() + 1, position.steps());
            if (bestEpoch > 0 && !modelLoads()) {
                // Deleted or damaged by hand: the next evaluation writes one, so the run never ends without a model.
                console.println("seqtrain: warning: " + new Path(out, "model") + " is missing or does not load; the next"
                        + " evaluation writes the model afresh");
                bestLoss = Double.POSITIVE_INFINITY;
            }
        } else {
            state = ModelState.initial(spec, settings);
            position = RunPosition.START;
            // Checkpoint 0, before anything else is written: a kill before the first evaluation's checkpoint
            // (after its model or metrics line) leaves a run that --resume continues from the start.
            writeCheckpoint(checkpoints, 0);
        }
        RunPosition resumedAt = position;
        long runStart = System.nanoTime();
        long lastLine = runStart;
        IntervalStats interval = new IntervalStats();
        ModelState stateAtEvaluation = state;
        RunPosition positionAtEvaluation = position;
        boolean stoppedEarly = false;
        while (!finished(position)) {
            int rounds = trainer.roundsPerEpoch(position.epoch());
            if (position.round() >= rounds) {
                position = new RunPosition(position.epoch() + 1, 0, position.evaluations(), position.steps());
                continue;
            }
            int budget = maxSteps > 0 ? (int) Math.min(Integer.MAX_VALUE, maxSteps - position.steps()) : Integer.MAX_VALUE;
            int e = position.epoch();
            int r = position.round();
            Tuple2<ModelState, ParameterAveragingTrainer.RoundStats> step = trainer.round(state, e, r, budget);
            try {
                checkFinite(step._1(), step._2().loss(), e, r, "lower train.learningRate or set train.clipNorm");
            } catch (TrainingDivergedException x) {
                if (rollbacks >= maxRollbacks) {
                    throw maxRollbacks == 0 ? x : new TrainingDivergedException(x.getMessage() + "; gave up after "
                            + rollbacks + " rollbacks");
                }
                rollbacks++;
                lrScale *= 0.5;
                trainer.setSettings(settings.withLearningRateScale(lrScale));
                console.printf("divergence in epoch %d, round %d: back to the last evaluation (epoch %d, round %d) with the"
                        + " learning rate halved to %.3g (rollback %d of %d)%n", e + 1, r + 1, positionAtEvaluation.epoch() + 1,
                        positionAtEvaluation.round() + 1, settings.schedule().baseRate() * lrScale, rollbacks, maxRollbacks);
                state = stateAtEvaluation;
                position = positionAtEvaluation;
                interval = new IntervalStats();
                continue;
            }
            state = step._1();
            interval.add(step._2());
            position = new RunPosition(e, r + 1, position.evaluations(),
                    position.steps() + trainer.batchesInRound(e, r, budget));
            boolean endOfEpoch = position.round() >= rounds;
            boolean due = evalEvery > 0 ? interval.rounds >= evalEvery : endOfEpoch;
            boolean stopping = stopRequested();
            if (due || finished(position) || stopping) {
                if (endOfEpoch) {
                    position = new RunPosition(e + 1, 0, position.evaluations(), position.steps());
                }
                stoppedEarly = evaluate(fs, checkpoints, interval, e, r + 1, rounds, resumedAt, runStart);
                interval = new IntervalStats();
                stateAtEvaluation = state;
                positionAtEvaluation = position;
                lastLine = System.nanoTime();
                if (stoppedEarly) {
                    break;
                }
                if (stopping) {
                    throw new StoppedBySignal(String.format("stopped by %s after epoch %d, round %d (%,d steps); checkpoint in %s;"
                            + " continue with --resume", stop.requested(), e + 1, r + 1, position.steps(),
                            new Path(out, "checkpoints")), stop.exitCode());
                }
            } else if (System.nanoTime() - lastLine > progressSeconds * 1_000_000_000L) {
                console.println(progressInEpoch(interval, e, r + 1, rounds, resumedAt, runStart));
                lastLine = System.nanoTime();
            }
        }
        if (!modelLoads()) {
            // Only a resume of a run that had already ended, after its model was deleted or damaged, gets here.
            console.println("seqtrain: warning: " + new Path(out, "model") + " was missing or did not load; wrote the final"
                    + " parameters there instead of the best ones");
            ModelDirectory.write(new Path(out, "model"), conf, new Model(spec, state.params(), info));
            bestEpoch = -1;
        }
        return new Outcome(new Path(out, "model"), position.epoch(), bestLoss, bestEpoch, stoppedEarly, state.params());
    }

    /** Whether the run's model directory reads back whole (checksums and shapes verified). */
    private boolean modelLoads() {
        try {
            ModelDirectory.read(new Path(out, "model"), conf);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean stopRequested() {
        return stop != null && stop.requested() != null;
    }

    /** The run is done: every epoch ran, or the step budget is spent. */
    private boolean finished(RunPosition p) {
        return p.epoch() >= settings.epochs() || maxSteps > 0 && p.steps() >= maxSteps;
    }

    /** With {@code train.evalEvery}: evaluate every this many rounds (0 = at the end of each epoch). */
    public TrainingRun withEvaluationEvery(int rounds) {
        this.evalEvery = rounds;
        return this;
    }

    /** At most this many seconds between progress lines inside an epoch. */
    public TrainingRun withProgressSeconds(long seconds) {
        this.progressSeconds = seconds;
        return this;
    }

    /** Stop at the end of a round, with a checkpoint, once {@code stop} has received a signal. */
    public TrainingRun withStopRequest(StopRequest stop) {
        this.stop = stop;
        return this;
    }

    /** Thrown when a signal stopped the run after writing its checkpoint. */
    public static final class StoppedBySignal extends RuntimeException {
        private final int exitCode;

        StoppedBySignal(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /** With {@code train.maxSteps}: stop after this many minibatch steps per worker. */
    public TrainingRun withMaxSteps(long steps) {
        this.maxSteps = steps;
        return this;
    }

    /** Checkpoint {@code n} of the run as it stands: parameters, optimizer state and the bookkeeping a resume needs. */
    private void writeCheckpoint(CheckpointStore checkpoints, int n) throws IOException {
        ObjectNode ckptInfo = JSON.createObjectNode();
        ckptInfo.put("bestValidLoss", bestLoss);
        ckptInfo.put("bestEpoch", bestEpoch);
        ckptInfo.put("epochsWithoutImprovement", evaluationsWithoutImprovement);
        ckptInfo.put("rollbacks", rollbacks);
        ckptInfo.put("learningRateScale", lrScale);
        ckptInfo.set("data", dataSchema());
        ckptInfo.put("gemm", GemmBackend.describe());
        position.writeTo(ckptInfo);
        ObjectNode cfg = ckptInfo.putObject("config");
        config.forEach(cfg::put);
        checkpoints.write(new CheckpointStore.Checkpoint(n, state.params(), state.optimizer().slots,
                state.optimizer().step, state.blockDelta(), ckptInfo), settings.keepCheckpoints());
        if (stop != null) {
            stop.setResumeHint(String.format("the newest checkpoint (epoch %d, %,d steps) is in %s: continue with --resume",
                    position.epoch() + 1, position.steps(), new Path(out, "checkpoints")));
        }
    }

    /**
     * Validation, the model if it improved, a metrics line, a checkpoint when due, a progress line.
     * Returns whether early stopping ends the run.
     */
    private boolean evaluate(FileSystem fs, CheckpointStore checkpoints, IntervalStats interval, int epoch, int roundsDone,
                             int rounds, RunPosition resumedAt, long runStart) throws IOException {
        position = new RunPosition(position.epoch(), position.round(), position.evaluations() + 1, position.steps());
        int n = position.evaluations();
        long evalStart = System.nanoTime();
        LossSum valid = trainer.evaluate(state.params());
        long evalNanos = System.nanoTime() - evalStart;
        double seconds = interval.seconds();
        boolean improved = false;
        if (valid != null) {
            if (valid.mean() < bestLoss) {
                bestLoss = valid.mean();
                bestEpoch = epoch + 1;
                evaluationsWithoutImprovement = 0;
                improved = true;
            } else {
                evaluationsWithoutImprovement++;
            }
        }
        if (valid == null || improved) {
            ModelDirectory.write(new Path(out, "model"), conf, new Model(spec, state.params(), info));
        }
        ObjectNode line = metricsLine(epoch + 1, interval.trainLoss, valid, seconds, interval.examples, interval.timesteps,
                interval.broadcast, interval.compute, interval.computeSlowest, interval.computeMean, interval.driver, evalNanos,
                interval.rounds, interval.executors);
        line.put("evaluation", n);
        line.put("roundInEpoch", roundsDone);
        line.put("roundsInEpoch", rounds);
        line.put("steps", position.steps());
        memoryMetrics(line.putObject("memory"), interval.executorMemory);
        metrics.add(JSON.writeValueAsString(line));
        AtomicFiles.write(fs, new Path(out, "metrics.jsonl"), (String.join("\n", metrics) + "\n").getBytes(StandardCharsets.UTF_8));
        writeReport(fs, metrics);
        boolean last = finished(position) || stopRequested();
        boolean stoppedEarly = settings.patience() > 0 && evaluationsWithoutImprovement >= settings.patience();
        if (n % settings.checkpointEvery() == 0 || last || stoppedEarly) {
            writeCheckpoint(checkpoints, n);
        }
        console.println(progressLine(epoch + 1, roundsDone, rounds, interval.trainLoss, valid,
                interval.timesteps / Math.max(1e-9, seconds), seconds, eta(resumedAt, runStart), improved));
        if (stoppedEarly) {
            console.printf("early stop: no better validation loss for %d evaluations (best %.4f at epoch %d)%n",
                    evaluationsWithoutImprovement, bestLoss, bestEpoch);
        }
        return stoppedEarly;
    }

    /** Seconds left, from the steps per second since this process started (or resumed) the run. */
    private double eta(RunPosition resumedAt, long runStart) {
        double elapsed = (System.nanoTime() - runStart) / 1e9;
        long done = position.steps() - resumedAt.steps();
        long total = (long) trainer.layout().maxBatches() * settings.epochs();
        if (maxSteps > 0) {
            total = Math.min(total, maxSteps);
        }
        return done <= 0 ? 0 : elapsed / done * Math.max(0, total - position.steps());
    }

    /** A line inside a long epoch: rounds done, steps per second, ETA. */
    private String progressInEpoch(IntervalStats interval, int epoch, int roundsDone, int rounds, RunPosition resumedAt,
                                   long runStart) {
        double seconds = interval.seconds();
        return String.format("epoch %d/%d  round %d/%d  train loss %.4f  %,.0f steps/s  %,d steps  ETA %s", epoch + 1,
                settings.epochs(), roundsDone, rounds, interval.trainLoss.mean(), interval.timesteps / Math.max(1e-9, seconds),
                position.steps(), duration(eta(resumedAt, runStart)));
    }

    /** report.html and loss.png; a failure to draw (no fonts, say) is a warning, never the end of a run. */
    private void writeReport(FileSystem fs, List<String> metrics) {
        try {
            TrainingReport.write(fs, out, info.source(), metrics, config);
        } catch (IOException | RuntimeException | LinkageError e) {
            if (!reportFailureShown) {
                console.println("seqtrain: warning: could not write " + TrainingReport.PAGE + ": " + e);
                reportFailureShown = true;
            }
        }
    }

    /**
     * What the parameters mean, as far as the data decides it: the vocabulary (row i of the embedding is
     * character i), the class list (output j is class j), input and output widths. Kept in every
     * checkpoint; a resume onto data that disagrees would train every row on the wrong symbol.
     */
    private ObjectNode dataSchema() {
        ObjectNode d = JSON.createObjectNode();
        d.put("inputSize", spec.inputSize());
        d.put("outputSize", spec.outputSize());
        if (info.vocabulary() != null) {
            info.vocabulary().forEach(d.putArray("vocabulary")::add);
        }
        if (info.classes() != null) {
            info.classes().forEach(d.putArray("classes")::add);
        }
        return d;
    }

    private void checkSameData(ObjectNode saved) {
        var before = saved.path("data");
        if (before.isMissingNode()) {
            return;   // a checkpoint from before data schemas were kept
        }
        ObjectNode now = dataSchema();
        for (String field : List.of("vocabulary", "classes", "inputSize", "outputSize")) {
            if (!before.path(field).equals(now.path(field))) {
                throw new BadInputException(out + ": cannot resume: the data's " + field + " changed since the checkpoint (was "
                        + abbreviated(before.path(field)) + ", now " + abbreviated(now.path(field))
                        + "); the parameters would mean other symbols (use --overwrite to start again)");
            }
        }
    }

    private static String abbreviated(com.fasterxml.jackson.databind.JsonNode n) {
        if (n.isMissingNode()) {
            return "none";
        }
        String t = n.isArray() ? n.size() + " entries " + n : n.toString();
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }

    private void checkSameConfig(ObjectNode info) {
        List<String> differences = new ArrayList<>();
        var saved = info.path("config");
        for (Map.Entry<String, String> e : config.entrySet()) {
            String before = saved.path(e.getKey()).asText(null);
            if (!RESUMABLE_CHANGES.contains(e.getKey()) && before != null && !before.equals(e.getValue())) {
                differences.add(e.getKey() + " was '" + before + "', now '" + e.getValue() + "'");
            }
        }
        if (!differences.isEmpty()) {
            throw new BadInputException(out + ": cannot resume with different settings: " + String.join("; ", differences));
        }
        // Native BLAS and our kernel round differently: a run resumed on the other one matches neither's
        // uninterrupted result, so it must be asked for (OpenBLAS installed between run and resume flips auto).
        String gemm = info.path("gemm").asText(null);
        String now = GemmBackend.describe();
        if (gemm != null && !gemm.equals(now) && !"true".equals(config.get("train.allowBackendChange"))) {
            throw new BadInputException(out + ": cannot resume: the checkpoint was trained with GEMM " + gemm + ", this JVM uses "
                    + now + " (set SEQTRAIN_GEMM=" + (gemm.equals("java-vector") ? "java" : "native")
                    + " to match, or --set train.allowBackendChange=true to continue anyway)");
        }
    }

    private List<String> readMetrics(FileSystem fs, int upToEvaluation) throws IOException {
        Path p = new Path(out, "metrics.jsonl");
        List<String> kept = new ArrayList<>();
        if (!fs.exists(p)) {
            return kept;
        }
        // One line per evaluation: far below the bound, which keeps a stray huge file from filling the heap.
        String text = new String(ModelDirectory.readSmallFile(fs, p, 256L << 20), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                var n = JSON.readTree(line);
                if (n.path("evaluation").asInt(n.path("epoch").asInt(Integer.MAX_VALUE)) <= upToEvaluation) {
                    kept.add(line);
                }
            } catch (IOException e) {
                // A torn last line from a crash: dropped, the epoch is re-run.
            }
        }
        return kept;
    }

    /** A NaN or infinite loss or parameter after a round; {@code advice} names the settings to change. */
    static void checkFinite(ModelState s, LossSum loss, int epoch, int round, String advice) {
        if (!Double.isFinite(loss.sum())) {
            throw new TrainingDivergedException("training diverged: the loss became " + loss.sum() + " in epoch " + (epoch + 1)
                    + ", round " + (round + 1) + " (" + advice + "); nothing non-finite was saved");
        }
        for (float p : s.params()) {
            if (!Float.isFinite(p)) {
                throw new TrainingDivergedException("training diverged: a parameter became " + p + " in epoch " + (epoch + 1)
                        + ", round " + (round + 1) + " (" + advice + "); nothing non-finite was saved");
            }
        }
    }

    private ObjectNode metricsLine(int epoch, LossSum train, LossSum valid, double seconds, long examples, long timesteps,
                                   long broadcast, long compute, long computeSlowest, long computeMean, long driver,
                                   long evalNanos, int rounds, Set<WorkerInfo> executors) {
        ObjectNode n = JSON.createObjectNode();
        n.put("epoch", epoch);
        n.put("trainLoss", train.mean());
        if (valid != null) {
            n.put("validLoss", valid.mean());
        }
        taskMetrics(n, "train", train);
        if (valid != null) {
            taskMetrics(n, "valid", valid);
        }
        n.put("seconds", seconds);
        n.put("examples", examples);
        n.put("timesteps", timesteps);
        n.put("examplesPerSecond", examples / Math.max(1e-9, seconds));
        n.put("timestepsPerSecond", timesteps / Math.max(1e-9, seconds));
        n.put("rounds", rounds);
        n.put("workers", trainer.workers());
        ObjectNode t = n.putObject("timeSeconds");
        t.put("broadcast", broadcast / 1e9);
        t.put("computeAndAggregate", compute / 1e9);
        t.put("computeSlowestWorker", computeSlowest / 1e9);
        t.put("computeMeanWorker", computeMean / 1e9);
        t.put("driver", driver / 1e9);
        t.put("validation", evalNanos / 1e9);
        n.put("driverPid", ProcessHandle.current().pid());
        ArrayNode ex = n.putArray("executors");
        for (WorkerInfo w : executors) {
            ObjectNode e = ex.addObject();
            e.put("id", w.id());
            e.put("host", w.host());
            e.put("pid", w.pid());
        }
        if (!skipped.isEmpty()) {
            ObjectNode s = n.putObject("skippedRecords");
            skipped.forEach(s::put);
        }
        return n;
    }

    /** The driver's memory now and each executor's at the end of its last task, in MB. */
    private static void memoryMetrics(ObjectNode n, java.util.Collection<JvmMemory> executors) {
        memoryFields(n.putObject("driver"), JvmMemory.sample());
        ArrayNode ex = n.putArray("executors");
        for (JvmMemory m : executors) {
            memoryFields(ex.addObject(), m);
        }
    }

    private static void memoryFields(ObjectNode n, JvmMemory m) {
        n.put("pid", m.pid());
        n.put("heapUsedMb", Math.round(m.heapUsedMb() * 10) / 10.0);
        n.put("heapAfterGcMb", Math.round(m.heapAfterGcMb() * 10) / 10.0);
        n.put("rssMb", Math.round(m.rssMb() * 10) / 10.0);
        n.put("peakRssMb", Math.round(m.peakRssMb() * 10) / 10.0);
        n.put("broadcastBlocks", m.broadcastBlocks());
    }

    private void taskMetrics(ObjectNode n, String prefix, LossSum l) {
        switch (spec.loss()) {
            case SOFTMAX_CROSS_ENTROPY -> {
                n.put(prefix + "Accuracy", l.accuracy());
                if (info.vocabulary() != null) {
                    n.put(prefix + "Perplexity", Math.exp(l.mean()));
                    n.put(prefix + "BitsPerCharacter", l.mean() / Math.log(2));
                }
            }
            case SIGMOID_BINARY_CROSS_ENTROPY -> n.put(prefix + "NllPerStep", l.mean());
            case MEAN_SQUARED_ERROR -> n.put(prefix + "Rmse", Math.sqrt(l.mean()));
        }
    }

    private String progressLine(int epoch, int roundsDone, int rounds, LossSum train, LossSum valid, double stepsPerSecond,
                                double seconds, double eta, boolean improved) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("epoch %d/%d", epoch, settings.epochs()));
        if (roundsDone < rounds) {
            b.append(String.format(" (round %d/%d)", roundsDone, rounds));
        }
        b.append(String.format("  train loss %.4f", train.mean()));
        if (valid != null) {
            b.append(String.format("  valid loss %.4f%s", valid.mean(), improved ? " *" : ""));
            if (spec.loss() == LossKind.SOFTMAX_CROSS_ENTROPY) {
                b.append(info.vocabulary() != null
                        ? String.format(" (%.3f bits/char)", valid.mean() / Math.log(2))
                        : String.format(" (accuracy %.1f%%)", 100 * valid.accuracy()));
            } else if (spec.loss() == LossKind.MEAN_SQUARED_ERROR) {
                b.append(String.format(" (RMSE %.4f)", Math.sqrt(valid.mean())));
            }
        }
        b.append(String.format("  %,.0f steps/s  %.1fs  ETA %s", stepsPerSecond, seconds, duration(eta)));
        return b.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }
}
