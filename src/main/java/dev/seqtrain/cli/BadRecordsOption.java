package dev.seqtrain.cli;

import dev.seqtrain.data.BadRecord;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code --skip-bad-records} for the commands that read CSV outside training (predict, evaluate): the
 * same choice as training's {@code data.badRecords}. Without it the first malformed record is an
 * error; with it each one is skipped, counted by reason, and the first is quoted at the end.
 */
final class BadRecordsOption {
    @Option(names = "--skip-bad-records", description = "skip malformed CSV records, counting them by reason (default: the first is an error)")
    boolean skip;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private final Map<String, Long> counts = new TreeMap<>();
    private String first;

    /** Where the reader sends a skipped record, or null to make the first one an error. */
    Consumer<BadRecord> consumer() {
        if (!skip) {
            return null;
        }
        return bad -> {
            counts.merge(bad.reason(), 1L, Long::sum);
            if (first == null) {
                first = bad.message();
            }
        };
    }

    /** One line on the command's error stream when records were skipped. */
    void report() {
        if (first != null) {
            PrintWriter err = command.commandLine().getErr();
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            err.println("seqtrain: skipped " + total + " bad record" + (total == 1 ? "" : "s") + " " + counts + "; the first: " + first);
            err.flush();
        }
    }
}
