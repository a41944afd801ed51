package dev.seqtrain.cost;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model's structure: the tree matches the trainer's, and each design scales the way its algorithm does. */
class CostModelTest {
    private static final Calibration HERE = new Calibration("test", 0.03, 0.001, 0.05, 400e6, 500e6);
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
        double ring8 = CostModel.ringAllReduce(HERE, MEDIUM, new CostModel.Cluster(8, bandwidth, 1e-4, 8), 0).total();
        double ring512 = CostModel.ringAllReduce(HERE, MEDIUM, new CostModel.Cluster(512, bandwidth, 1e-4, 8), 0).total();
        double bound = 2 * MEDIUM.stateBytes() / bandwidth + 2 * MEDIUM.stateBytes() / HERE.bytesPerSecond()
                + MEDIUM.params() * 3.0 / HERE.addsPerSecond() + 2 * 511 * 1e-4;
        assertTrue(ring512 <= bound, ring512 + " > " + bound);
        // Without message latency (which the ring pays 2·(P−1) times) its time hardly depends on P.
        double ring8Bandwidth = CostModel.ringAllReduce(HERE, MEDIUM, new CostModel.Cluster(8, bandwidth, 0, 8), 0).total();
        double ring512Bandwidth = CostModel.ringAllReduce(HERE, MEDIUM, new CostModel.Cluster(512, bandwidth, 0, 8), 0).total();
        assertTrue(ring512Bandwidth < 1.2 * ring8Bandwidth, ring8Bandwidth + " vs " + ring512Bandwidth);
        assertTrue(ring8 < ring512);
        double tree8 = CostModel.broadcastAndTree(HERE, MEDIUM, new CostModel.Cluster(8, bandwidth, 1e-4, 8), 0).total();
        double tree512 = CostModel.broadcastAndTree(HERE, MEDIUM, new CostModel.Cluster(512, bandwidth, 1e-4, 8), 0).total();
        assertTrue(tree512 > 2 * tree8, tree8 + " vs " + tree512);
    }

    @Test
    void computeScalesWithKAndCommunicationDoesNot() {
        CostModel.Cluster cl = new CostModel.Cluster(64, 1.25e9, 1e-4, 8);
        CostModel.Round k1 = CostModel.broadcastAndTree(HERE, MEDIUM, cl, 1);
        CostModel.Round k25 = CostModel.broadcastAndTree(HERE, MEDIUM, cl, 25);
        assertEquals(25 * k1.compute(), k25.compute(), 1e-9);
        assertEquals(k1.total() - k1.compute(), k25.total() - k25.compute(), 1e-9);
        assertTrue(k25.communicationShare() < k1.communicationShare());
    }
}
