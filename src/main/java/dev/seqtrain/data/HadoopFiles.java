package dev.seqtrain.data;

import dev.seqtrain.io.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Input files through Hadoop's FileSystem: what a {@code data.train} value names (a file, a directory,
 * a glob, or a comma-separated list of them), how a file is cut into input splits, and how a file is
 * opened (decompressed by extension).
 *
 * <p>Only uncompressed files are split: a compressed stream can only be read from its start (bzip2 is
 * splittable in Hadoop, but its splits have no exact byte positions to count lines against), so a
 * {@code .gz}, {@code .bz2}, {@code .zst} or {@code .deflate} file is one split, streamed, never held whole.
 */
public final class HadoopFiles {
    /** Hadoop's own setting for the largest split, honoured when data.splitBytes is left at 0. */
    static final String HADOOP_MAX_SPLIT = "mapreduce.input.fileinputformat.split.maxsize";
    static final long DEFAULT_SPLIT_BYTES = 128L << 20;

    private HadoopFiles() {
    }

    /**
     * The data files a path list names, in order: entries in the order given, each entry's files sorted
     * by path. Hidden files ({@code .x}, {@code _x}) inside directories are skipped.
     */
    public static List<String> resolve(String paths, Configuration conf) throws IOException {
        List<String> out = new ArrayList<>();
        for (String entry : paths.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            List<String> files = new ArrayList<>();
            Path p = new Path(e);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = isGlob(e) ? fs.globStatus(p) : null;
            if (isGlob(e) && (matches == null || matches.length == 0)) {
                throw new BadInputException(e + ": no file matches this pattern");
            }
            if (matches == null) {
                try {
                    matches = new FileStatus[] {fs.getFileStatus(p)};
                } catch (FileNotFoundException x) {
                    throw new BadInputException(e + ": no such file or directory");
                }
            }
            for (FileStatus status : matches) {
                if (status.isFile()) {
                    files.add(status.getPath().toString());
                    continue;
                }
                var it = fs.listFiles(status.getPath(), true);
                while (it.hasNext()) {
                    var f = it.next();
                    String name = f.getPath().getName();
                    if (!name.startsWith(".") && !name.startsWith("_")) {
                        files.add(f.getPath().toString());
                    }
                }
            }
            if (files.isEmpty()) {
                throw new BadInputException(e + ": directory holds no data files");
            }
            files.sort(null);
            out.addAll(files);
        }
        if (out.isEmpty()) {
            throw new BadInputException("'" + paths + "': names no file");
        }
        return out;
    }

    private static boolean isGlob(String path) {
        return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0 || path.indexOf('{') >= 0;
    }

    /** Whether a file can be read from the middle: uncompressed files only. */
    static boolean splittable(String file, Configuration conf) {
        return codec(file, conf) == null && !file.endsWith(".zst");
    }

    private static CompressionCodec codec(String file, Configuration conf) {
        return new CompressionCodecFactory(conf).getCodec(new Path(file));
    }

    /**
     * The splits of the given files, in file order: uncompressed files in pieces of at most
     * {@code splitBytes} (0 = Hadoop's {@value #HADOOP_MAX_SPLIT}, else 128 MB), each with the hosts
     * holding its first block, so Spark can schedule the parse next to the data.
     */
    public static List<FileSplit> splits(List<String> files, long splitBytes, Configuration conf) throws IOException {
        long size = splitBytes > 0 ? splitBytes : conf.getLong(HADOOP_MAX_SPLIT, DEFAULT_SPLIT_BYTES);
        List<FileSplit> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String f = files.get(i);
            Path p = new Path(f);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus st = fs.getFileStatus(p);
            long length = st.getLen();
            boolean split = splittable(f, conf);
            long piece = split ? size : Math.max(1, length);
            long start = 0;
            do {   // an empty file is one empty split: it still has to say it holds no header or characters
                long len = Math.min(piece, length - start);
                String[] hosts = new String[0];
                if (len > 0) {
                    BlockLocation[] blocks = fs.getFileBlockLocations(st, start, 1);
                    if (blocks.length > 0) {
                        hosts = blocks[0].getHosts();
                    }
                }
                out.add(new FileSplit(i, f, start, len, length, !split, hosts));
                start += piece;
            } while (start < length);
        }
        return out;
    }

    /** The file decompressed by its extension, from its start. */
    public static InputStream open(String file, Configuration conf) throws IOException {
        Path p = new Path(file);
        InputStream raw = p.getFileSystem(conf).open(p, 1 << 16);
        if (file.endsWith(".zst")) {
            // zstd-jni ships with Spark; Hadoop's own ZStandardCodec needs libhadoop, which executors rarely have.
            return new com.github.luben.zstd.ZstdInputStreamNoFinalizer(raw);
        }
        CompressionCodec c = codec(file, conf);
        return c == null ? raw : c.createInputStream(raw);
    }

    /** An uncompressed file positioned at {@code offset}. */
    static FSDataInputStream openAt(String file, long offset, Configuration conf) throws IOException {
        Path p = new Path(file);
        FSDataInputStream in = p.getFileSystem(conf).open(p, 1 << 16);
        in.seek(offset);
        return in;
    }

    /** The Hadoop configuration as plain strings, to ship to executors inside a closure. */
    public static Map<String, String> toMap(Configuration c) {
        Map<String, String> m = new HashMap<>();
        for (Map.Entry<String, String> e : c) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    public static Configuration fromMap(Map<String, String> m) {
        Configuration c = new Configuration(false);
        m.forEach(c::set);
        return c;
    }
}
