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

/**
 * Learning curves side by side (issue #15: one worker against PyTorch): validation loss per epoch, a
 * line per series, from a CSV of {@code series,epoch,valid_loss} rows (the series name may contain
 * commas; the last two fields are the numbers). Run with
 * {@code SEQTRAIN_MAIN=dev.seqtrain.report.CurvesChart scripts/seqtrain CURVES.csv OUT.png "TITLE" ["Y AXIS"]}.
 */
public final class CurvesChart {
    private CurvesChart() {
    }

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            int last = line.lastIndexOf(',');
            int before = line.lastIndexOf(',', last - 1);
            series.computeIfAbsent(line.substring(0, before), s -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(line.substring(before + 1, last)), Double.parseDouble(line.substring(last + 1))});
        }
        XYChart chart = new XYChartBuilder().width(720).height(440).title(args.length > 2 ? args[2] : "")
                .xAxisTitle("epoch").yAxisTitle(args.length > 3 ? args[3] : "validation loss (nats per character)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBorderVisible(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisDecimalPattern("#");
        for (var s : series.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double[] p : s.getValue()) {
                x.add(p[0]);
                y.add(p[1]);
            }
            chart.addSeries(s.getKey(), x, y);
        }
        Files.write(Path.of(args[1]), ChartImages.pngSideBySide(List.of(chart)));
        System.out.println("wrote " + args[1]);
    }
}
