package dev.seqtrain.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.Task;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A disk that fills up while the model or a checkpoint is written: one clear error, the previous
 * model and checkpoints intact, no partial files left behind (issue #13, item 8). The disk is a
 * local file system whose writes fail, as ENOSPC does, once a byte budget is spent.
 */
class DiskFullTest {
    @TempDir
    java.nio.file.Path dir;

    /**
     * {@code full://} paths: the local disk with at most {@link #budget} more bytes written. A write past
     * it fails as ENOSPC does: on HDFS an IOException, on Hadoop's local file system an {@link FSError}
     * (an Error, which a {@code catch (IOException)} does not see) when {@link #asLocalDisk}.
     */
    public static final class FullDisk extends RawLocalFileSystem {
        static final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        static volatile boolean asLocalDisk;

        static void noSpace() throws IOException {
            IOException enospc = new IOException("No space left on device");
            if (!asLocalDisk) {
                throw enospc;
            }
            try {
                Constructor<FSError> c = FSError.class.getDeclaredConstructor(Throwable.class);   // package-private in Hadoop
                c.setAccessible(true);
                throw c.newInstance(enospc);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public URI getUri() {
            return URI.create("full:///");
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
                                         long blockSize, Progressable progress) throws IOException {
            return limited(super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
        }

        @Override
        public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                         Progressable progress) throws IOException {
            return limited(super.create(f, overwrite, bufferSize, replication, blockSize, progress));
        }

        private static FSDataOutputStream limited(FSDataOutputStream real) {
            return new FSDataOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (budget.addAndGet(-len) < 0) {
                        noSpace();
                    }
                    real.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            }, null);
        }
    }

    private static Configuration conf() {
        Configuration conf = new Configuration();
        conf.setClass("fs.full.impl", FullDisk.class, FileSystem.class);
        conf.setBoolean("fs.full.impl.disable.cache", true);
        return conf;
    }

    private static Model model(long seed) {
        NetworkSpec spec = new NetworkSpec(CellType.LSTM, 5, true, 8, 1, 5, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        return new Model(spec, Initializer.initialize(spec, seed, 1f), new ModelInfo(List.of("a", "b", "c", "d", "e"), null,
                "test", null, null, null));
    }

    @ParameterizedTest(name = "local disk: {0}")
    @ValueSource(booleans = {false, true})
    void aFullDiskWhileWritingTheModelKeepsThePreviousOne(boolean asLocalDisk) throws Exception {
        FullDisk.asLocalDisk = asLocalDisk;
        Path model = new Path("full://" + dir.resolve("model"));
        FullDisk.budget.set(Long.MAX_VALUE);
        Model first = model(1);
        ModelDirectory.write(model, conf(), first);
        FullDisk.budget.set(500);   // the next weights file does not fit
        IOException e = assertThrows(IOException.class, () -> ModelDirectory.write(model, conf(), model(2)));
        assertTrue(e.getMessage().contains("cannot write the model to") && e.getMessage().contains("No space left on device")
                && e.getMessage().contains("the previous one is kept"), e.getMessage());
        FullDisk.budget.set(Long.MAX_VALUE);
        assertArrayEquals(first.params(), ModelDirectory.read(model, conf()).params());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("model"), files.map(p -> p.getFileName().toString()).sorted().toList(), "no partial files");
        }
    }

    @ParameterizedTest(name = "local disk: {0}")
    @ValueSource(booleans = {false, true})
    void aFullDiskWhileWritingACheckpointKeepsThePreviousOnes(boolean asLocalDisk) throws Exception {
        FullDisk.asLocalDisk = asLocalDisk;
        FullDisk.budget.set(Long.MAX_VALUE);
        CheckpointStore store = new CheckpointStore(new Path("full://" + dir.resolve("checkpoints")), conf());
        float[] params = Initializer.initialize(model(1).spec(), 3, 1f);
        var info = new ObjectMapper().createObjectNode();
        store.write(new CheckpointStore.Checkpoint(1, params, new float[][] {params.clone()}, 10, null, info), 3);
        FullDisk.budget.set(200);
        IOException e = assertThrows(IOException.class, () -> store.write(
                new CheckpointStore.Checkpoint(2, params, new float[][] {params.clone()}, 20, null, info), 3));
        assertTrue(e.getMessage().contains("cannot write checkpoint") && e.getMessage().contains("No space left on device"),
                e.getMessage());
        FullDisk.budget.set(Long.MAX_VALUE);
        assertEquals(1, store.latestValid().epoch());
        try (var files = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(List.of("epoch-000001"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary checkpoint left");
        }
    }
}
