package dev.seqtrain.data;

import java.util.Map;
import java.util.TreeSet;

/**
 * What a parsed sequence's targets mean for a task: a class per sequence ({@code classify}), 0/1 per
 * step and output ({@code multilabel}), or values ({@code regress}: per-step y columns, else the label
 * as a number). {@link #check} runs in the summary pass, so a target the task cannot use is a bad
 * record with its place like any other, before anything is trained.
 */
public final class TaskTargets {
    private TaskTargets() {
    }

    /** Refuses a sequence whose targets the task cannot use (the class list is not known yet). */
    public static void check(RawSequence r, String task, String file) {
        String where = file + ": sequence '" + r.id() + "'";
        switch (task) {
            case "multilabel" -> {
                if (r.stepTargets() != null) {
                    for (float v : r.stepTargets()) {
                        if (v != 0f && v != 1f) {
                            throw new BadRecordException(BadRecordException.LABEL, where + ": multi-label target " + v + " is not 0 or 1");
                        }
                    }
                }
            }
            case "regress" -> {
                if (r.stepTargets() == null) {
                    CsvLine.parseFinite(r.label() == null ? "" : r.label(), where, "label");
                }
            }
            default -> {
            }
        }
    }

    /** The example a sequence gives for the task, with class ids from {@code classes}. */
    public static SequenceExample toExample(RawSequence r, String task, Map<String, Integer> classes, String file) {
        String where = file + ": sequence '" + r.id() + "'";
        switch (task) {
            case "classify" -> {
                Integer id = r.label() == null ? null : classes.get(r.label());
                if (id == null) {
                    throw new BadRecordException(BadRecordException.LABEL, where + ": label '" + r.label()
                            + "' is not one of the classes " + new TreeSet<>(classes.keySet()));
                }
                return new SequenceExample(r.length(), r.features(), null, id, null, null);
            }
            case "multilabel" -> {
                check(r, task, file);
                return new SequenceExample(r.length(), r.features(), null, SequenceExample.NO_LABEL, null, r.stepTargets());
            }
            default -> {
                float[] targets = r.stepTargets();
                if (targets == null) {
                    targets = new float[] {CsvLine.parseFinite(r.label(), where, "label")};
                }
                return new SequenceExample(r.length(), r.features(), null, SequenceExample.NO_LABEL, null, targets);
            }
        }
    }
}
