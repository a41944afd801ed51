package dev.seqtrain.bench;

import dev.seqtrain.nn.Gemm;
import dev.seqtrain.nn.PackedMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * How fast this machine is right now, for a benchmark that must tell its own changes from the
 * machine's (scripts/bench-first-command runs it before and after each training run). One thread
 * per core, all in step (a barrier starts each slice), alternating quarter-second slices of two loops
 * whose code never changes:
 * <ul>
 *   <li>fused multiply-adds with no memory traffic ({@link FmaPeakBenchmark#fma}), and</li>
 *   <li>charlm-small's recurrent step product (32 × 128 · 128 × 512, our Vector API kernel), which
 *       also loads its operands from the caches.</li>
 * </ul>
 * On this shared VM a step product (wide-512's 64 × 512 · 512 × 2048, in a one-thread probe like this
 * one) has been seen to drop by a third for tens of seconds while the FMAs stayed within a few percent,
 * in one JVM with no compilation in between: a level of the host, not of our code. The threads run the
 * same loop at the same time because the cores disturb each other by loop: readings taken with the
 * slices out of step gave higher step-product and lower FMA rates than in step. Prints {@code LEVEL <step GFLOP/s summed over threads> <FMA GFLOP/s summed>}.
 * Arguments: [SECONDS (3)] [THREADS (2)]; a 1.5 s warm-up comes first.
 */
public final class MachineLevel {
    private static final long SLICE_NANOS = 250_000_000L;
    private static final int M = 32, K = 128, N = 512;

    public static void main(String[] args) throws InterruptedException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(seconds, t, barrier));
        }
        workers.forEach(Thread::start);
        double step = 0, fma = 0;
        for (Worker w : workers) {
            w.join();
            step += w.stepGflops;
            fma += w.fmaGflops;
        }
        System.out.printf("LEVEL\t%.1f\t%.1f%n", step, fma);
    }

    private static final class Worker extends Thread {
        private final double seconds;
        private final CyclicBarrier barrier;
        private final float[] a = new float[M * K];
        private final float[] c = new float[M * N];
        private final PackedMatrix b;
        private final FmaPeakBenchmark peak = new FmaPeakBenchmark();
        double stepGflops;
        double fmaGflops;
        float sink;

        Worker(double seconds, long seed, CyclicBarrier barrier) {
            this.seconds = seconds;
            this.barrier = barrier;
            SplittableRandom random = new SplittableRandom(seed);
            float[] w = new float[K * N];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextDouble(-0.5, 0.5);
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) random.nextDouble(-0.5, 0.5);
            }
            b = new PackedMatrix().pack(w, 0, K, N, N, false);
        }

        @Override
        public void run() {
            measure(1.5);   // warm-up: the JIT compiles both loops
            measure(seconds);
        }

        private void measure(double totalSeconds) {
            long stepNanos = 0, fmaNanos = 0, products = 0, fmaCalls = 0;
            long slicePairs = Math.max(1, Math.round(totalSeconds * 1e9 / (2 * SLICE_NANOS)));
            for (long pair = 0; pair < slicePairs; pair++) {
                await();
                long t0 = System.nanoTime();
                do {
                    Arrays.fill(c, 0f);   // C stays bounded; the fill is 64 KB against 4 MFLOP
                    Gemm.multiply(M, a, 0, K, 1, b, c, 0, N);
                    products++;
                } while (System.nanoTime() - t0 < SLICE_NANOS);
                stepNanos += System.nanoTime() - t0;   // not counting the wait for the other threads
                await();
                long t1 = System.nanoTime();
                do {
                    sink += peak.fma();
                    fmaCalls++;
                } while (System.nanoTime() - t1 < SLICE_NANOS);
                fmaNanos += System.nanoTime() - t1;
            }
            stepGflops = 2.0 * M * N * K * products / stepNanos;
            fmaGflops = FmaPeakBenchmark.flopsPerCall() * fmaCalls / fmaNanos;
            c[0] += sink == 42 ? 1 : 0;
        }

        private void await() {
            try {
                barrier.await();
            } catch (InterruptedException | BrokenBarrierException e) {
                throw new IllegalStateException("a probe thread stopped", e);
            }
        }
    }
}
