package dev.seqtrain.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spark standalone cluster on 127.0.0.1 (a master and two workers, each a separate JVM,
 * started by scripts/standalone-cluster), a training run submitted to it through SparkSubmit
 * (scripts/submit, as spark-submit would), and the same run in local[2]: the cluster run must have
 * computed in executor JVMs other than the driver's, learned, written its model and checkpoints,
 * and ended with weights byte-identical to the local run's.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StandaloneClusterIT {
    static Path work;
    static Map<String, String> clusterEnv;
    static Path config;

    @BeforeAll
    static void startCluster() throws Exception {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-cluster-");
        clusterEnv = Map.of(
                "SEQTRAIN_CLUSTER_DIR", work.resolve("cluster").toString(),
                "SEQTRAIN_MASTER_PORT", String.valueOf(freePort()),
                "SEQTRAIN_MASTER_UI_PORT", String.valueOf(freePort()),
                "SEQTRAIN_WORKER_UI_PORT", String.valueOf(freePort()),
                "SEQTRAIN_WORKER_MEMORY", "1g",
                "SEQTRAIN_SUBMIT_OPTS", "--executor-memory 768m");
        String text = Files.readString(Path.of("data/tinyshakespeare/input.txt"), StandardCharsets.UTF_8);
        Path corpus = work.resolve("small.txt");
        Files.writeString(corpus, text.substring(0, 30_000));
        config = work.resolve("small.properties");
        Files.writeString(config, String.join("\n", "data.format=text", "data.train=" + corpus, "data.seqLength=50",
                "data.validFraction=0.1", "model.task=lm", "model.hidden=32", "train.batchSize=16", "train.workers=2",
                "train.averagingFrequency=3", "train.learningRate=0.01", "train.epochs=3", "train.seed=11", ""));
        Run start = run(List.of("scripts/standalone-cluster", "start"), 180);
        assertEquals(0, start.code(), start.output());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Run stop = run(List.of("scripts/standalone-cluster", "stop"), 60);
        System.out.println(stop.output());
    }

    @Test
    void trainingOnTheClusterUsesExecutorJvmsAndMatchesLocalMode() throws Exception {
        String port = clusterEnv.get("SEQTRAIN_MASTER_PORT");
        Path clusterRun = work.resolve("run-cluster");
        Run submit = run(List.of("scripts/submit", "spark://127.0.0.1:" + port, "train", "--config", config.toString(),
                "--output", clusterRun.toString(), "--sample-length", "0"), 240);
        assertEquals(0, submit.code(), submit.output());

        List<JsonNode> metrics = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(clusterRun.resolve("metrics.jsonl"))) {
            metrics.add(json.readTree(line));
        }
        assertEquals(3, metrics.size());
        for (JsonNode m : metrics) {
            long driver = m.get("driverPid").asLong();
            Set<Long> pids = new HashSet<>();
            for (JsonNode e : m.get("executors")) {
                assertEquals("127.0.0.1", e.get("host").asText());
                pids.add(e.get("pid").asLong());
            }
            assertTrue(pids.size() >= 2, "at least two executor JVMs: " + m.get("executors"));
            assertTrue(!pids.contains(driver), "executors are not the driver (" + driver + "): " + m.get("executors"));
        }
        assertTrue(metrics.get(2).get("validLoss").asDouble() < metrics.get(0).get("validLoss").asDouble(),
                "validation loss fell");
        assertTrue(Files.exists(clusterRun.resolve("model/weights.safetensors")));
        assertTrue(Files.exists(clusterRun.resolve("checkpoints/epoch-000003/state.safetensors")));

        Path localRun = work.resolve("run-local");
        Run local = run(List.of("scripts/seqtrain", "train", "--config", config.toString(), "--output", localRun.toString(),
                "--master", "local[2]", "--sample-length", "0"), 240);
        assertEquals(0, local.code(), local.output());
        assertArrayEquals(Files.readAllBytes(localRun.resolve("model/weights.safetensors")),
                Files.readAllBytes(clusterRun.resolve("model/weights.safetensors")),
                "cluster and local[2] weights are byte-identical");

        // The same run again, with an executor JVM killed (SIGKILL) once the first epoch is done: Spark
        // retries its task and recomputes its cached partition elsewhere; the result must not change.
        Path killedRun = work.resolve("run-killed");
        ProcessBuilder pb = new ProcessBuilder(List.of("scripts/submit", "spark://127.0.0.1:" + port, "train", "--config",
                config.toString(), "--output", killedRun.toString(), "--sample-length", "0")).redirectErrorStream(true);
        pb.environment().putAll(clusterEnv);
        pb.redirectOutput(work.resolve("log-killed.txt").toFile());
        Process submitted = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
        Path metricsFile = killedRun.resolve("metrics.jsonl");
        while (!(Files.exists(metricsFile) && !Files.readString(metricsFile).isBlank()) && System.nanoTime() < deadline
                && submitted.isAlive()) {
            Thread.sleep(200);
        }
        JsonNode first = json.readTree(Files.readAllLines(metricsFile).get(0));
        long victim = first.get("executors").get(0).get("pid").asLong();
        ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(submitted.waitFor(300, TimeUnit.SECONDS), "run with a killed executor finished");
        assertEquals(0, submitted.exitValue(), Files.readString(work.resolve("log-killed.txt")));
        Set<Long> later = new HashSet<>();
        List<String> lines = Files.readAllLines(metricsFile);
        for (JsonNode e : json.readTree(lines.get(lines.size() - 1)).get("executors")) {
            later.add(e.get("pid").asLong());
        }
        assertTrue(!later.contains(victim), "the killed executor " + victim + " did not work after it died: " + later);
        assertArrayEquals(Files.readAllBytes(localRun.resolve("model/weights.safetensors")),
                Files.readAllBytes(killedRun.resolve("model/weights.safetensors")),
                "a run that lost an executor ends with the same weights");
    }

    @Test
    void theSparkMlExampleRunsOnTheCluster() throws Exception {
        // Estimators, models, their broadcasts and persistence across JVMs: the README's Java example, submitted.
        String port = clusterEnv.get("SEQTRAIN_MASTER_PORT");
        Path exampleDir = work.resolve("example");
        ProcessBuilder pb = new ProcessBuilder(List.of("scripts/submit", "spark://127.0.0.1:" + port, exampleDir.toString(), "12"))
                .redirectErrorStream(true);
        pb.environment().putAll(clusterEnv);
        pb.environment().put("SEQTRAIN_MAIN", "dev.seqtrain.examples.ClassifyFromParquet");
        Path log = work.resolve("log-example.txt");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the example finished");
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("test accuracy ([0-9.]+) on 150 sequences").matcher(output);
        assertTrue(m.find(), output);
        assertTrue(Double.parseDouble(m.group(1)) > 0.8, output);
        assertTrue(Files.isDirectory(exampleDir.resolve("pipeline/stages")));
    }

    record Run(int code, String output) {
    }

    static Run run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(clusterEnv);
        File log = work.resolve("log-" + System.nanoTime() + ".txt").toFile();
        pb.redirectOutput(log);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, "timed out after " + timeoutSeconds + "s: " + command + "\n" + Files.readString(log.toPath()));
        }
        return new Run(p.exitValue(), Files.readString(log.toPath()));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
