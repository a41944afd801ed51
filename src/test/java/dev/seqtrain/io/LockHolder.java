package dev.seqtrain.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Another process holding an output directory's lock: takes it, says "held", and waits to be killed. */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = new Path(args[0]);
        OutputLock lock = OutputLock.acquire(FileSystem.getLocal(new Configuration()), dir);
        System.out.println("held");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        lock.close();
    }
}
