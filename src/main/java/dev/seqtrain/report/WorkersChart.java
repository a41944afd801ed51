package dev.seqtrain.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plot of {@code scripts/bench-workers}' CSV: validation loss against the number of workers, a
 * line per averaging frequency, a panel per dataset. Run with
 * {@code SEQTRAIN_MAIN=dev.seqtrain.report.WorkersChart scripts/seqtrain RESULTS.csv OUT.png}.
 */
public final class WorkersChart {
    private WorkersChart() {
    }

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        // dataset → K → workers → loss; the single-worker run belongs to every K's line.
        Map<String, Map<String, TreeMap<Integer, Double>>> data = new LinkedHashMap<>();
        Map<String, Double> single = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (!f[3].equals("none")) {
                continue;
            }
            int workers = Integer.parseInt(f[1]);
            double loss = Double.parseDouble(f[4]);
            if (workers == 1) {
                single.put(f[0], loss);
                continue;
            }
            data.computeIfAbsent(f[0], d -> new LinkedHashMap<>()).computeIfAbsent("K=" + f[2], k -> new TreeMap<>()).put(workers, loss);
        }
        List<XYChart> panels = new ArrayList<>();
        for (var dataset : data.entrySet()) {
            String title = dataset.getKey().equals("lm") ? "Tiny Shakespeare, charlm-small, 2 epochs" : "Synthetic Control, 40 epochs";
            XYChart chart = new XYChartBuilder().width(620).height(420).title(title).xAxisTitle("workers (partitions)")
                    .yAxisTitle("validation loss").build();
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setPlotBorderVisible(false);
            chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setXAxisDecimalPattern("#");
            for (var k : dataset.getValue().entrySet()) {
                List<Integer> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                if (single.containsKey(dataset.getKey())) {
                    x.add(1);
                    y.add(single.get(dataset.getKey()));
                }
                k.getValue().forEach((w, l) -> {
                    x.add(w);
                    y.add(l);
                });
                chart.addSeries(k.getKey(), x, y);
            }
            panels.add(chart);
        }
        Files.write(Path.of(args[1]), ChartImages.pngSideBySide(panels));
        System.out.println("wrote " + args[1]);
    }
}
