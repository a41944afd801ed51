package dev.seqtrain.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer per output directory: {@code .seqtrain.lock}, created exclusively (a scheduler's retry
 * that overlaps a slow first attempt must not mix two runs' models, checkpoints and metrics).
 *
 * <p>The file names its holder (host, process id, start time, a random token). Exclusive creation is
 * {@code O_EXCL} on a local disk and the NameNode's create-if-absent on HDFS; on object stores it is
 * only as exclusive as the store's conditional create. The holder touches the file every minute; a
 * lock is stale, and taken over, when its holder is a dead process on this host or when it has not
 * been touched for {@link #STALE_MINUTES} minutes (a holder on another host that was killed).
 */
public final class OutputLock implements Closeable {
    public static final String NAME = ".seqtrain.lock";
    static final long STALE_MINUTES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path path;
    private final String token;
    private final ScheduledExecutorService heartbeat;

    private OutputLock(FileSystem fs, Path path, String token) {
        this.fs = fs;
        this.path = path;
        this.token = token;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "seqtrain-output-lock");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::touch, 1, 1, TimeUnit.MINUTES);
    }

    /** Takes the lock of {@code dir} (created if missing), or refuses naming the run that holds it. */
    public static OutputLock acquire(FileSystem fs, Path dir) throws IOException {
        fs.mkdirs(dir);
        Path path = new Path(dir, NAME);
        String token = UUID.randomUUID().toString();
        byte[] content = describeThisProcess(token);
        for (int attempt = 0; attempt < 2; attempt++) {
            if (createExclusively(fs, path, content)) {
                return new OutputLock(fs, path, token);
            }
            JsonNode holder = readHolder(fs, path);
            if (holder == null || !isStale(fs, path, holder)) {
                throw new BadInputException(dir + ": another run is writing here (" + describe(holder) + "); wait for it,"
                        + " or delete " + path + " if that run is gone");
            }
            fs.delete(path, false);   // stale: its holder is gone
        }
        throw new BadInputException(dir + ": could not take " + path + " (another run took it first)");
    }

    private static boolean createExclusively(FileSystem fs, Path path, byte[] content) throws IOException {
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            java.nio.file.Path local = AtomicFiles.local(fs, path);
            try {
                Files.write(local, content, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(content);
            out.hsync();
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(path)) {
                return false;   // some file systems report the existing file as a plain IOException
            }
            throw e;
        }
    }

    private static byte[] describeThisProcess(String token) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("host", hostName());
        n.put("pid", ProcessHandle.current().pid());
        n.put("started", Instant.now().toString());
        n.put("token", token);
        return JSON.writeValueAsBytes(n);
    }

    private static JsonNode readHolder(FileSystem fs, Path path) throws IOException {
        try {
            return JSON.readTree(ModelDirectory.readSmallFile(fs, path, 64 * 1024));
        } catch (IOException | RuntimeException e) {
            return null;   // being written right now, or damaged: treated as held (the message says what to do)
        }
    }

    private static boolean isStale(FileSystem fs, Path path, JsonNode holder) throws IOException {
        long age = System.currentTimeMillis() - fs.getFileStatus(path).getModificationTime();
        if (age > TimeUnit.MINUTES.toMillis(STALE_MINUTES)) {
            return true;
        }
        if (hostName().equals(holder.path("host").asText())) {
            return ProcessHandle.of(holder.path("pid").asLong(-1)).map(p -> !p.isAlive()).orElse(true);
        }
        return false;
    }

    private static String describe(JsonNode holder) {
        if (holder == null) {
            return "its lock file is unreadable";
        }
        return "host " + holder.path("host").asText("?") + ", pid " + holder.path("pid").asText("?") + ", since "
                + holder.path("started").asText("?");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private void touch() {
        try {
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException e) {
            // The next touch may succeed; a lock left untouched for long becomes stale, which is the safe side.
        }
    }

    /** Releases the lock if it is still this run's. */
    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        JsonNode holder = readHolder(fs, path);
        if (holder != null && token.equals(holder.path("token").asText())) {
            fs.delete(path, false);
        }
    }

    /** {@link #close} for a process about to halt: failures are left to the stale-lock rule. */
    public void release() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            // the lock stays behind, and is taken over as stale (its process is gone)
        }
    }
}
