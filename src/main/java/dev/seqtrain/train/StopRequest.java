package dev.seqtrain.train;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM (a scheduler's timeout, a Kubernetes eviction, YARN preemption) and SIGINT as a request to
 * stop: the run finishes its current round, writes a checkpoint and exits with 128 + the signal's
 * number, printing where to resume from.
 *
 * <p>Why not the JVM's default: it runs the shutdown hooks at once, Spark's among them, which stops
 * the SparkContext under the running job; the run then dies with a page of stack traces and without
 * the checkpoint of the round it was in. If the round and its checkpoint do not finish within the
 * grace period (or a second signal comes), the run is abandoned: {@code onAbandon} runs (it releases
 * the output lock), one line names the last checkpoint, and the process halts; the checkpoints on
 * disk are complete either way, as they are after a SIGKILL.
 */
public final class StopRequest implements AutoCloseable {
    private static final Map<String, Integer> NUMBERS = Map.of("TERM", 15, "INT", 2);

    private final long graceSeconds;
    private final PrintStream console;
    private final Runnable onAbandon;
    private final Map<Signal, SignalHandler> previous = new java.util.HashMap<>();
    private volatile String signal;
    private String resumeHint = "no checkpoint yet";

    private StopRequest(long graceSeconds, PrintStream console, Runnable onAbandon) {
        this.graceSeconds = graceSeconds;
        this.console = console;
        this.onAbandon = onAbandon;
    }

    /** Installs the handlers for SIGTERM and SIGINT (restored by {@link #close}). */
    public static StopRequest install(long graceSeconds, PrintStream console, Runnable onAbandon) {
        StopRequest r = new StopRequest(graceSeconds, console, onAbandon);
        for (String name : NUMBERS.keySet()) {
            try {
                Signal s = new Signal(name);
                r.previous.put(s, Signal.handle(s, r::received));
            } catch (IllegalArgumentException e) {
                // The platform does not let us handle this signal: its default behaviour stays.
            }
        }
        return r;
    }

    private void received(Signal s) {
        if (signal != null) {
            abandon("a second SIG" + s.getName());
            return;
        }
        signal = "SIG" + s.getName();
        console.printf("seqtrain: %s received: stopping after the current round (at most %d s)%n", signal, graceSeconds);
        Thread watchdog = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(graceSeconds);
            } catch (InterruptedException e) {
                return;
            }
            abandon("train.stopGraceSeconds=" + graceSeconds + " passed");
        }, "seqtrain-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private synchronized void abandon(String why) {
        try {
            onAbandon.run();
        } finally {
            console.printf("seqtrain: stopped by %s before the round's checkpoint (%s); %s%n", signal, why, resumeHint);
            console.flush();
            Runtime.getRuntime().halt(exitCode());
        }
    }

    /** The signal's name once one came (e.g. "SIGTERM"), else null. */
    public String requested() {
        return signal;
    }

    /** 128 + the signal's number, the shell's convention for a process ended by a signal. */
    public int exitCode() {
        String name = signal == null ? "TERM" : signal.substring(3);
        return 128 + NUMBERS.getOrDefault(name, 15);
    }

    /** What the abandon line says: where the newest checkpoint is and how to continue. */
    public synchronized void setResumeHint(String hint) {
        this.resumeHint = hint;
    }

    @Override
    public void close() {
        previous.forEach((s, h) -> {
            try {
                Signal.handle(s, h);
            } catch (IllegalArgumentException e) {
                // nothing to restore
            }
        });
    }
}
