package dev.seqtrain.cost;

import java.util.ArrayList;
import java.util.List;

/**
 * Least squares with non-negative coefficients for the cost model's few constants: solve the normal
 * equations; while a coefficient comes out negative (a cost cannot be), fix it at zero and solve again.
 */
final class LeastSquares {
    private LeastSquares() {
    }

    static double[] nonNegative(List<double[]> rows, List<Double> y) {
        int k = rows.get(0).length;
        boolean[] active = new boolean[k];
        java.util.Arrays.fill(active, true);
        while (true) {
            double[] x = solve(rows, y, active);
            int worst = -1;
            for (int j = 0; j < k; j++) {
                if (active[j] && x[j] < 0 && (worst < 0 || x[j] < x[worst])) {
                    worst = j;
                }
            }
            if (worst < 0) {
                return x;
            }
            active[worst] = false;
        }
    }

    /** Ordinary least squares over the active columns (others are zero), by Gaussian elimination. */
    private static double[] solve(List<double[]> rows, List<Double> y, boolean[] active) {
        List<Integer> cols = new ArrayList<>();
        for (int j = 0; j < active.length; j++) {
            if (active[j]) {
                cols.add(j);
            }
        }
        int m = cols.size();
        double[][] a = new double[m][m + 1];
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    a[i][j] += row[cols.get(i)] * row[cols.get(j)];
                }
                a[i][m] += row[cols.get(i)] * y.get(r);
            }
        }
        // Columns differ by orders of magnitude (bytes vs counts): scale to unit diagonal first.
        double[] scale = new double[m];
        for (int i = 0; i < m; i++) {
            scale[i] = Math.sqrt(Math.max(a[i][i], 1e-300));
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                a[i][j] /= scale[i] * scale[j];
            }
            a[i][m] /= scale[i];
        }
        for (int p = 0; p < m; p++) {
            int best = p;
            for (int r = p + 1; r < m; r++) {
                if (Math.abs(a[r][p]) > Math.abs(a[best][p])) {
                    best = r;
                }
            }
            double[] t = a[p];
            a[p] = a[best];
            a[best] = t;
            for (int r = 0; r < m; r++) {
                if (r != p && a[p][p] != 0) {
                    double f = a[r][p] / a[p][p];
                    for (int c = p; c <= m; c++) {
                        a[r][c] -= f * a[p][c];
                    }
                }
            }
        }
        double[] x = new double[active.length];
        for (int i = 0; i < m; i++) {
            x[cols.get(i)] = a[i][i] == 0 ? 0 : a[i][m] / a[i][i] / scale[i];
        }
        return x;
    }
}
