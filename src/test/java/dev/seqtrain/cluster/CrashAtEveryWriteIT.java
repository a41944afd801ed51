package dev.seqtrain.cluster;

import dev.seqtrain.io.CheckpointStore;
import dev.seqtrain.io.CrashingLocalFileSystem;
import dev.seqtrain.io.ModelDirectory;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kill at every write of a run: a two-epoch run is crashed (the JVM halted, as by kill -9) before
 * each of its file-system changes in turn (each create, delete, rename and mkdirs, and just after each
 * written file is closed; {@link CrashingLocalFileSystem}), then resumed with {@code --resume}. Every
 * resume must exit 0 with the weights of a run never crashed, a model that loads, checkpoints that
 * verify, one metrics line per epoch and no temporary file left.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class CrashAtEveryWriteIT {
    private static final Pattern COUNT = Pattern.compile(Pattern.quote(CrashingLocalFileSystem.COUNT_LINE) + "(\\d+)");

    record Run(int code, String log) {
    }

    @Test
    void aRunCrashedAtAnyOfItsWritesResumesToTheSameModel() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-crash-every-write-");
        Path config = twoEpochConfig(work);
        Path site = Files.createDirectories(work.resolve("crashing-site"));
        Files.writeString(site.resolve("core-site.xml"), "<?xml version=\"1.0\"?>\n<configuration>\n  <property><name>fs.file.impl</name>"
                + "<value>" + CrashingLocalFileSystem.class.getName() + "</value></property>\n</configuration>\n");

        Path reference = work.resolve("reference");
        Run counted = train(work, site, 0, reference, false);
        assertEquals(0, counted.code(), counted.log());
        Matcher m = COUNT.matcher(counted.log());
        assertTrue(m.find(), counted.log());
        int points = Integer.parseInt(m.group(1));
        assertTrue(points > 20, "a two-epoch run makes dozens of changes, counted " + points);
        byte[] weights = Files.readAllBytes(reference.resolve("model/weights.safetensors"));

        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> verdicts = new ArrayList<>();
        for (int n = 1; n <= points; n++) {
            int point = n;
            verdicts.add(pool.submit(() -> crashAndResume(work, site, point, weights)));
        }
        List<String> failures = new ArrayList<>();
        for (Future<String> v : verdicts) {
            if (v.get() != null) {
                failures.add(v.get());
            }
        }
        pool.shutdown();
        assertTrue(failures.isEmpty(), failures.size() + " of " + points + " crash points failed:\n" + String.join("\n", failures));
    }

    /** Null when the run crashed at {@code point} resumes to the reference; else what went wrong. */
    private static String crashAndResume(Path work, Path site, int point, byte[] weights) throws Exception {
        Path out = work.resolve("crash-" + point);
        Run crashed = train(work, site, point, out, false);
        Matcher where = Pattern.compile("crash point " + point + ": (.*)").matcher(crashed.log());
        if (crashed.code() != 137 || !where.find()) {
            return "point " + point + ": expected a crash there, got exit " + crashed.code() + ": " + tail(crashed.log());
        }
        String what = "point " + point + " (" + where.group(1) + ")";
        Run resumed = train(work, null, 0, out, true);
        if (resumed.code() != 0) {
            return what + ": --resume exited " + resumed.code() + ": " + tail(resumed.log());
        }
        if (!Arrays.equals(weights, Files.readAllBytes(out.resolve("model/weights.safetensors")))) {
            return what + ": the resumed run's weights differ from a run never crashed";
        }
        Configuration conf = new Configuration();
        ModelDirectory.read(new org.apache.hadoop.fs.Path(out.resolve("model").toString()), conf);
        CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(out.resolve("checkpoints").toString()), conf);
        for (var c : store.list()) {
            store.read(c);
        }
        long lines = Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> !l.isBlank()).count();
        if (lines != 2) {
            return what + ": metrics.jsonl has " + lines + " lines, not one per epoch";
        }
        try (Stream<Path> all = Files.walk(out)) {
            List<String> left = all.map(p -> out.relativize(p).toString())
                    .filter(p -> p.endsWith(".tmp") || p.contains(".tmp-") || p.startsWith("model.next") || p.startsWith("model.prev"))
                    .toList();
            if (!left.isEmpty()) {
                return what + ": left behind " + left;
            }
        }
        return null;
    }

    /** seqtrain train in its own JVM (the job jar, as scripts/seqtrain runs it); {@code site} (the crashing file system's core-site.xml) is put first on the classpath. */
    private static Run train(Path work, Path site, int crashAt, Path out, boolean resume) throws Exception {
        String classpath = (site != null ? site + ":" : "") + Path.of("target/test-classes").toAbsolutePath() + ":"
                + Path.of("target/seqtrain-0.1.0-SNAPSHOT.jar").toAbsolutePath() + ":" + Files.readString(Path.of("target/runtime-classpath.txt")).strip();
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                "source scripts/jvm-options.sh; exec java \"${SEQTRAIN_JVM_OPTIONS[@]}\" \"$@\"", "seqtrain",
                "-D" + CrashingLocalFileSystem.PROPERTY + "=" + crashAt, "-Xmx512m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",   // short runs, two at a time on two cores
                "-Dlog4j2.configurationFile=" + Path.of("conf/log4j2-local.properties").toAbsolutePath(), "-cp", classpath,
                "dev.seqtrain.cli.Main", "train", "--config", twoEpochConfigPath(work).toString(), "--output", out.toString(),
                "--master", "local[1]", "--sample-length", "0"));
        if (resume) {
            command.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Path log = work.resolve("log-" + out.getFileName() + (resume ? "-resume" : "") + ".txt");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, "timed out");
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    private static String tail(String log) {
        List<String> lines = log.lines().filter(l -> !l.startsWith("WARNING")).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static Path twoEpochConfigPath(Path work) {
        return work.resolve("two-epochs.properties");
    }

    /** A tiny two-epoch character model: the second epoch replaces a model, the first writes one where there was none. */
    private static Path twoEpochConfig(Path work) throws Exception {
        String text = Files.readString(Path.of("data/tinyshakespeare/input.txt"), StandardCharsets.UTF_8);
        Path corpus = work.resolve("small.txt");
        Files.writeString(corpus, text.substring(0, 8_000));
        Path config = twoEpochConfigPath(work);
        Files.writeString(config, String.join("\n", "data.format=text", "data.train=" + corpus, "data.seqLength=40",
                "data.validFraction=0.1", "model.task=lm", "model.hidden=8", "train.batchSize=16", "train.workers=1",
                "train.epochs=2", "train.seed=5", ""));
        return config;
    }
}
