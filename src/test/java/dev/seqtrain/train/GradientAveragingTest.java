package dev.seqtrain.train;

import dev.seqtrain.data.Batcher;
import dev.seqtrain.data.SequenceExample;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LearningRateSchedule;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.MiniBatch;
import dev.seqtrain.nn.Network;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Optimizer;
import dev.seqtrain.nn.OptimizerKind;
import dev.seqtrain.nn.RecurrentState;
import dev.seqtrain.nn.Task;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code train.averaging=gradients} is synchronous SGD: one round with two workers, each holding one
 * batch, gives the step that single-process training takes on the two batches combined.
 */
class GradientAveragingTest {

    @Test
    void averagedGradientsEqualTheCombinedBatch() {
        NetworkSpec spec = new NetworkSpec(CellType.GRU, 3, false, 10, 2, 4, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        SplittableRandom rng = new SplittableRandom(5);
        List<Tuple2<Long, SequenceExample>> examples = new ArrayList<>();
        for (long i = 0; i < 8; i++) {
            int length = 2 + rng.nextInt(6);      // variable lengths: the positions weight the average
            float[] x = new float[length * 3];
            int[] y = new int[length];
            for (int t = 0; t < x.length; t++) {
                x[t] = (float) rng.nextGaussian();
            }
            for (int t = 0; t < length; t++) {
                y[t] = rng.nextInt(4);
            }
            examples.add(new Tuple2<>(i, new SequenceExample(length, x, null, SequenceExample.NO_LABEL, y, null)));
        }
        float lr = 0.5f;
        Optimizer sgd = new Optimizer(OptimizerKind.SGD, 0f, false, 0, 0, 0, 0, 0f);
        TrainerSettings settings = new TrainerSettings(1, 4, 2, List.of(1), true, true, LearningRateScaling.NONE, sgd, LearningRateSchedule.constant(lr), 0, 0, 9,
                0, 1, 1, 8, 1f);
        float[] start = Initializer.initialize(spec, 21, 1f);

        float[] distributed;
        try (JavaSparkContext sc = dev.seqtrain.LocalSpark.start("gradient-averaging")) {
            JavaPairRDD<Long, SequenceExample> rdd = JavaPairRDD.fromJavaRDD(sc.parallelize(examples, 2));
            ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(sc, spec, settings, rdd, null);
            assertEquals(1, trainer.roundsPerEpoch(0) > 0 ? 1 : 0);
            ModelState after = trainer.round(new ModelState(start.clone(), sgd.newState(start.length)), 0, 0)._1();
            distributed = after.params();
        }

        // Single process: one batch of all eight sequences, the mean-loss gradient, one SGD step.
        List<SequenceExample> all = new ArrayList<>();
        examples.forEach(t -> all.add(t._2()));
        MiniBatch combined = Batcher.pack(all, spec, true);
        float[] grads = new float[start.length];
        new Network(spec).forwardBackward(start, grads, combined, 0, combined.steps(),
                new RecurrentState(spec.layers(), combined.size(), spec.hidden()), null);
        float[] expected = start.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] -= lr * grads[i];
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - distributed[i]) / Math.max(1e-3, Math.abs(expected[i] - start[i])));
        }
        // Differences are float rounding of the weighted sum, relative to the size of the step.
        assertEquals(0, worst, 1e-4, "worst difference relative to the update");
    }
}
