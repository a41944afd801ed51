package dev.seqtrain.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local file system with a crash at its N-th change ({@code -Dseqtrain.crashAtWrite=N}): before
 * the N-th create, delete, rename or mkdirs, or just after the N-th close of a written file, the JVM
 * halts as {@code kill -9} would (no finally blocks, no shutdown hooks). N = 0 only counts, and prints
 * the count at exit, so a test can crash a run at each of its changes in turn. Installed through
 * {@code fs.file.impl} in a {@code core-site.xml} on the classpath; a run's changes come from the
 * driver in a fixed order, so point N is the same change in every run of one config.
 */
public class CrashingLocalFileSystem extends LocalFileSystem {
    public static final String PROPERTY = "seqtrain.crashAtWrite";
    public static final String COUNT_LINE = "crash points passed: ";
    private static final long CRASH_AT = Long.getLong(PROPERTY, 0);
    private static final AtomicLong CHANGES = new AtomicLong();

    static {
        if (CRASH_AT == 0) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(COUNT_LINE + CHANGES.get())));
        }
    }

    private static void change(String what) {
        long n = CHANGES.incrementAndGet();
        if (n == CRASH_AT) {
            System.err.println("crash point " + n + ": " + what);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
                                     long blockSize, Progressable progress) throws IOException {
        change("create " + f);
        FSDataOutputStream real = super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        OutputStream closing = new FilterOutputStream(real) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                real.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                real.close();
                if (!closed) {
                    closed = true;
                    change("closed " + f);
                }
            }
        };
        return new FSDataOutputStream(closing, null) {
            @Override
            public void hsync() throws IOException {
                real.hsync();
            }
        };
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        if (exists(f)) {
            change("delete " + f);
        }
        return super.delete(f, recursive);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        change("rename " + src + " -> " + dst);
        return super.rename(src, dst);
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        if (!exists(f)) {
            change("mkdirs " + f);
        }
        return super.mkdirs(f);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        if (!exists(f)) {
            change("mkdirs " + f);
        }
        return super.mkdirs(f, permission);
    }
}
