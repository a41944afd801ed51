package dev.seqtrain.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;

/**
 * A byte range of one input file, the unit a parse task reads. A record (line, character window,
 * sequence) belongs to the split holding its first byte; the reader of a split reads past its end to
 * finish its last record, and skips the partial record it starts in.
 *
 * @param fileIndex  position of the file in the input list (records are numbered file by file)
 * @param start      first byte
 * @param length     bytes in the split
 * @param fileLength bytes in the whole file
 * @param whole      a compressed file, read as one stream from its start
 * @param hosts      where the split's first block lives (a scheduling hint)
 */
public record FileSplit(int fileIndex, String file, long start, long length, long fileLength, boolean whole, String[] hosts)
        implements Serializable {

    /** File {@code index} of an input list as one split read from its start on this JVM (decompressed by its extension). */
    static FileSplit wholeFile(int index, String file, Configuration conf) throws IOException {
        Path p = new Path(file);
        long length = p.getFileSystem(conf).getFileStatus(p).getLen();
        return new FileSplit(index, file, 0, length, length, true, new String[0]);
    }

    public long end() {
        return start + length;
    }

    /** The split starts the file: it owns the file's header line and byte-order mark. */
    public boolean first() {
        return start == 0;
    }
}
