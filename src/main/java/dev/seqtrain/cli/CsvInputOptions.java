package dev.seqtrain.cli;

import dev.seqtrain.data.BadRecord;
import dev.seqtrain.io.BadInputException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * How the commands that read CSV outside training (predict, evaluate) read it, with the same choices
 * as training's {@code data.maxLineBytes} and {@code data.badRecords}: the longest line accepted, and
 * {@code --skip-bad-records}. Without it the first malformed record is an error; with it each one is
 * skipped, counted by reason, and the first is quoted at the end.
 */
final class CsvInputOptions {
    @Option(names = "--max-line-bytes", defaultValue = "67108864", description = "CSV: longest line accepted, in bytes")
    int maxLineBytes;

    @Option(names = "--skip-bad-records", description = "skip malformed CSV records, counting them by reason (default: the first is an error)")
    boolean skip;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private final Map<String, Long> counts = new TreeMap<>();
    private String first;

    /** Refuses values no reader can work with. */
    void check() {
        if (maxLineBytes < 16) {
            throw new BadInputException("--max-line-bytes " + maxLineBytes + ": must be at least 16");
        }
    }

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
