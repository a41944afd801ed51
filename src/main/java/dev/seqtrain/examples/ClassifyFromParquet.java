package dev.seqtrain.examples;

import dev.seqtrain.ml.SequenceClassifier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

/**
 * Classify sequences from a Parquet table with a Spark ML Pipeline, save it, load it, predict.
 *
 * <p>Run: {@code SEQTRAIN_MAIN=dev.seqtrain.examples.ClassifyFromParquet scripts/seqtrain [WORK_DIR] [EPOCHS]}
 * or {@code spark-submit --class dev.seqtrain.examples.ClassifyFromParquet target/seqtrain-*.jar}.
 * The tables are made from the bundled UCI Synthetic Control data (one row per 60-step series, a
 * string class name) so the example runs as it is; with your own table, start at step 2.
 */
public final class ClassifyFromParquet {
    private static final String[] PATTERNS = {"normal", "cyclic", "increasing", "decreasing", "upward shift", "downward shift"};

    private ClassifyFromParquet() {
    }

    public static void main(String[] args) throws Exception {
        String work = args.length > 0 ? args[0] : "runs/example-parquet";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        SparkSession.Builder builder = SparkSession.builder().appName("seqtrain example: classify from Parquet");
        if (System.getProperty("spark.master") == null) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");

        // 1. Parquet tables of sequences: id, values (array<double>, one per step), pattern (a class name).
        toParquet(spark, "data/synthetic_control/train.csv", work + "/train.parquet");
        toParquet(spark, "data/synthetic_control/test.csv", work + "/test.parquet");

        // 2. Read them as any Spark job would.
        Dataset<Row> train = spark.read().parquet(work + "/train.parquet");
        Dataset<Row> test = spark.read().parquet(work + "/test.parquet");

        // 3. A Pipeline: class names to label indices, features scaled in SQL, then the recurrent classifier.
        StringIndexer labels = new StringIndexer().setInputCol("pattern").setOutputCol("label");
        SQLTransformer scale = new SQLTransformer().setStatement(
                "SELECT *, transform(values, x -> (x - 30.0) / 10.0) AS features FROM __THIS__");
        SequenceClassifier classifier = new SequenceClassifier().setCell("lstm").setHidden(32).setEpochs(epochs)
                .setBatchSize(16).setLearningRate(0.01).setSeed(7);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {labels, scale, classifier}).fit(train);

        // 4. Save, load back, predict on the held-out table.
        fitted.write().overwrite().save(work + "/pipeline");
        PipelineModel loaded = PipelineModel.load(work + "/pipeline");
        Dataset<Row> predicted = loaded.transform(test);
        IndexToString names = new IndexToString().setInputCol("prediction").setOutputCol("predictedPattern")
                .setLabels(((StringIndexerModel) loaded.stages()[0]).labelsArray()[0]);
        names.transform(predicted).select("id", "pattern", "predictedPattern", "probability").show(5, false);
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predicted);
        System.out.printf("test accuracy %.3f on %d sequences; pipeline saved in %s/pipeline "
                + "(the network alone in its stages/2_*/model, for scripts/seqtrain predict)%n", accuracy, test.count(), work);
        spark.stop();
    }

    /** CSV {@code id,label,t0..t59} to Parquet {@code id, values: array<double>, pattern: string}. */
    private static void toParquet(SparkSession spark, String csv, String parquet) {
        Dataset<Row> rows = spark.read().option("header", true).option("inferSchema", true).csv(csv);
        List<Column> steps = new ArrayList<>();
        for (String c : rows.columns()) {
            if (c.matches("t\\d+")) {
                steps.add(col(c).cast("double"));
            }
        }
        Column[] names = new Column[PATTERNS.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = lit(PATTERNS[i]);
        }
        rows.select(col("id"), array(steps.toArray(Column[]::new)).as("values"),
                        element_at(array(names), col("label").plus(1)).as("pattern"))
                .write().mode("overwrite").parquet(parquet);
    }
}
