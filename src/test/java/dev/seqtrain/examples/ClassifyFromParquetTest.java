package dev.seqtrain.examples;

import dev.seqtrain.io.ModelDirectory;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java example runs as shipped (fewer epochs) and leaves a pipeline the command line can read. */
class ClassifyFromParquetTest {
    @TempDir
    Path dir;

    @Test
    void runsAndSavesAPipeline() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ClassifyFromParquet.main(new String[] {dir.toString(), "15"});
        } finally {
            System.setOut(console);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("test accuracy ([0-9.]+) on 150 sequences").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Double.parseDouble(m.group(1)) > 0.8, out);
        Path stage;
        try (var stages = Files.list(dir.resolve("pipeline/stages"))) {
            stage = stages.filter(p -> p.getFileName().toString().startsWith("2_")).findFirst().orElseThrow();
        }
        assertEquals(6, ModelDirectory.read(new org.apache.hadoop.fs.Path(stage.resolve("model").toString()), new Configuration())
                .spec().outputSize());
    }
}
