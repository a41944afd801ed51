package dev.seqtrain.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.UUID;

/**
 * Writes a file so that readers see either the old file or the complete new one: the bytes go to a
 * hidden temporary name in the same directory, then a rename moves them into place. (On object
 * stores without atomic rename this is a copy; checksums recorded elsewhere catch a partial file.)
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
            out.hsync();
        }
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }
}
