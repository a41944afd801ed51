package dev.seqtrain.report;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report from metrics lines: a PNG of two charts and a page with one row per epoch, user text escaped. */
class TrainingReportTest {
    @TempDir
    java.nio.file.Path dir;

    private static String epoch(int e, double train, double valid) {
        return "{\"epoch\":" + e + ",\"trainLoss\":" + train + ",\"validLoss\":" + valid + ",\"validAccuracy\":0.5,"
                + "\"seconds\":2.0,\"timestepsPerSecond\":1000.0,\"rounds\":4,\"workers\":2,\"timeSeconds\":{\"broadcast\":0.04,"
                + "\"computeAndAggregate\":1.6,\"computeSlowestWorker\":1.2,\"computeMeanWorker\":1.1,\"driver\":0.08,\"validation\":0.2}}";
    }

    @Test
    void writesTheChartsAndAPageWithEveryEpoch() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int e = 1; e <= 7; e++) {
            lines.add(epoch(e, 2.0 / e, 2.2 / e));
        }
        FileSystem fs = FileSystem.getLocal(new Configuration());
        TrainingReport.write(fs, new Path(dir.toString()), "run <one>", lines, Map.of("data.train", "a&b<c>.csv"));

        BufferedImage png = ImageIO.read(dir.resolve(TrainingReport.PICTURE).toFile());
        assertEquals(1280, png.getWidth());
        assertEquals(420, png.getHeight());
        int coloured = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int rgb = png.getRGB(x, y);
                int r = rgb >> 16 & 255;
                int g = rgb >> 8 & 255;
                int b = rgb & 255;
                coloured += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80 ? 1 : 0;
            }
        }
        assertTrue(coloured > 2000, "chart series drawn: " + coloured + " coloured pixels");

        String html = Files.readString(dir.resolve(TrainingReport.PAGE));
        assertEquals(7, html.split("<tr><td>", -1).length - 1, "one row per epoch");
        assertTrue(html.contains("<title>run &lt;one&gt;</title>"));
        assertTrue(html.contains("a&amp;b&lt;c&gt;.csv"));
        assertFalse(html.contains("<c>"));
        assertTrue(html.contains("src=\"loss.png\""));
        assertTrue(html.contains("50.00% accuracy"));
        // Time per round: (1.6 - 1.2) s over 4 rounds of scheduling and aggregation in the table's seconds.
        assertTrue(html.contains("<td>1.60</td>"), html);
    }
}
