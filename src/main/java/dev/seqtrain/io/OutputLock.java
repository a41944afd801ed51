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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer per output directory: {@code .seqtrain.lock} (a scheduler's retry that overlaps a slow
 * first attempt must not mix two runs' models, checkpoints and metrics). The file names its holder
 * (host, process id, start time, a random token), so a refused run can say who holds it.
 *
 * <p>On a local disk the lock is the operating system's ({@code fcntl}) on that file: it dies with its
 * process however the process ends (kill -9, a lost container), so a retry after a crash never waits
 * and two retries racing for a dead run's lock cannot both win; the file stays, empty while no run
 * holds it. Elsewhere (HDFS, object stores) it is
 * exclusive creation, the NameNode's create-if-absent (on object stores only as exclusive as the
 * store's conditional create); there the holder touches the file every minute, and a lock is stale, and
 * taken over, when its holder is a dead process on this host or has not touched it for
 * {@link #STALE_MINUTES} minutes (a holder on another host that was killed).
 */
public final class OutputLock implements Closeable {
    public static final String NAME = ".seqtrain.lock";
    static final long STALE_MINUTES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path path;
    private final String token;
    /** Local disks: the open lock file, whose OS lock is the run's; null on other file systems. */
    private final FileChannel channel;
    private final java.nio.file.Path localFile;
    private final JsonNode description;
    /** The local locks this JVM holds, by lock file. */
    private static final Map<java.nio.file.Path, OutputLock> HELD_HERE = new HashMap<>();
    /** Other file systems: touches the lock every minute so that it is not taken for stale; null on local disks. */
    private final ScheduledExecutorService heartbeat;

    private OutputLock(FileSystem fs, Path path, String token, FileChannel channel, java.nio.file.Path localFile,
                       JsonNode description) {
        this.fs = fs;
        this.path = path;
        this.token = token;
        this.channel = channel;
        this.localFile = localFile;
        this.description = description;
        if (channel != null) {
            this.heartbeat = null;
            return;
        }
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "seqtrain-output-lock");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::touch, 1, 1, TimeUnit.MINUTES);
    }

    /** Takes the lock of {@code dir} (created if missing), or refuses naming the run that holds it. */
    public static OutputLock acquire(FileSystem fs, Path dir) throws IOException {
        if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
            throw new BadInputException(dir + ": is a file; a run's output is a directory (name a new or existing directory)");
        }
        fs.mkdirs(dir);
        Path path = new Path(dir, NAME);
        String token = UUID.randomUUID().toString();
        byte[] content = describeThisProcess(token);
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            OutputLock lock = acquireLocally(fs, dir, path, token, content);
            if (lock != null) {
                return lock;
            }
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            if (createExclusively(fs, path, content)) {
                return new OutputLock(fs, path, token, null, null, null);
            }
            JsonNode holder = readHolder(fs, path);
            if (!isStale(fs, path, holder)) {
                throw new BadInputException(dir + ": another run is writing here (" + describe(holder) + "); wait for it,"
                        + " or delete " + path + " if that run is gone");
            }
            fs.delete(path, false);   // stale: its holder is gone
        }
        throw new BadInputException(dir + ": could not take " + path + " (another run took it first)");
    }

    /**
     * The OS lock on a local lock file; null when this file system has none (some network and FUSE mounts).
     * POSIX releases a process's lock when the process closes any descriptor of that file, so a holder
     * must never open it again: runs in this JVM are refused from {@link #HELD_HERE} without touching the
     * file, and the file is never deleted (a run that opened it just before a deletion would lock a file
     * nobody else sees); an empty file is a free lock.
     */
    private static OutputLock acquireLocally(FileSystem fs, Path dir, Path path, String token, byte[] content) throws IOException {
        java.nio.file.Path file = AtomicFiles.local(fs, path).toAbsolutePath().normalize();
        synchronized (HELD_HERE) {
            OutputLock mine = HELD_HERE.get(file);
            if (mine != null) {
                throw heldLocally(dir, path, mine.description);
            }
            boolean created = true;
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                created = false;
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException e) {
                channel.close();
                if (created) {
                    // Ours and empty: left there, the exclusive-create fallback would take it for another run's.
                    Files.deleteIfExists(file);
                }
                return null;
            }
            if (lock == null) {
                JsonNode holder = readThrough(channel);
                channel.close();   // we hold no lock on it, so closing costs the holder nothing
                throw heldLocally(dir, path, holder);
            }
            try {
                channel.truncate(0);   // a dead holder's description
                channel.write(ByteBuffer.wrap(content), 0);
                channel.force(true);
            } catch (IOException e) {
                channel.close();
                throw new IOException("cannot write the lock " + path + ": " + e.getMessage(), e);
            }
            OutputLock taken = new OutputLock(fs, path, token, channel, file, JSON.readTree(content));
            HELD_HERE.put(file, taken);
            return taken;
        }
    }

    /** The refusal when a live process (this JVM or another) holds the OS lock. */
    private static BadInputException heldLocally(Path dir, Path path, JsonNode holder) {
        return new BadInputException(dir + ": another run is writing here (" + describe(holder) + ", holding " + path
                + "); wait for it to end, or stop it");
    }

    /** The holder's description, read through a descriptor this process already has open. */
    private static JsonNode readThrough(FileChannel channel) {
        try {
            long size = channel.size();
            if (size == 0 || size > 64 * 1024) {
                return null;
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
                // read until full
            }
            return JSON.readTree(bytes.array());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean createExclusively(FileSystem fs, Path path, byte[] content) throws IOException {
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            java.nio.file.Path local = AtomicFiles.local(fs, path);
            try {
                Files.write(local, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            } catch (IOException e) {
                Files.deleteIfExists(local);   // ours, cut short by a full disk: it must not lock out the next run
                throw e;
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
        if (holder == null || !holder.hasNonNull("token")) {
            // Empty or cut short: its writer was killed between creating and filling it (which takes
            // milliseconds), or the disk was full. A minute is far beyond the write and the first touch.
            return age > TimeUnit.MINUTES.toMillis(1);
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
        if (channel != null) {
            synchronized (HELD_HERE) {
                if (HELD_HERE.remove(localFile, this)) {
                    try {
                        channel.truncate(0);   // empty: free (the file stays, see acquireLocally)
                    } finally {
                        channel.close();
                    }
                }
            }
            return;
        }
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
