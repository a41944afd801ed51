package dev.seqtrain.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes a file so that readers see either the old file or the complete new one: the bytes go to a
 * hidden temporary name in the same directory, then a rename moves them into place. (On object
 * stores without atomic rename this is a copy; checksums recorded elsewhere catch a partial file.)
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What goes into the file, written to a stream it must flush but not close. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        write(fs, target, out -> out.write(bytes));
    }

    /**
     * Streams the file's bytes from {@code body} (so it is never held whole) and moves them into place.
     * Whatever the body throws (a bad input record, a full disk) leaves the old file and no temporary one.
     */
    public static void write(FileSystem fs, Path target, Body body) throws IOException {
        if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
            // Said before the body runs: predict would otherwise stream a whole input to find out at the rename.
            throw new BadInputException(target + ": is a directory; name the file to write");
        }
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            body.writeTo(out);
            out.hsync();
        } catch (IOException | FSError e) {
            fs.delete(tmp, false);   // a full disk must not leave partial temporary files behind
            IOException io = e instanceof FSError local ? asIOException(local) : (IOException) e;
            throw new IOException("cannot write " + target + ": " + io.getMessage(), io);
        } catch (RuntimeException | Error e) {
            fs.delete(tmp, false);
            throw e;
        }
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            // rename(2) replaces the old file in one step: there is no moment without it.
            try {
                Files.move(local(fs, tmp), local(fs, target), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                fs.delete(tmp, false);
                throw new IOException("cannot rename " + tmp + " to " + target + ": " + e.getMessage(), e);
            }
            return;
        }
        // Hadoop's rename does not replace: delete first (a reader in between sees no file, never a partial one).
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    /**
     * Deletes the temporary files a killed writer of {@code targets} left in {@code dir}. Only for a
     * caller that is the directory's one writer (it holds its {@link OutputLock}): another writer's
     * temporary file is indistinguishable from a dead one's.
     */
    public static void deleteLeftovers(FileSystem fs, Path dir, java.util.Collection<String> targets) throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            for (String target : targets) {
                if (st.isFile() && name.startsWith("." + target + ".") && name.endsWith(".tmp")
                        && name.length() == target.length() + 2 + 36 + 4) {   // "." target "." UUID ".tmp"
                    fs.delete(st.getPath(), false);
                }
            }
        }
    }

    /**
     * Hadoop's local file system reports a failed write (a full disk, an I/O error) as {@link FSError},
     * an {@link Error}, not an {@link IOException}: this turns it back into the IOException it wraps,
     * so that the callers' clean-up and messages apply.
     */
    public static IOException asIOException(FSError e) {
        return e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }

    static java.nio.file.Path local(FileSystem fs, Path p) {
        return java.nio.file.Path.of(fs.makeQualified(p).toUri().getPath());
    }
}
