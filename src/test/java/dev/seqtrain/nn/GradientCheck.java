package dev.seqtrain.nn;

import java.util.SplittableRandom;

/**
 * Central finite differences against the analytic gradient, in float32 with the loss accumulated in
 * double. Two views: per coordinate (every coordinate of small tensors, a sample of large ones) and
 * along random directions through all parameters at once, where the signal is largest.
 */
final class GradientCheck {
    /** Result: the worst relative error seen and where. */
    record Report(double worstRelativeError, String where, int checked) {
    }

    interface LossFunction {
        /** Mean loss at {@code params}; when {@code grads} is not null, also adds its gradient there. */
        double evaluate(float[] params, float[] grads);
    }

    private GradientCheck() {
    }

    static Report check(ParameterLayout layout, float[] params, LossFunction f, double eps, double absFloor, long seed) {
        float[] grads = new float[params.length];
        f.evaluate(params.clone(), grads);
        SplittableRandom rng = new SplittableRandom(seed);
        double worst = 0;
        String where = "";
        int checked = 0;
        for (ParameterLayout.View v : layout.views()) {
            int n = v.size();
            int samples = Math.min(n, 12);
            for (int s = 0; s < samples; s++) {
                int i = v.offset() + (samples == n ? s : rng.nextInt(n));
                double numeric = directional(params, f, eps, new int[] {i}, new float[] {1f});
                double err = relativeError(numeric, grads[i], absFloor);
                checked++;
                if (err > worst) {
                    worst = err;
                    where = v.name() + "[" + (i - v.offset()) + "] numeric=" + numeric + " analytic=" + grads[i];
                }
            }
        }
        for (int d = 0; d < 4; d++) {
            int[] idx = new int[params.length];
            float[] dir = new float[params.length];
            double analytic = 0;
            for (int i = 0; i < params.length; i++) {
                idx[i] = i;
                dir[i] = (float) rng.nextGaussian() / (float) Math.sqrt(params.length);
                analytic += (double) dir[i] * grads[i];
            }
            double numeric = directional(params, f, eps, idx, dir);
            double err = relativeError(numeric, analytic, absFloor);
            checked++;
            if (err > worst) {
                worst = err;
                where = "random direction " + d + " numeric=" + numeric + " analytic=" + analytic;
            }
        }
        return new Report(worst, where, checked);
    }

    /**
     * Five-point central difference along {@code dir} restricted to {@code idx}: truncation error
     * O(eps⁴), so a step large enough to rise above float32 rounding noise stays accurate.
     */
    private static double directional(float[] params, LossFunction f, double eps, int[] idx, float[] dir) {
        double f1 = f.evaluate(shifted(params, idx, dir, eps), null);
        double fm1 = f.evaluate(shifted(params, idx, dir, -eps), null);
        double f2 = f.evaluate(shifted(params, idx, dir, 2 * eps), null);
        double fm2 = f.evaluate(shifted(params, idx, dir, -2 * eps), null);
        return (8 * (f1 - fm1) - (f2 - fm2)) / (12 * eps);
    }

    private static float[] shifted(float[] params, int[] idx, float[] dir, double step) {
        float[] p = params.clone();
        for (int k = 0; k < idx.length; k++) {
            p[idx[k]] = (float) (params[idx[k]] + step * dir[k]);
        }
        return p;
    }

    static double relativeError(double a, double b, double absFloor) {
        return Math.abs(a - b) / Math.max(absFloor, Math.max(Math.abs(a), Math.abs(b)));
    }
}
