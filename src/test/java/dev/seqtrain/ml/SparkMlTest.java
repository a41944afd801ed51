package dev.seqtrain.ml;

import dev.seqtrain.cli.Main;
import dev.seqtrain.io.ModelDirectory;
import dev.seqtrain.onnx.OnnxExportTest;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimators as Spark ML users meet them: inside a Pipeline after feature transformers, under
 * CrossValidator, saved and loaded (also by the command line), and per-step tagging.
 */
class SparkMlTest {
    private static SparkSession spark;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("spark-ml").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Noisy series that rise, fall or stay flat, named by a string label; raw values around 50. */
    private static Dataset<Row> trends(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] names = {"rising", "falling", "flat"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int c = i % 3;
            int length = 8 + rng.nextInt(8);
            List<Double> raw = new ArrayList<>();
            for (int t = 0; t < length; t++) {
                double slope = c == 0 ? 1 : c == 1 ? -1 : 0;
                raw.add(50 + slope * t * 2 + rng.nextGaussian() * 1.5);
            }
            rows.add(RowFactory.create("s" + i, raw, names[c]));
        }
        StructType schema = new StructType().add("id", DataTypes.StringType)
                .add("raw", DataTypes.createArrayType(DataTypes.DoubleType)).add("trend", DataTypes.StringType);
        return spark.createDataFrame(rows, schema);
    }

    private static Pipeline pipeline(SequenceClassifier classifier) {
        StringIndexer labels = new StringIndexer().setInputCol("trend").setOutputCol("label");
        // Differences of consecutive values as the feature, computed in SQL: a transformer before ours.
        SQLTransformer diffs = new SQLTransformer().setStatement(
                "SELECT *, transform(slice(raw, 2, size(raw) - 1), (x, i) -> x - raw[i]) AS features FROM __THIS__");
        return new Pipeline().setStages(new PipelineStage[] {labels, diffs, classifier});
    }

    private static double accuracy(Dataset<Row> predicted) {
        return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predicted);
    }

    @Test
    void classifierInAPipelineSavesLoadsAndPredictsLikeTheCommandLine() throws Exception {
        SequenceClassifier clf = new SequenceClassifier().setHidden(12).setEpochs(12).setBatchSize(8).setWorkers(2)
                .setAveragingFrequency("2").setLearningRate(0.03).setSeed(5);
        PipelineModel fitted = pipeline(clf).fit(trends(150, 1));
        Dataset<Row> test = trends(60, 2);
        Dataset<Row> predicted = fitted.transform(test);
        assertTrue(accuracy(predicted) > 0.9, "accuracy " + accuracy(predicted));
        SequenceClassificationModel model = (SequenceClassificationModel) fitted.stages()[2];
        assertEquals(12, model.trainingLoss().length);
        assertTrue(model.trainingLoss()[11] < model.trainingLoss()[0]);
        // evaluate(): the task's metrics, computed by Spark's evaluators where the data is.
        Dataset<Row> prepared = fitted.stages()[1].transform(fitted.stages()[0].transform(test));
        java.util.Map<String, Double> metrics = model.evaluate(prepared, "label");
        assertEquals(accuracy(predicted), metrics.get("accuracy"), 1e-12);
        assertTrue(metrics.get("logLoss") > 0 && metrics.get("logLoss") < 1 && metrics.get("weightedF1") > 0.9, metrics.toString());

        // The same model as an ONNX file: ONNX Runtime gives the probability column (standardisation inside).
        Path onnx = dir.resolve("trends.onnx");
        model.exportOnnx(onnx.toString());
        List<Row> rows = predicted.select("features", "probability").collectAsList();
        List<float[][]> sequences = new ArrayList<>();
        for (Row r : rows) {
            List<Double> f = r.getList(0);
            float[][] s = new float[f.size()][1];
            for (int t = 0; t < f.size(); t++) {
                s[t][0] = f.get(t).floatValue();
            }
            sequences.add(s);
        }
        List<float[][]> fromOnnx = OnnxExportTest.runOnnxDense(onnx, sequences, false);
        for (int i = 0; i < rows.size(); i++) {
            double[] expected = ((Vector) rows.get(i).get(1)).toArray();
            for (int c = 0; c < expected.length; c++) {
                assertEquals(expected[c], fromOnnx.get(i)[0][c], OnnxExportTest.TOLERANCE, "row " + i + " class " + c);
            }
        }

        Path saved = dir.resolve("pipeline");
        fitted.write().overwrite().save(saved.toString());
        PipelineModel loaded = PipelineModel.load(saved.toString());
        List<Row> before = predicted.select("id", "probability", "prediction").collectAsList();
        List<Row> after = loaded.transform(test).select("id", "probability", "prediction").collectAsList();
        assertEquals(before, after);

        // The saved stage holds the engine's model directory: the command line reads it as it is.
        Path stageModel;
        try (var stages = Files.list(saved.resolve("stages"))) {
            stageModel = stages.filter(p -> p.getFileName().toString().startsWith("2_")).findFirst().orElseThrow().resolve("model");
        }
        assertEquals(3, ModelDirectory.read(new org.apache.hadoop.fs.Path(stageModel.toString()), new Configuration()).spec().outputSize());
        Row first = predicted.select("id", "features", "probability").first();
        List<Double> features = first.getList(1);
        StringBuilder csv = new StringBuilder("sequence_id,step,x0\n");
        for (int t = 0; t < features.size(); t++) {
            csv.append("a,").append(t).append(',').append(features.get(t)).append('\n');
        }
        Path in = Files.writeString(dir.resolve("one.csv"), csv);
        Path out = dir.resolve("one-predictions.csv");
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(err, true), "predict", "--model", stageModel.toString(), "--input", in.toString(),
                "--output", out.toString()), err.toString());
        String[] cli = Files.readAllLines(out).get(1).split(",");
        double[] fromCli = {Double.parseDouble(cli[1]), Double.parseDouble(cli[2]), Double.parseDouble(cli[3])};
        assertArrayEquals(((Vector) first.get(2)).toArray(), fromCli, 1e-6);
    }

    @Test
    void crossValidatorSearchesHiddenSizeAndLearningRate() {
        SequenceClassifier clf = new SequenceClassifier().setEpochs(6).setBatchSize(8).setWorkers(2).setSeed(3);
        ParamMap[] grid = new ParamGridBuilder().addGrid(clf.hidden(), new int[] {4, 12})
                .addGrid(clf.learningRate(), new double[] {0.001, 0.03}).build();
        CrossValidator cv = new CrossValidator().setEstimator(pipeline(clf)).setEstimatorParamMaps(grid).setNumFolds(2)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setSeed(1);
        CrossValidatorModel best = cv.fit(trends(120, 4));
        double[] metrics = best.avgMetrics();
        assertEquals(4, metrics.length);
        // The tiny learning rate cannot learn in six epochs; the search must notice.
        double bestMetric = 0;
        int bestIndex = -1;
        for (int i = 0; i < metrics.length; i++) {
            if (metrics[i] > bestMetric) {
                bestMetric = metrics[i];
                bestIndex = i;
            }
        }
        assertEquals(0.03, (Double) grid[bestIndex].apply(clf.learningRate()), 0.0, java.util.Arrays.toString(metrics));
        SequenceClassificationModel chosen = (SequenceClassificationModel) ((PipelineModel) best.bestModel()).stages()[2];
        assertEquals(chosen.engineModel().spec().hidden(), (int) (Integer) grid[bestIndex].apply(clf.hidden()));
    }

    @Test
    void regressorLearnsTheMeanOfASeries() throws Exception {
        SplittableRandom rng = new SplittableRandom(6);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            int length = 5 + rng.nextInt(6);
            List<Float> x = new ArrayList<>();
            double sum = 0;
            for (int t = 0; t < length; t++) {
                float v = (float) rng.nextGaussian();
                x.add(v);
                sum += v;
            }
            rows.add(RowFactory.create(x, sum / length));
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType)).add("label", DataTypes.DoubleType));
        int cachedBefore = spark.sparkContext().getPersistentRDDs().size();
        SequenceRegressionModel model = new SequenceRegressor().setHidden(16).setEpochs(30).setBatchSize(16).setWorkers(2)
                .setLearningRate(0.02).setSeed(2).fit(df);
        assertEquals(cachedBefore, spark.sparkContext().getPersistentRDDs().size(), "a fit leaves nothing cached");
        double mse = model.transform(df).selectExpr("avg((prediction - label) * (prediction - label))").first().getDouble(0);
        double variance = df.selectExpr("var_pop(label)").first().getDouble(0);
        assertTrue(mse < 0.2 * variance, "mse " + mse + " vs label variance " + variance);
        java.util.Map<String, Double> metrics = model.evaluate(df, "label");
        assertEquals(mse, metrics.get("mse"), 1e-9 * Math.max(1, mse));
        assertEquals(Math.sqrt(mse), metrics.get("rmse"), 1e-9 * Math.max(1, mse));
        Path saved = dir.resolve("regressor");
        model.write().save(saved.toString());
        SequenceRegressionModel loaded = SequenceRegressionModel.load(saved.toString());
        assertEquals(model.transform(df).select("prediction").collectAsList(), loaded.transform(df).select("prediction").collectAsList());
    }

    @Test
    void taggerLearnsADelayedEchoPerStep() throws Exception {
        // Two binary inputs per step; targets are the inputs of the previous step (multi-label, per step).
        SplittableRandom rng = new SplittableRandom(7);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int length = 6 + rng.nextInt(5);
            List<List<Double>> x = new ArrayList<>();
            List<List<Double>> y = new ArrayList<>();
            for (int t = 0; t < length; t++) {
                x.add(List.of((double) rng.nextInt(2), (double) rng.nextInt(2)));
                y.add(t == 0 ? List.of(0.0, 0.0) : x.get(t - 1));
            }
            rows.add(RowFactory.create(x, y));
        }
        var matrix = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType));
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("features", matrix).add("notes", matrix));
        SequenceTagger tagger = new SequenceTagger().setLabelCol("notes").setHidden(16).setEpochs(25).setBatchSize(16)
                .setWorkers(2).setLearningRate(0.03).setSeed(1);
        SequenceTaggingModel model = tagger.fit(df);
        List<Row> out = model.transform(df).select("notes", "prediction", "probability").collectAsList();
        long right = 0;
        long total = 0;
        for (Row r : out) {
            List<List<Double>> truth = r.getList(0);
            List<?> predicted = r.getList(1);
            for (int t = 0; t < truth.size(); t++) {
                List<?> step = (List<?>) scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) predicted.get(t));
                List<?> expected = (List<?>) scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) ((Object) truth.get(t)));
                for (int j = 0; j < 2; j++) {
                    right += step.get(j).equals(expected.get(j)) ? 1 : 0;
                    total++;
                }
            }
        }
        assertTrue(right > 0.97 * total, right + " of " + total + " labels right");
        java.util.Map<String, Double> metrics = model.evaluate(df, "notes");
        assertEquals((double) right / total, metrics.get("labelAccuracy"), 1e-12, metrics.toString());
        assertTrue(metrics.get("stepAccuracy") <= metrics.get("labelAccuracy") && metrics.get("stepAccuracy") > 0.9, metrics.toString());
        assertTrue(metrics.get("nllPerStep") > 0 && metrics.get("nllPerStep") < 0.5, metrics.toString());
        // Per step through ONNX Runtime: the probability column, step by step.
        Path onnx = dir.resolve("tagger.onnx");
        model.exportOnnx(onnx.toString());
        List<Row> probabilities = model.transform(df).select("features", "probability").limit(40).collectAsList();
        List<float[][]> sequences = new ArrayList<>();
        for (Row r : probabilities) {
            sequences.add(matrix(r.getList(0)));
        }
        List<float[][]> fromOnnx = OnnxExportTest.runOnnxDense(onnx, sequences, true);
        for (int i = 0; i < probabilities.size(); i++) {
            float[][] expected = matrix(probabilities.get(i).getList(1));
            assertEquals(expected.length, fromOnnx.get(i).length);
            for (int t = 0; t < expected.length; t++) {
                assertArrayEquals(expected[t], fromOnnx.get(i)[t], (float) OnnxExportTest.TOLERANCE, "row " + i + " step " + t);
            }
        }
        Path saved = dir.resolve("tagger");
        model.write().save(saved.toString());
        assertEquals(model.transform(df).select("prediction").collectAsList(),
                SequenceTaggingModel.load(saved.toString()).transform(df).select("prediction").collectAsList());
    }

    @Test
    void checkpointedFitContinuesToTheBytesOfAnUninterruptedOne() throws Exception {
        Dataset<Row> data = new StringIndexer().setInputCol("trend").setOutputCol("label").fit(trends(60, 11)).transform(trends(60, 11))
                .withColumn("isValid", org.apache.spark.sql.functions.expr("cast(substring(id, 2) as int) % 4 = 0"));
        SequenceClassifier clf = new SequenceClassifier().setFeaturesCol("raw").setHidden(6).setEpochs(5).setBatchSize(8)
                .setWorkers(2).setLearningRate(0.05).setSeed(8).setValidationIndicatorCol("isValid");
        SequenceClassificationModel whole = clf.fit(data);

        // The same fit interrupted after 3 epochs (a fit of 3), then run again to 5 with the same checkpointDir.
        String ckpt = dir.resolve("fit-checkpoints").toString();
        SequenceClassifier interrupted = clf.copy(new ParamMap()).setEpochs(3).setCheckpointDir(ckpt).setCheckpointInterval(2);
        interrupted.fit(data);
        assertTrue(Files.isDirectory(dir.resolve("fit-checkpoints/epoch-000003")), "a checkpoint at the end of the fit");
        SequenceClassificationModel continued = clf.copy(new ParamMap()).setCheckpointDir(ckpt).setCheckpointInterval(2).fit(data);
        assertArrayEquals(whole.engineModel().params(), continued.engineModel().params());
        assertArrayEquals(whole.summary().trainingLoss(), continued.summary().trainingLoss());
        assertArrayEquals(whole.summary().validationLoss(), continued.summary().validationLoss());
        assertEquals(whole.summary().bestEpoch(), continued.summary().bestEpoch());
        assertEquals(0, whole.summary().resumedAfterEpoch());
        assertEquals(3, continued.summary().resumedAfterEpoch(), "trained only epochs 4 and 5");
        // Run again once finished: the checkpoint at epoch 5 is the answer.
        SequenceClassificationModel again = clf.copy(new ParamMap()).setCheckpointDir(ckpt).fit(data);
        assertArrayEquals(whole.engineModel().params(), again.engineModel().params());
        assertEquals(5, again.summary().resumedAfterEpoch());

        // Another fit (other Params) into the same directory is refused, naming what differs.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> clf.copy(new ParamMap()).setHidden(7).setCheckpointDir(ckpt).fit(data));
        assertTrue(e.getMessage().contains("holds checkpoints of another fit (hidden was \"6\", now \"7\")"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("fit-checkpoints/epoch-000005")));
        assertEquals(0, Files.size(dir.resolve("fit-checkpoints/.seqtrain.lock")), "the lock is released after each fit (the file stays, empty)");
    }

    /** An array<array<double>> cell as Spark hands it to Java (inner arrays as Scala sequences). */
    private static float[][] matrix(List<?> steps) {
        float[][] m = new float[steps.size()][];
        for (int t = 0; t < m.length; t++) {
            Object step = steps.get(t);
            List<?> values = step instanceof List<?> l ? l
                    : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) step);
            m[t] = new float[values.size()];
            for (int j = 0; j < m[t].length; j++) {
                m[t][j] = ((Number) values.get(j)).floatValue();
            }
        }
        return m;
    }

    @Test
    void unfittedEstimatorsSaveAndLoadTheirParams() throws Exception {
        SequenceTagger tagger = new SequenceTagger().setTagging("regress").setHidden(7).setAveragingFrequency("1,5,epoch")
                .setLearningRateScaling("sqrt");
        tagger.write().save(dir.resolve("tagger").toString());
        SequenceTagger loaded = SequenceTagger.load(dir.resolve("tagger").toString());
        assertEquals(tagger.uid(), loaded.uid());
        assertEquals("regress", loaded.getOrDefault(loaded.tagging()));
        assertEquals(7, (int) (Integer) loaded.getOrDefault(loaded.hidden()));
        assertEquals("1,5,epoch", loaded.getOrDefault(loaded.averagingFrequency()));
        assertThrows(IllegalArgumentException.class, () -> new SequenceClassifier().setAveragingFrequency("0"));
        assertThrows(IllegalArgumentException.class, () -> new SequenceClassifier().setCell("transformer"));
    }

    @Test
    void wrongInputColumnsAreNamed() {
        Dataset<Row> df = trends(10, 9);
        SequenceClassifier clf = new SequenceClassifier().setFeaturesCol("raw").setLabelCol("missing");
        IllegalArgumentException noLabel = assertThrows(IllegalArgumentException.class, () -> clf.fit(df));
        assertTrue(noLabel.getMessage().contains("no label column 'missing'"), noLabel.getMessage());
        Exception wrongType = assertThrows(Exception.class, () -> new SequenceClassifier().setFeaturesCol("id").setLabelCol("trend").fit(df));
        assertTrue(wrongType.getMessage().contains("column 'id' has type string, expected array<array<float>> or array<float>"),
                wrongType.getMessage());
    }

    /**
     * Spark Connect's ML support finds third-party stages through ServiceLoader (without instantiating
     * them), makes one by its {@code (String uid)} constructor, sets Params by name, and loads saved
     * models through the class's static {@code load(path)}: the same steps here, by class name.
     */
    @Test
    void sparkConnectFindsTheStagesByClassName() throws Exception {
        java.util.Map<String, Class<?>> estimators = new java.util.HashMap<>();
        java.util.ServiceLoader.load(org.apache.spark.ml.Estimator.class).stream().forEach(p -> estimators.put(p.type().getName(), p.type()));
        java.util.Map<String, Class<?>> transformers = new java.util.HashMap<>();
        java.util.ServiceLoader.load(org.apache.spark.ml.Transformer.class).stream().forEach(p -> transformers.put(p.type().getName(), p.type()));
        for (Class<?> c : List.of(SequenceClassifier.class, SequenceRegressor.class, SequenceTagger.class)) {
            assertTrue(estimators.containsKey(c.getName()), c + " registered: " + estimators.keySet());
            var stage = (org.apache.spark.ml.param.Params) estimators.get(c.getName()).getConstructor(String.class).newInstance("est-1");
            assertEquals("est-1", stage.uid());
            stage.set(stage.getParam("hidden"), 7);   // what the server does with the client's Params
            assertEquals(7, (Integer) stage.getOrDefault(stage.getParam("hidden")));
        }
        for (Class<?> c : List.of(SequenceClassificationModel.class, SequenceRegressionModel.class, SequenceTaggingModel.class)) {
            assertTrue(transformers.containsKey(c.getName()), c + " registered: " + transformers.keySet());
            assertEquals("m-1", ((org.apache.spark.ml.Transformer) c.getConstructor(String.class).newInstance("m-1")).uid());
            assertTrue(java.lang.reflect.Modifier.isStatic(c.getMethod("load", String.class).getModifiers()));
        }
        // A fitted model saved, then loaded the way the server does, by name, transforms.
        Dataset<Row> data = new StringIndexer().setInputCol("trend").setOutputCol("label").fit(trends(30, 9)).transform(trends(30, 9));
        SequenceClassificationModel fitted = new SequenceClassifier().setFeaturesCol("raw").setHidden(6)
                .setEpochs(2).setBatchSize(8).setWorkers(1).setSeed(5).fit(data);
        String path = dir.resolve("connect-model").toString();
        fitted.save(path);
        var loaded = (org.apache.spark.ml.Transformer) transformers.get(SequenceClassificationModel.class.getName())
                .getMethod("load", String.class).invoke(null, path);
        assertEquals(30, loaded.transform(data).count());
        // The empty model the lookup makes says what it lacks instead of failing somewhere inside.
        var empty = new SequenceClassificationModel("m-2").setFeaturesCol("raw");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> empty.transform(trends(3, 1)));
        assertTrue(e.getMessage().contains("holds no network"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> empty.exportOnnx(dir.resolve("empty.onnx").toString()));
        assertTrue(e.getMessage().contains("holds no network"), e.getMessage());
    }

    /**
     * validationIndicatorCol and patience, as MLlib's GBT has them: validation rows are kept out of
     * training, the validation loss is in the summary for every epoch that ran, and the model holds
     * the best epoch's weights: the same bytes as a fit of exactly that many epochs on the training rows.
     */
    @Test
    void validationRowsAndEarlyStoppingKeepTheBestEpoch() throws Exception {
        Dataset<Row> data = new StringIndexer().setInputCol("trend").setOutputCol("label").fit(trends(90, 3)).transform(trends(90, 3))
                .withColumn("isValid", org.apache.spark.sql.functions.expr("cast(substring(id, 2) as int) % 5 = 0"));
        SequenceClassifier clf = new SequenceClassifier().setFeaturesCol("raw").setHidden(8).setEpochs(12).setBatchSize(8)
                .setWorkers(2).setLearningRate(0.05).setSeed(4).setValidationIndicatorCol("isValid").setPatience(2);
        SequenceClassificationModel model = clf.fit(data);
        TrainingSummary s = model.summary();
        assertEquals(s.epochsRun(), s.validationLoss().length);
        assertTrue(s.epochsRun() <= 12 && s.bestEpoch() >= 1 && s.bestEpoch() <= s.epochsRun(), s.toString());
        double[] v = s.validationLoss();
        for (int e = 0; e < v.length; e++) {
            assertTrue(v[s.bestEpoch() - 1] <= v[e], "the kept epoch has the lowest validation loss: " + java.util.Arrays.toString(v));
        }
        if (s.epochsRun() < 12) {
            assertEquals(s.bestEpoch() + 2, s.epochsRun(), "stopped after 2 epochs without improvement");
        }
        Dataset<Row> trainRows = data.filter("not isValid").drop("isValid");
        SequenceClassificationModel same = new SequenceClassifier().setFeaturesCol("raw").setHidden(8).setEpochs(s.bestEpoch())
                .setBatchSize(8).setWorkers(2).setLearningRate(0.05).setSeed(4).fit(trainRows);
        assertArrayEquals(same.engineModel().params(), model.engineModel().params());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> clf.copy(new org.apache.spark.ml.param.ParamMap()).setValidationIndicatorCol("trend").fit(data));
        assertTrue(e.getMessage().contains("validationIndicatorCol 'trend' has type string, expected boolean"), e.getMessage());
    }
}
