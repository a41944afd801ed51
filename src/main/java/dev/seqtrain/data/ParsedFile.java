package dev.seqtrain.data;

import java.io.Serializable;
import java.util.List;

/** What a reader got from one file: its examples in file order, and the records it refused. */
public record ParsedFile(String file, List<SequenceExample> examples, List<BadRecord> bad) implements Serializable {
}
