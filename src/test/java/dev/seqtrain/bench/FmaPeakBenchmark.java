package dev.seqtrain.bench;

import dev.seqtrain.nn.Gemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The ceiling of any Java kernel on this machine: fused multiply-adds at the kernel's vector width
 * ({@link dev.seqtrain.nn.Gemm}'s, 16 floats with AVX-512) with no memory traffic at all, twelve
 * independent chains (more than FMA latency × FMA units, so the units never wait). A GEMM can only
 * approach this; {@code scripts/bench-gemm} prints every product's share of it, measured in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FmaPeakBenchmark {
    /** The kernels' own width, so that {@code -Dseqtrain.vectorBits} moves both sides of the comparison. */
    static final VectorSpecies<Float> SPECIES = Gemm.species();
    static final int CHAINS = 12;
    /** Loop trips per call: 12 chains × 100,000 FMAs of one vector each. */
    static final int TRIPS = 100_000;

    public float multiplier = 0.999f;
    public float addend = 0.001f;

    /** FLOPs per call of {@link #fma}: two per lane per FMA. */
    public static double flopsPerCall() {
        return 2.0 * SPECIES.length() * CHAINS * TRIPS;
    }

    @Benchmark
    public float fma() {
        FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
        FloatVector a = FloatVector.broadcast(SPECIES, addend);
        FloatVector s0 = a, s1 = a.add(1f), s2 = a.add(2f), s3 = a.add(3f), s4 = a.add(4f), s5 = a.add(5f);
        FloatVector s6 = a.add(6f), s7 = a.add(7f), s8 = a.add(8f), s9 = a.add(9f), s10 = a.add(10f), s11 = a.add(11f);
        for (int i = 0; i < TRIPS; i++) {
            s0 = s0.fma(m, a);
            s1 = s1.fma(m, a);
            s2 = s2.fma(m, a);
            s3 = s3.fma(m, a);
            s4 = s4.fma(m, a);
            s5 = s5.fma(m, a);
            s6 = s6.fma(m, a);
            s7 = s7.fma(m, a);
            s8 = s8.fma(m, a);
            s9 = s9.fma(m, a);
            s10 = s10.fma(m, a);
            s11 = s11.fma(m, a);
        }
        return s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).add(s8).add(s9).add(s10).add(s11)
                .reduceLanes(VectorOperators.ADD);
    }
}
