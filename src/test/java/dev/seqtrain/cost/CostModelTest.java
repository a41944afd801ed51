package dev.seqtrain.cost;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model's structure: the tree matches the trainer's, and each design scales the way its algorithm does. */
class CostModelTest {
    private static final Calibration HERE = new Calibration("test", 2, 0.03, 0.001, 0.05, 400e6, 500e6);
    private static final CostModel.Workload MEDIUM = new CostModel.Workload("medium", 873_793, 2, 0.5);

    @Test
    void treeLevelsFollowTheTrainersFanIn() {
        assertEquals(0, CostModel.treeLevels(8, 8));
        assertEquals(8, CostModel.finalGroups(8, 8));
        assertEquals(1, CostModel.treeLevels(9, 8));
        assertEquals(2, CostModel.finalGroups(9, 8));
        assertEquals(2, CostModel.treeLevels(512, 8));
        assertEquals(8, CostModel.finalGroups(512, 8));
    }

    @Test
    void ringTrafficIsBoundedWhileTheTreeGrowsWithExecutors() {
        double bandwidth = 1.25e9;
        double ring8 = CostModel.ringAllReduce(HERE, MEDIUM, CostModel.Cluster.ofExecutors(8, bandwidth, 1e-4, 8, 0.0005), 0).total();
        double ring512 = CostModel.ringAllReduce(HERE, MEDIUM, CostModel.Cluster.ofExecutors(512, bandwidth, 1e-4, 8, 0.0005), 0).total();
        double bound = 2 * MEDIUM.stateBytes() / bandwidth + 2 * MEDIUM.stateBytes() / HERE.bytesPerSecond()
                + MEDIUM.params() * 3.0 / HERE.addsPerSecond() + 2 * 511 * 1e-4;
        assertTrue(ring512 <= bound, ring512 + " > " + bound);
        // Without message latency (which the ring pays 2·(P−1) times) its time hardly depends on P.
        double ring8Bandwidth = CostModel.ringAllReduce(HERE, MEDIUM, CostModel.Cluster.ofExecutors(8, bandwidth, 0, 8, 0.0005), 0).total();
        double ring512Bandwidth = CostModel.ringAllReduce(HERE, MEDIUM, CostModel.Cluster.ofExecutors(512, bandwidth, 0, 8, 0.0005), 0).total();
        assertTrue(ring512Bandwidth < 1.2 * ring8Bandwidth, ring8Bandwidth + " vs " + ring512Bandwidth);
        assertTrue(ring8 < ring512);
        double tree8 = CostModel.broadcastAndTree(HERE, MEDIUM, CostModel.Cluster.ofExecutors(8, bandwidth, 1e-4, 8, 0.0005), 0).total();
        double tree512 = CostModel.broadcastAndTree(HERE, MEDIUM, CostModel.Cluster.ofExecutors(512, bandwidth, 1e-4, 8, 0.0005), 0).total();
        assertTrue(tree512 > 2 * tree8, tree8 + " vs " + tree512);
    }

    @Test
    void computeScalesWithKAndCommunicationDoesNot() {
        CostModel.Cluster cl = CostModel.Cluster.ofExecutors(64, 1.25e9, 1e-4, 8, 0.0005);
        CostModel.Round k1 = CostModel.broadcastAndTree(HERE, MEDIUM, cl, 1);
        CostModel.Round k25 = CostModel.broadcastAndTree(HERE, MEDIUM, cl, 25);
        assertEquals(25 * k1.compute(), k25.compute(), 1e-9);
        assertEquals(k1.total() - k1.compute(), k25.total() - k25.compute(), 1e-9);
        assertTrue(k25.communicationShare() < k1.communicationShare());
    }

    @Test
    void theFitRecoversKnownConstantsFromTheModelsOwnTimes() {
        // Times the model itself predicts for the probes, from known constants: the fit must find them again.
        Calibration truth = new Calibration("truth", 2, 0.04, 0.002, 0.03, 300e6, 500e6);
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        java.util.List<Double> seconds = new java.util.ArrayList<>();
        for (Calibration.Probe p : Calibration.FIT) {
            CostModel.Round r = CostModel.broadcastAndTree(truth, new CostModel.Workload("p", p.floats(), 0, 0),
                    new CostModel.Cluster(p.partitions(), 2, Double.POSITIVE_INFINITY, 0, p.fanIn(), 0), 0);
            rows.add(Calibration.features(p, 2));
            seconds.add(r.total() - Calibration.addSeconds(p, truth.addsPerSecond()) - Calibration.endpointBytes(p) / truth.bytesPerSecond());
        }
        double[] x = LeastSquares.nonNegative(rows, seconds);
        assertEquals(0.04, x[0], 1e-9);
        assertEquals(0.002, x[1], 1e-9);
        assertEquals(0.03, x[2], 1e-9);
    }
}
