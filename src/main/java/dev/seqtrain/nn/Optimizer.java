package dev.seqtrain.nn;

/**
 * One update of flat parameters from flat gradients: SGD (with momentum, optionally Nesterov), Adam
 * and RMSProp, each with optional L2 weight decay (added to the gradient, as PyTorch's
 * {@code weight_decay} does). The formulas are PyTorch's, so a run here and there diverge only by
 * rounding.
 *
 * @param kind        update rule
 * @param momentum    SGD momentum (0 = plain SGD)
 * @param nesterov    Nesterov momentum for SGD
 * @param beta1       Adam first-moment decay
 * @param beta2       Adam second-moment decay
 * @param rho         RMSProp mean-square decay
 * @param epsilon     added to the denominator of Adam and RMSProp
 * @param weightDecay L2 penalty coefficient
 */
public record Optimizer(OptimizerKind kind, float momentum, boolean nesterov, float beta1, float beta2, float rho,
                        float epsilon, float weightDecay) implements java.io.Serializable {

    public static Optimizer defaults(OptimizerKind kind) {
        return new Optimizer(kind, kind == OptimizerKind.SGD ? 0.9f : 0f, false, 0.9f, 0.999f, 0.99f, 1e-8f, 0f);
    }

    public OptimizerState newState(int parameters) {
        return new OptimizerState(kind, parameters);
    }

    /** Applies one step at learning rate {@code lr}; {@code grads} is read, not modified. */
    public void step(float[] params, float[] grads, OptimizerState state, float lr) {
        state.step++;
        switch (kind) {
            case SGD -> sgd(params, grads, state.slots[0], lr);
            case ADAM -> adam(params, grads, state.slots[0], state.slots[1], state.step, lr);
            case RMSPROP -> rmsprop(params, grads, state.slots[0], lr);
        }
    }

    private float decayed(float[] params, float[] grads, int i) {
        return weightDecay == 0f ? grads[i] : grads[i] + weightDecay * params[i];
    }

    private void sgd(float[] p, float[] g, float[] velocity, float lr) {
        for (int i = 0; i < p.length; i++) {
            float d = decayed(p, g, i);
            if (momentum != 0f) {
                velocity[i] = momentum * velocity[i] + d;
                d = nesterov ? d + momentum * velocity[i] : velocity[i];
            }
            p[i] -= lr * d;
        }
    }

    private void adam(float[] p, float[] g, float[] m, float[] v, long t, float lr) {
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / c1);
        float sqrtC2 = (float) Math.sqrt(c2);
        for (int i = 0; i < p.length; i++) {
            float d = decayed(p, g, i);
            m[i] = beta1 * m[i] + (1 - beta1) * d;
            v[i] = beta2 * v[i] + (1 - beta2) * d * d;
            p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtC2 + epsilon);
        }
    }

    private void rmsprop(float[] p, float[] g, float[] meanSquare, float lr) {
        for (int i = 0; i < p.length; i++) {
            float d = decayed(p, g, i);
            meanSquare[i] = rho * meanSquare[i] + (1 - rho) * d * d;
            p[i] -= lr * d / ((float) Math.sqrt(meanSquare[i]) + epsilon);
        }
    }

    /**
     * Scales {@code grads} so that their global L2 norm is at most {@code maxNorm} (no-op when
     * {@code maxNorm <= 0}); returns the norm before clipping.
     */
    public static double clipGlobalNorm(float[] grads, double maxNorm) {
        double sq = 0;
        for (float x : grads) {
            sq += (double) x * x;
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (int i = 0; i < grads.length; i++) {
                grads[i] *= scale;
            }
        }
        return norm;
    }
}
