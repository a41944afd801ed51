package dev.seqtrain.data;

import dev.seqtrain.cli.Main;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training from a Parquet table (one row per sequence, array columns), and its bad rows. */
class SqlSourceTest {
    @TempDir
    Path dir;

    @Test
    void trainsFromParquetAndReportsBadRows() throws Exception {
        Path good = dir.resolve("good.parquet");
        Path bad = dir.resolve("bad.parquet");
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
                .add("label", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 60; i++) {
            boolean up = i % 2 == 0;
            int length = 3 + rng.nextInt(8);
            List<List<Float>> steps = new ArrayList<>();
            for (int t = 0; t < length; t++) {
                steps.add(Arrays.asList((float) (up ? t : -t) + (float) rng.nextGaussian() * 0.1f, (float) rng.nextGaussian()));
            }
            rows.add(RowFactory.create(steps, up ? "up" : "down"));
        }
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("parquet-fixture")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate()) {
            spark.createDataFrame(rows, schema).coalesce(1).write().parquet(good.toString());
            List<Row> broken = new ArrayList<>(rows.subList(0, 10));
            broken.add(RowFactory.create(List.of(Arrays.asList(1f, 2f), List.of(3f)), "up"));
            spark.createDataFrame(broken, schema).coalesce(1).write().parquet(bad.toString());
            List<Row> withNull = new ArrayList<>(rows.subList(0, 5));
            withNull.add(RowFactory.create(null, "up"));
            spark.createDataFrame(withNull, schema).coalesce(1).write().parquet(dir.resolve("null.parquet").toString());
            StructType wrongType = new StructType().add("features", DataTypes.StringType).add("label", DataTypes.StringType);
            spark.createDataFrame(List.of(RowFactory.create("1,2,3", "up")), wrongType).write()
                    .parquet(dir.resolve("string.parquet").toString());
        }
        Path out = dir.resolve("run");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "train", "--output", out.toString(), "--master", "local[2]",
                "--set", "data.format=parquet", "--set", "data.train=" + good, "--set", "model.task=classify",
                "--set", "model.hidden=8", "--set", "train.epochs=8", "--set", "train.batchSize=8", "--set", "train.learningRate=0.02",
                "--set", "data.validFraction=0.2", "--set", "train.workers=2");
        assertEquals(0, code, err.toString());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertTrue(metrics.get(metrics.size() - 1).contains("\"validAccuracy\""), metrics.get(0));
        String model = Files.readString(out.resolve("model/model.json"));
        assertTrue(model.contains("\"classes\" : [ \"down\", \"up\" ]"), model);

        err = new StringWriter();
        code = Main.run(new PrintWriter(err, true), "train", "--output", dir.resolve("run2").toString(), "--master", "local[1]",
                "--set", "data.format=parquet", "--set", "data.train=" + bad, "--set", "model.task=classify");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("bad.parquet: row 10: column features is ragged: step 1 has 1 values, step 0 has 2"),
                err.toString());
        // Skipped instead of refused, the bad row is counted under the category its thrower gave.
        Path skipped = dir.resolve("run-skip");
        code = Main.run(new PrintWriter(new StringWriter(), true), "train", "--output", skipped.toString(), "--master",
                "local[1]", "--set", "data.format=parquet", "--set", "data.train=" + bad, "--set", "model.task=classify",
                "--set", "data.badRecords=skip", "--set", "train.epochs=1", "--set", "model.hidden=4");
        assertEquals(0, code);
        assertTrue(Files.readString(skipped.resolve("metrics.jsonl")).contains("\"skippedRecords\":{\"ragged\":1}"),
                Files.readString(skipped.resolve("metrics.jsonl")));
        assertRefusal("null.parquet", "null.parquet: row 5: column features is null");
        assertRefusal("string.parquet", "column 'features' has type string, expected array<array<float>> or array<float>");
    }

    void assertRefusal(String table, String expected) {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(err, true), "train", "--output", dir.resolve("run-" + table).toString(), "--master",
                "local[1]", "--set", "data.format=parquet", "--set", "data.train=" + dir.resolve(table), "--set", "model.task=classify");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(expected), err.toString());
    }
}
