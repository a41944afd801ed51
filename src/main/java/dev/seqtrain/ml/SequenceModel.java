package dev.seqtrain.ml;

import dev.seqtrain.data.SqlSequences;
import dev.seqtrain.io.ModelDirectory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A trained seqtrain network as a Spark ML {@link Model}: {@code transform} appends the prediction
 * columns of the subclass; {@code write().save(path)} stores Spark's parameter metadata and the
 * engine's model directory in {@code path/model}, which {@code scripts/seqtrain predict} and the
 * PyTorch import read as they are.
 */
public abstract class SequenceModel<M extends SequenceModel<M>> extends Model<M> implements MLWritable {
    private final String uid;
    /** Transient: executors get it by broadcast, never inside a task closure. */
    private final transient dev.seqtrain.io.Model engine;
    private TrainingSummary summary = TrainingSummary.EMPTY;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;

    protected SequenceModel(String uid, dev.seqtrain.io.Model engine) {
        this.uid = uid;
        this.engine = engine;
        featuresCol = SharedParams.featuresCol(this);
        predictionCol = SharedParams.predictionCol(this);
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The engine's model: spec, parameters, class names and feature statistics. */
    public dev.seqtrain.io.Model engineModel() {
        return engine;
    }

    /**
     * Writes this model as one ONNX file at {@code path} (any Hadoop file system; replaced atomically):
     * inputs {@code input} (raw features {@code [batch, steps, features]}; the training statistics'
     * standardisation is inside the graph) and {@code sequence_lens} ({@code int32 [batch]}); outputs
     * {@code output} (what this model's prediction columns are made of: probabilities or values) and
     * {@code logits}. See {@link dev.seqtrain.onnx.OnnxExport}.
     */
    public void exportOnnx(String path) throws java.io.IOException {
        requireNetwork();
        // The session's Hadoop configuration carries the cluster's file systems and credentials.
        org.apache.hadoop.conf.Configuration conf = org.apache.spark.sql.SparkSession.getActiveSession().isDefined()
                ? org.apache.spark.sql.SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration()
                : new org.apache.hadoop.conf.Configuration();
        dev.seqtrain.onnx.OnnxExport.write(engine, new Path(path), conf);
    }

    private void requireNetwork() {
        if (engine == null) {
            throw new IllegalStateException(uid + ": this model holds no network (created empty, as Spark Connect's lookup does);"
                    + " load a saved one with " + getClass().getSimpleName() + ".load(path), or fit an estimator");
        }
    }

    /** Mean training loss of each epoch of the fit that made this model (empty after load). */
    public double[] trainingLoss() {
        return summary.trainingLoss();
    }

    /** The fit's loss history and the epoch it kept (empty after load). */
    public TrainingSummary summary() {
        return summary;
    }

    @SuppressWarnings("unchecked")
    M withSummary(TrainingSummary s) {
        this.summary = s;
        return (M) this;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    @SuppressWarnings("unchecked")
    public M setFeaturesCol(String v) {
        set(featuresCol, v);
        return (M) this;
    }

    @SuppressWarnings("unchecked")
    public M setPredictionCol(String v) {
        set(predictionCol, v);
        return (M) this;
    }

    /** The columns this model adds, in order. */
    protected abstract List<StructField> outputFields();

    /**
     * The added columns' values for one row, from its raw outputs and the predictions made of them
     * (probabilities, or values), each {@code [step][output]}.
     */
    protected abstract Object[] outputValues(float[][] raw, float[][] predicted);

    @Override
    public StructType transformSchema(StructType schema) {
        SqlSequences.arrayDepth(schema, getOrDefault(featuresCol), "the input of " + uid);
        StructType out = schema;
        for (StructField f : outputFields()) {
            if (List.of(schema.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException(uid + ": output column '" + f.name() + "' already exists in the input");
            }
            out = out.add(f);
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        requireNetwork();
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        String features = getOrDefault(featuresCol);
        int fIdx = in.fieldIndex(features);
        int depth = SqlSequences.arrayDepth(in, features, "the input of " + uid);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<dev.seqtrain.io.Model> bc = sc.broadcast(engine);
        String name = uid;
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitionsWithIndex((pid, it) -> new Predictions(it,
                new RowPredictor(bc.value(), fIdx, depth, features), this, name + ": partition " + pid + ", row "), true);
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** Input rows with the output columns appended, predicted a chunk at a time. */
    private static final class Predictions implements Iterator<Row> {
        private final Iterator<Row> in;
        private final RowPredictor predictor;
        private final SequenceModel<?> model;
        private final String where;
        private final List<Row> ready = new ArrayList<>();
        private int next;
        private long seen;

        Predictions(Iterator<Row> in, RowPredictor predictor, SequenceModel<?> model, String where) {
            this.in = in;
            this.predictor = predictor;
            this.model = model;
            this.where = where;
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) {
                return true;
            }
            ready.clear();
            next = 0;
            List<Row> chunk = new ArrayList<>(RowPredictor.CHUNK);
            while (chunk.size() < RowPredictor.CHUNK && in.hasNext()) {
                chunk.add(in.next());
            }
            if (chunk.isEmpty()) {
                return false;
            }
            RowPredictor.Outputs outputs = predictor.outputs(chunk, where + seen);
            seen += chunk.size();
            for (int i = 0; i < chunk.size(); i++) {
                Row r = chunk.get(i);
                Object[] added = model.outputValues(outputs.raw()[i], outputs.predicted()[i]);
                Object[] values = new Object[r.length() + added.length];
                for (int j = 0; j < r.length(); j++) {
                    values[j] = r.get(j);
                }
                System.arraycopy(added, 0, values, r.length(), added.length);
                ready.add(RowFactory.create(values));
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** Spark's parameter metadata in {@code path/metadata}, the engine's model directory in {@code path/model}. */
    private static final class Writer extends MLWriter {
        private final SequenceModel<?> model;

        Writer(SequenceModel<?> model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
            try {
                ModelDirectory.write(new Path(path, "model"), sc().hadoopConfiguration(), model.engine);
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": cannot write the model: " + e.getMessage(), e);
            }
        }
    }
}
