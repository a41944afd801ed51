package dev.seqtrain.ml;

import dev.seqtrain.data.SparkDataset;
import dev.seqtrain.io.ModelInfo;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.train.FitCheckpoints;
import dev.seqtrain.train.InMemoryTraining;
import dev.seqtrain.train.LearningRateScaling;
import dev.seqtrain.train.ParameterAveragingTrainer;
import dev.seqtrain.train.TrainerSettings;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;


/**
 * What the three estimators share: typed Params for the columns, the network and the training (the
 * same names and defaults as the config keys of {@code seqtrain train}), and {@code fit}, which reads
 * the table like the {@code parquet} reader does and trains with the parameter-averaging trainer.
 *
 * @param <M> the model it makes
 * @param <S> the concrete estimator, so setters chain
 */
public abstract class SequenceEstimator<M extends SequenceModel<M>, S extends SequenceEstimator<M, S>> extends Estimator<M>
        implements DefaultParamsWritable {
    private final String uid;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> cell;
    private final IntParam hidden;
    private final IntParam layers;
    private final DoubleParam dropout;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final IntParam workers;
    private final Param<String> averagingFrequency;
    private final BooleanParam averageOptimizerState;
    private final Param<String> learningRateScaling;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final DoubleParam clipNorm;
    private final LongParam seed;
    private final Param<String> validationIndicatorCol;
    private final IntParam patience;
    private final Param<String> checkpointDir;
    private final IntParam checkpointInterval;
    /** Params a continued fit may change (the rest must equal the checkpoint's). */
    private static final java.util.Set<String> RESUMABLE_CHANGES = java.util.Set.of("epochs", "patience", "checkpointInterval",
            "checkpointDir", "predictionCol", "probabilityCol", "rawPredictionCol");

    protected SequenceEstimator(String uid) {
        this.uid = uid;
        featuresCol = SharedParams.featuresCol(this);
        labelCol = new Param<>(this, "labelCol", "label column");
        predictionCol = SharedParams.predictionCol(this);
        cell = new Param<>(this, "cell", "recurrent cell: lstm, gru or rnn",
                ParamValidators.inArray(new String[] {"lstm", "gru", "rnn"}));
        hidden = new IntParam(this, "hidden", "hidden units per layer (>= 1)", ParamValidators.gtEq(1));
        layers = new IntParam(this, "layers", "stacked recurrent layers (>= 1)", ParamValidators.gtEq(1));
        dropout = new DoubleParam(this, "dropout", "dropout between recurrent layers, in [0, 0.9]",
                ParamValidators.inRange(0, 0.9));
        epochs = new IntParam(this, "epochs", "passes over the training data (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "sequences per minibatch per worker (>= 1)", ParamValidators.gtEq(1));
        workers = new IntParam(this, "workers", "partitions = parallel workers (0 = Spark's default parallelism)",
                ParamValidators.gtEq(0));
        averagingFrequency = new Param<>(this, "averagingFrequency",
                "local minibatches between averages: 'epoch', K >= 1, or a comma-separated list per epoch",
                (scala.Function1<String, Object>) TrainerSettings::isAveragingFrequencies);
        averageOptimizerState = new BooleanParam(this, "averageOptimizerState",
                "average optimizer state with the weights (else reset it every round)");
        learningRateScaling = new Param<>(this, "learningRateScaling", "learning rate times workers: none, linear or sqrt",
                ParamValidators.inArray(new String[] {"none", "linear", "sqrt"}));
        optimizer = new Param<>(this, "optimizer", "adam, sgd or rmsprop", ParamValidators.inArray(new String[] {"adam", "sgd", "rmsprop"}));
        learningRate = new DoubleParam(this, "learningRate", "base learning rate (> 0)", ParamValidators.gt(0));
        clipNorm = new DoubleParam(this, "clipNorm", "global gradient-norm clipping (0 = off)", ParamValidators.gtEq(0));
        seed = new LongParam(this, "seed", "seed of every random choice");
        validationIndicatorCol = new Param<>(this, "validationIndicatorCol",
                "boolean column: true marks a validation row (MLlib's GBT convention); unset = no validation");
        patience = new IntParam(this, "patience", "with validation: stop after this many epochs without a better"
                + " validation loss and keep the best epoch's weights (0 = run every epoch)", ParamValidators.gtEq(0));
        checkpointDir = new Param<>(this, "checkpointDir", "directory (any Hadoop path) for this fit's checkpoints; the same"
                + " fit run again continues from the newest; unset = no checkpoints");
        checkpointInterval = new IntParam(this, "checkpointInterval", "with checkpointDir: epochs between checkpoints"
                + " (>= 1; there is always one at the end)", ParamValidators.gtEq(1));
        setDefault(patience, 0);
        setDefault(checkpointInterval, 10);
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(cell, "lstm");
        setDefault(hidden, 64);
        setDefault(layers, 1);
        setDefault(dropout, 0.0);
        setDefault(epochs, 10);
        setDefault(batchSize, 32);
        setDefault(workers, 0);
        setDefault(averagingFrequency, "epoch");
        setDefault(averageOptimizerState, true);
        setDefault(learningRateScaling, "sqrt");
        setDefault(optimizer, "adam");
        setDefault(learningRate, 0.01);
        setDefault(clipNorm, 5.0);
        setDefault(seed, 42L);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ------------------------------------------------------------------ what a subclass decides

    /** The config's model.task: classify, regress or multilabel. */
    protected abstract String task();

    /** Trained network in, Spark ML model out (params are copied by the caller). */
    protected abstract M newModel(String uid, dev.seqtrain.io.Model engine);

    /** The column holding per-step targets (the tagger), or null when labelCol holds one label per sequence. */
    protected String targetsColumn() {
        return null;
    }

    // ------------------------------------------------------------------ fit

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        // Everything this fit caches is released at its end: a CrossValidator's many fits must not pile up.
        java.util.Set<Integer> cachedBefore = new java.util.HashSet<>(sc.getPersistentRDDs().keySet());
        String targets = targetsColumn();
        // The validation rows' name is only for messages: they come as a table, not from a path.
        String validName = isDefined(validationIndicatorCol)
                ? "the validation rows (" + getOrDefault(validationIndicatorCol) + " = true) of the input of " + uid : "";
        SparkDataset.Settings data = new SparkDataset.Settings("parquet", task(), "the input of " + uid, validName, 0, 2, 0, "",
                getOrDefault(labelCol), false, 0, Integer.MAX_VALUE, (Long) getOrDefault(seed), "", 0, 0,
                SparkDataset.Settings.DEFAULT_MAX_LINE_BYTES);
        @SuppressWarnings("unchecked")
        Dataset<Row> table = (Dataset<Row>) dataset.toDF();
        SparkDataset.Loaded loaded;
        NetworkSpec spec;
        TrainerSettings settings = trainerSettings();
        InMemoryTraining.Result result;
        try {
            String label = targets == null ? getOrDefault(labelCol) : null;
            if (isDefined(validationIndicatorCol)) {
                String ind = getOrDefault(validationIndicatorCol);
                Column marks = validationMarks(table, ind);
                loaded = SparkDataset.fromTables(sc, data, table.filter(functions.not(marks)), table.filter(marks),
                        getOrDefault(featuresCol), targets, label);
            } else {
                loaded = SparkDataset.fromTable(sc, data, table, getOrDefault(featuresCol), targets, label);
            }
            spec = networkSpec(loaded);
            ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(sc, spec, settings, loaded.examples(),
                    ParameterAveragingTrainer.Placement.DEFAULT);
            if (isDefined(checkpointDir)) {
                org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(getOrDefault(checkpointDir));
                try (FitCheckpoints checkpoints = new FitCheckpoints(dir, sc.hadoopConfiguration(),
                        (Integer) getOrDefault(checkpointInterval), fingerprint(spec, loaded))) {
                    result = InMemoryTraining.fit(trainer, spec, settings, checkpoints);
                }
            } else {
                result = InMemoryTraining.fit(trainer, spec, settings);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(uid + ": checkpoints in " + getOrDefault(checkpointDir) + ": " + e.getMessage(), e);
        } finally {
            sc.getPersistentRDDs().forEach((id, rdd) -> {
                if (!cachedBefore.contains(id)) {
                    rdd.unpersist(false);
                }
            });
        }
        ModelInfo info = new ModelInfo(null, loaded.classes(), "seqtrain " + getClass().getSimpleName() + " " + uid,
                loaded.featureMean(), loaded.featureStd(), null);
        M model = newModel(uid + "_model", new dev.seqtrain.io.Model(spec, result.params(), info));
        copyValues(model, extractParamMap());
        model.setParent(this);
        return model.withSummary(new TrainingSummary(result.trainLoss(), result.validLoss(), result.bestEpoch(),
                result.resumedAfterEpoch()));
    }

    /**
     * What makes two fits the same for {@link FitCheckpoints}: every set Param except those a continued
     * fit may change, the architecture, and the training data's classes and feature statistics (a
     * changed table changes them).
     */
    private com.fasterxml.jackson.databind.node.ObjectNode fingerprint(NetworkSpec spec, SparkDataset.Loaded loaded) {
        var fp = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        fp.put("estimator", getClass().getName());
        for (org.apache.spark.ml.param.Param<?> p : params()) {
            if (isDefined(p) && !RESUMABLE_CHANGES.contains(p.name())) {
                fp.put(p.name(), String.valueOf(getOrDefault(p)));
            }
        }
        ModelInfo info = new ModelInfo(null, loaded.classes(), "", loaded.featureMean(), loaded.featureStd(), null);
        fp.set("model", dev.seqtrain.io.ModelDirectory.toJson(spec, info));
        return fp;
    }

    /** The boolean validation column; a null mark is an error rather than silently training data. */
    private Column validationMarks(Dataset<Row> table, String name) {
        InputColumns.require(uid, table.schema(), "validationIndicatorCol", name);
        if (!(table.schema().apply(name).dataType() instanceof org.apache.spark.sql.types.BooleanType)) {
            throw new IllegalArgumentException(uid + ": validationIndicatorCol '" + name + "' has type "
                    + table.schema().apply(name).dataType().simpleString() + ", expected boolean");
        }
        long nulls = table.filter(functions.col(name).isNull()).count();
        if (nulls > 0) {
            throw new IllegalArgumentException(uid + ": validationIndicatorCol '" + name + "' is null in " + nulls + " rows");
        }
        return functions.col(name);
    }

    private NetworkSpec networkSpec(SparkDataset.Loaded d) {
        return d.networkSpec(task(), CellType.parse(getOrDefault(cell)), (Integer) getOrDefault(hidden),
                (Integer) getOrDefault(layers), (float) (double) (Double) getOrDefault(dropout));
    }

    private TrainerSettings trainerSettings() {
        OptimizerKind kind = OptimizerKind.parse(getOrDefault(optimizer));
        Optimizer opt = Optimizer.defaults(kind);
        return new TrainerSettings((Integer) getOrDefault(epochs), (Integer) getOrDefault(batchSize), (Integer) getOrDefault(workers),
                TrainerSettings.parseAveragingFrequencies(getOrDefault(averagingFrequency)), false, (Boolean) getOrDefault(averageOptimizerState), LearningRateScaling.parse(getOrDefault(learningRateScaling)),
                opt, LearningRateSchedule.constant((float) (double) (Double) getOrDefault(learningRate)),
                (Double) getOrDefault(clipNorm), 0, (Long) getOrDefault(seed), (Integer) getOrDefault(patience), 1, 1, 8, 1f);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        M probe = newModel(uid, null);
        copyValues(probe, extractParamMap());
        String label = targetsColumn() != null ? targetsColumn() : getOrDefault(labelCol);
        InputColumns.require(uid, schema, "label column", label);
        return probe.transformSchema(schema);
    }

    // ------------------------------------------------------------------ params: getters and chaining setters

    @SuppressWarnings("unchecked")
    protected S self() {
        return (S) this;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> cell() { return cell; }
    public IntParam hidden() { return hidden; }
    public IntParam layers() { return layers; }
    public DoubleParam dropout() { return dropout; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public IntParam workers() { return workers; }
    public Param<String> averagingFrequency() { return averagingFrequency; }
    public BooleanParam averageOptimizerState() { return averageOptimizerState; }
    public Param<String> learningRateScaling() { return learningRateScaling; }
    public Param<String> optimizer() { return optimizer; }
    public DoubleParam learningRate() { return learningRate; }
    public DoubleParam clipNorm() { return clipNorm; }
    public LongParam seed() { return seed; }
    public Param<String> validationIndicatorCol() { return validationIndicatorCol; }
    public IntParam patience() { return patience; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public IntParam checkpointInterval() { return checkpointInterval; }

    public S setFeaturesCol(String v) { set(featuresCol, v); return self(); }
    public S setLabelCol(String v) { set(labelCol, v); return self(); }
    public S setPredictionCol(String v) { set(predictionCol, v); return self(); }
    public S setCell(String v) { set(cell, v); return self(); }
    public S setHidden(int v) { set(hidden, v); return self(); }
    public S setLayers(int v) { set(layers, v); return self(); }
    public S setDropout(double v) { set(dropout, v); return self(); }
    public S setEpochs(int v) { set(epochs, v); return self(); }
    public S setBatchSize(int v) { set(batchSize, v); return self(); }
    public S setWorkers(int v) { set(workers, v); return self(); }
    public S setAveragingFrequency(String v) { set(averagingFrequency, v); return self(); }
    public S setAverageOptimizerState(boolean v) { set(averageOptimizerState, v); return self(); }
    public S setLearningRateScaling(String v) { set(learningRateScaling, v); return self(); }
    public S setOptimizer(String v) { set(optimizer, v); return self(); }
    public S setLearningRate(double v) { set(learningRate, v); return self(); }
    public S setClipNorm(double v) { set(clipNorm, v); return self(); }
    public S setSeed(long v) { set(seed, v); return self(); }
    public S setValidationIndicatorCol(String v) { set(validationIndicatorCol, v); return self(); }
    public S setPatience(int v) { set(patience, v); return self(); }
    public S setCheckpointDir(String v) { set(checkpointDir, v); return self(); }
    public S setCheckpointInterval(int v) { set(checkpointInterval, v); return self(); }
}
