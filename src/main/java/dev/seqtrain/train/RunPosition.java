package dev.seqtrain.train;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a run stands, as a checkpoint records it: the next round to run (epoch and round in it, both
 * 0-based), the evaluations done, and the minibatch steps each worker has taken (the largest worker's
 * count). Since a round is a pure function of its position, resuming here ends where an uninterrupted
 * run ends, mid-epoch or not.
 */
public record RunPosition(int epoch, int round, int evaluations, long steps) {
    public static final RunPosition START = new RunPosition(0, 0, 0, 0);

    void writeTo(ObjectNode n) {
        n.put("nextEpoch", epoch);
        n.put("nextRound", round);
        n.put("evaluations", evaluations);
        n.put("steps", steps);
    }

    /** From a checkpoint's bookkeeping; checkpoints written before mid-epoch positions stood at an epoch's end. */
    static RunPosition readFrom(ObjectNode n, int checkpointNumber) {
        return new RunPosition(n.path("nextEpoch").asInt(checkpointNumber), n.path("nextRound").asInt(0),
                n.path("evaluations").asInt(checkpointNumber), n.path("steps").asLong(0));
    }
}
