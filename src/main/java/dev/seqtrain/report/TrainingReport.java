package dev.seqtrain.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqtrain.io.AtomicFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a person looks at after (or during) a run: {@code loss.png}, training and validation loss per
 * epoch beside the time split of an average round, and {@code report.html}, a static page with that
 * picture, the per-epoch table and the settings. Rebuilt from metrics.jsonl after every epoch.
 */
public final class TrainingReport {
    public static final String PAGE = "report.html";
    public static final String PICTURE = "loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;

    private TrainingReport() {
    }

    /** Writes both files into {@code runDir}, each atomically. */
    public static void write(FileSystem fs, Path runDir, String title, List<String> metricsLines, Map<String, String> config)
            throws IOException {
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : metricsLines) {
            epochs.add(JSON.readTree(line));
        }
        AtomicFiles.write(fs, new Path(runDir, PICTURE), picture(epochs));
        AtomicFiles.write(fs, new Path(runDir, PAGE), page(title, epochs, config).getBytes(StandardCharsets.UTF_8));
    }

    /** The two charts side by side in one PNG. */
    static byte[] picture(List<JsonNode> epochs) throws IOException {
        return ChartImages.pngSideBySide(List.of(lossChart(epochs), timeChart(epochs)));
    }

    private static XYChart lossChart(List<JsonNode> epochs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Loss per epoch").xAxisTitle("epoch")
                .yAxisTitle("mean loss").build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        List<Integer> x = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> valid = new ArrayList<>();
        for (JsonNode e : epochs) {
            x.add(e.path("epoch").asInt());
            train.add(e.path("trainLoss").asDouble());
            if (e.has("validLoss")) {
                valid.add(e.path("validLoss").asDouble());
            }
        }
        chart.addSeries("training", x, train);
        if (valid.size() == x.size()) {
            chart.addSeries("validation", x, valid);
        }
        return chart;
    }

    /** Milliseconds per round of each epoch, stacked: where a round's time goes. */
    private static CategoryChart timeChart(List<JsonNode> epochs) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Time per round")
                .xAxisTitle("epoch").yAxisTitle("milliseconds").build();
        style(chart.getStyler());
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        List<String> x = new ArrayList<>();
        List<Double> broadcast = new ArrayList<>();
        List<Double> compute = new ArrayList<>();
        List<Double> aggregate = new ArrayList<>();
        List<Double> driver = new ArrayList<>();
        for (JsonNode e : epochs) {
            JsonNode t = e.path("timeSeconds");
            double perRound = 1000.0 / Math.max(1, e.path("rounds").asInt(1));
            x.add(e.path("epoch").asText());
            broadcast.add(t.path("broadcast").asDouble() * perRound);
            compute.add(t.path("computeSlowestWorker").asDouble() * perRound);
            aggregate.add(Math.max(0, t.path("computeAndAggregate").asDouble() - t.path("computeSlowestWorker").asDouble()) * perRound);
            driver.add(t.path("driver").asDouble() * perRound);
        }
        chart.addSeries("slowest worker's compute", x, compute);
        chart.addSeries("scheduling + aggregation", x, aggregate);
        chart.addSeries("broadcast", x, broadcast);
        chart.addSeries("driver", x, driver);
        return chart;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setChartTitleBoxVisible(false);
        s.setPlotBorderVisible(false);
    }

    static String page(String title, List<JsonNode> epochs, Map<String, String> config) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
                        + "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}"
                        + "td.k{text-align:left;font-family:monospace}img{max-width:100%}</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        if (!epochs.isEmpty()) {
            JsonNode last = epochs.get(epochs.size() - 1);
            h.append("<p id=\"summary\">").append(epochs.size()).append(" epochs; last training loss ")
                    .append(num(last.path("trainLoss").asDouble()));
            if (last.has("validLoss")) {
                h.append(", validation loss ").append(num(last.path("validLoss").asDouble()));
            }
            h.append(String.format(Locale.ROOT, "; %,.0f timesteps/s with %d workers.</p>%n", last.path("timestepsPerSecond").asDouble(),
                    last.path("workers").asInt()));
        }
        h.append("<img id=\"charts\" src=\"").append(PICTURE).append("\" alt=\"loss per epoch and time per round\">\n");
        h.append("<h2>Epochs</h2>\n<table id=\"epochs\"><tr><th>epoch</th><th>train loss</th><th>valid loss</th><th>valid metric</th>"
                + "<th>timesteps/s</th><th>seconds</th><th>rounds</th><th>broadcast s</th><th>compute (slowest) s</th>"
                + "<th>compute + aggregation s</th><th>driver s</th><th>validation s</th></tr>\n");
        for (JsonNode e : epochs) {
            JsonNode t = e.path("timeSeconds");
            h.append("<tr><td>").append(e.path("epoch").asInt()).append("</td><td>").append(num(e.path("trainLoss").asDouble()))
                    .append("</td><td>").append(e.has("validLoss") ? num(e.path("validLoss").asDouble()) : "")
                    .append("</td><td>").append(esc(validMetric(e)))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%,.0f", e.path("timestepsPerSecond").asDouble()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", e.path("seconds").asDouble()))
                    .append("</td><td>").append(e.path("rounds").asInt());
            for (String k : new String[] {"broadcast", "computeSlowestWorker", "computeAndAggregate", "driver", "validation"}) {
                h.append("</td><td>").append(String.format(Locale.ROOT, "%.2f", t.path(k).asDouble()));
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Settings</h2>\n<table id=\"settings\">\n");
        config.forEach((k, v) -> h.append("<tr><td class=\"k\">").append(esc(k)).append("</td><td class=\"k\">").append(esc(v))
                .append("</td></tr>\n"));
        h.append("</table>\n<p>Written by seqtrain from metrics.jsonl; a static page, nothing to serve.</p>\n</body></html>\n");
        return h.toString();
    }

    private static String validMetric(JsonNode e) {
        if (e.has("validBitsPerCharacter")) {
            return String.format(Locale.ROOT, "%.3f bits/char", e.path("validBitsPerCharacter").asDouble());
        }
        if (e.has("validAccuracy")) {
            return String.format(Locale.ROOT, "%.2f%% accuracy", 100 * e.path("validAccuracy").asDouble());
        }
        if (e.has("validRmse")) {
            return String.format(Locale.ROOT, "RMSE %.4f", e.path("validRmse").asDouble());
        }
        return "";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
