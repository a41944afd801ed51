package dev.seqtrain.cli;

import dev.seqtrain.data.SparkDataset;
import dev.seqtrain.io.BadInputException;
import dev.seqtrain.train.TrainerSettings;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A training run's settings: a {@code .properties} file plus {@code --set key=value} overrides.
 * Every key is declared here with its default and its check; an unknown key or an invalid value is
 * an error that names the key (and, for a misspelling, the closest known one).
 */
public final class TrainConfig {

    /** A declared key: its default (null = required) and what values it accepts. */
    private record Key(String name, String defaultValue, String accepts, Check check, String doc) {
    }

    private interface Check {
        /** @return null when valid, else what is wrong */
        String problem(String value);
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    private static void key(String name, String def, String accepts, Check check, String doc) {
        KEYS.put(name, new Key(name, def, accepts, check, doc));
    }

    private static Check oneOf(String... values) {
        return v -> List.of(values).contains(v) ? null : "must be one of " + String.join(", ", values);
    }

    private static Check intAtLeast(long min) {
        return integer(min, Long.MAX_VALUE, "must be an integer >= " + min);
    }

    private static Check intBetween(long min, long max) {
        return integer(min, max, "must be an integer in " + min + ".." + max);
    }

    /** An integer in min..max; {@code problem} says what is wanted. */
    private static Check integer(long min, long max, String problem) {
        return v -> {
            try {
                long n = Long.parseLong(v);
                return n >= min && n <= max ? null : problem;
            } catch (NumberFormatException e) {
                return problem;
            }
        };
    }

    private static String blockMomentumProblem(String v) {
        if (v.equals("auto")) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            return d >= 0 && d < 1 ? null : "must be auto or a number in [0, 1)";
        } catch (NumberFormatException e) {
            return "must be auto or a number in [0, 1)";
        }
    }

    private static Check number(double min, boolean inclusive, double max) {
        return v -> {
            try {
                double d = Double.parseDouble(v);
                boolean ok = Double.isFinite(d) && (inclusive ? d >= min : d > min) && d <= max;
                return ok ? null : "must be a number " + (inclusive ? ">= " : "> ") + min + (max < Double.MAX_VALUE ? " and <= " + max : "");
            } catch (NumberFormatException e) {
                return "must be a number";
            }
        };
    }

    private static String averagingFrequencyProblem(String v) {
        return TrainerSettings.isAveragingFrequencies(v) ? null
                : "must be 'epoch', an integer >= 1, or a comma-separated list of them";
    }

    private static String storageLevelProblem(String v) {
        try {
            org.apache.spark.storage.StorageLevel.fromString(v);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be a Spark storage level such as MEMORY_AND_DISK_SER, DISK_ONLY or MEMORY_ONLY_SER";
        }
    }

    private static final Check BOOLEAN = oneOf("true", "false");
    private static final Check ANY = v -> null;

    static {
        key("data.format", "text", "text|csv-wide|csv-long|parquet|orc|json", oneOf("text", "csv-wide", "csv-long", "parquet", "orc", "json"),
                "input format (parquet/orc/json: a Spark SQL table, one row per sequence)");
        key("data.train", null, "path", v -> v.isBlank() ? "must name a file or directory" : null,
                "training data: a file or directory, any Hadoop path");
        key("data.valid", "", "path", ANY, "validation data (default: split off data.validFraction of data.train)");
        key("data.validFraction", "0.1", "[0, 0.9]", number(0, true, 0.9), "share of examples held out for validation when data.valid is empty");
        key("data.seqLength", "100", ">= 2", intAtLeast(2), "text: characters per training sequence");
        key("data.stride", "0", ">= 0", intAtLeast(0), "text: characters between sequence starts (0 = data.seqLength)");
        key("data.unknownChar", "", "'' or one character", v -> v.codePointCount(0, v.length()) <= 1 ? null
                : "must be empty or one character", "text: a symbol added to the vocabulary that unseen characters map to at"
                + " sample/evaluate time ('' = they are an error)");
        key("data.labelColumn", "label", "name", ANY, "csv-wide and tables: the label column");
        key("data.idColumn", "id", "name", ANY, "csv-wide: the id column ('' = none)");
        key("data.badRecords", "fail", "fail|skip", oneOf("fail", "skip"), "what to do with a malformed record");
        key("data.maxBadRecords", "1000", ">= 0", intAtLeast(0), "with data.badRecords=skip: fail anyway past this many");
        key("data.maxSeqLength", "100000", ">= 1", intAtLeast(1), "longest sequence accepted");
        key("data.maxLineBytes", String.valueOf(SparkDataset.Settings.DEFAULT_MAX_LINE_BYTES), "16..2147483000", intBetween(16, 2147483000),
                "CSV: longest line accepted, in bytes; a longer one is a bad record (csv-wide) or a file error (csv-long, headers)");
        key("data.splitBytes", "0", ">= 0", intAtLeast(0), "text and CSV: bytes per input split, the unit of parallel parsing"
                + " (0 = Hadoop's mapreduce.input.fileinputformat.split.maxsize, else 128 MB); compressed files are one split each");
        key("data.validMaxExamples", "0", ">= 0", intAtLeast(0), "validate on a fixed, seeded sample of at most this many"
                + " validation sequences (0 = all)");
        key("data.storageLevel", "MEMORY_AND_DISK_SER", "a Spark storage level", TrainConfig::storageLevelProblem,
                "how the placed examples are kept between rounds (MEMORY_AND_DISK_SER spills to local disk; DISK_ONLY keeps"
                + " the heap for the model)");
        key("data.chunkBatches", "64", ">= 1", intAtLeast(1), "minibatches' worth of examples per persisted chunk: a round"
                + " reads whole chunks, a worker holds at most one chunk's examples, and each epoch draws a chunk's batches anew");
        key("model.cell", "lstm", "lstm|gru|rnn", oneOf("lstm", "gru", "rnn"), "recurrent cell");
        key("model.hidden", "128", ">= 1", intAtLeast(1), "hidden units per layer");
        key("model.layers", "1", ">= 1", intAtLeast(1), "stacked recurrent layers");
        key("model.dropout", "0", "[0, 0.9]", number(0, true, 0.9), "dropout between recurrent layers (training only)");
        key("model.task", "lm", "lm|classify|multilabel|regress", oneOf("lm", "classify", "multilabel", "regress"),
                "lm: next token per step; classify: one class per sequence; multilabel: multi-hot targets per step; regress: MSE");
        key("model.forgetBias", "1", "number", number(-100, true, 100), "LSTM forget-gate bias at initialisation");
        key("train.epochs", "10", ">= 1", intAtLeast(1), "passes over the training data");
        key("train.batchSize", "32", ">= 1", intAtLeast(1), "sequences per minibatch (per worker)");
        key("train.workers", "0", ">= 0", intAtLeast(0), "partitions = parallel workers (0 = Spark's default parallelism)");
        key("train.averaging", "parameters", "parameters|gradients", oneOf("parameters", "gradients"),
                "average parameters after K local steps, or gradients every step (synchronous SGD)");
        key("train.averagingFrequency", "epoch", "epoch|K >= 1, or a list", TrainConfig::averagingFrequencyProblem,
                "local minibatches between averages (epoch = once per pass over the partition); a comma-separated list"
                + " gives one value per epoch, the last repeating (e.g. 1,5,epoch: average often early, rarely later)");
        key("train.learningRateScaling", "sqrt", "none|linear|sqrt", oneOf("none", "linear", "sqrt"),
                "multiply train.learningRate by the number of workers (linear) or its square root (sqrt)");
        key("train.blockMomentum", "0", "auto|[0, 1)", TrainConfig::blockMomentumProblem,
                "block momentum over the averaged updates (BMUF; auto = 1 - 1/workers; 0 = plain averaging)");
        key("train.blockLearningRate", "1", "> 0", number(0, false, 100), "block learning rate: the averaged update is"
                + " scaled by it before the block momentum is applied");
        key("train.blockNesterov", "true", "true|false", BOOLEAN, "workers start each round from the Nesterov look-ahead"
                + " W + momentum * last block update");
        key("train.warmupSteps", "0", ">= 0", intAtLeast(0), "optimizer steps over which the learning rate ramps linearly"
                + " from train.learningRate to the rate train.learningRateScaling gives (0 = none)");
        key("train.averageOptimizerState", "true", "true|false", BOOLEAN, "average optimizer state with the weights (else reset it each round)");
        key("train.optimizer", "adam", "adam|sgd|rmsprop", oneOf("adam", "sgd", "rmsprop"), "update rule");
        key("train.learningRate", "0.002", "> 0", number(0, false, 100), "base learning rate");
        key("train.momentum", "0.9", "[0, 1)", number(0, true, 0.999), "SGD momentum");
        key("train.nesterov", "false", "true|false", BOOLEAN, "SGD: Nesterov momentum");
        key("train.weightDecay", "0", ">= 0", number(0, true, 10), "L2 penalty");
        key("train.lrSchedule", "constant", "constant|step|cosine", oneOf("constant", "step", "cosine"), "learning-rate schedule over optimizer steps");
        key("train.lrStepSize", "1000", ">= 1", intAtLeast(1), "step schedule: steps between decays");
        key("train.lrGamma", "0.5", "(0, 1]", number(0, false, 1), "step schedule: decay factor");
        key("train.lrMin", "0", ">= 0", number(0, true, 100), "cosine schedule: final learning rate");
        key("train.clipNorm", "5", ">= 0", number(0, true, 1e9), "global gradient-norm clipping (0 = off)");
        key("train.tbptt", "0", ">= 0", intAtLeast(0), "truncated BPTT segment length (0 = whole sequences)");
        key("train.seed", "42", "integer", intAtLeast(Long.MIN_VALUE), "seed of every random choice");
        key("train.patience", "0", ">= 0", intAtLeast(0), "stop after this many evaluations without a better validation loss"
                + " (0 = never)");
        key("train.checkpointEvery", "1", ">= 1", intAtLeast(1), "evaluations between checkpoints");
        key("train.maxSteps", "0", ">= 0", intAtLeast(0), "stop after this many minibatch steps per worker, writing model and"
                + " checkpoint (0 = run train.epochs)");
        key("train.evalEvery", "0", ">= 0", intAtLeast(0), "rounds between evaluations (validation, metrics line, model,"
                + " checkpoint); 0 = once per epoch");
        key("train.progressSeconds", "30", ">= 1", intAtLeast(1), "at most this many seconds between progress lines inside an epoch");
        key("train.executorWaitSeconds", "180", ">= 1", intAtLeast(1), "on a cluster: seconds to wait for the first"
                + " executor before giving up with an error (a master without workers would otherwise wait forever)");
        key("train.stopGraceSeconds", "25", ">= 1", intAtLeast(1), "on SIGTERM/SIGINT: seconds to finish the round and write"
                + " its checkpoint before the run is abandoned (the last checkpoint stays; Kubernetes allows 30 by default)");
        key("train.allowBackendChange", "false", "true|false", BOOLEAN, "let --resume continue a checkpoint trained with the"
                + " other GEMM backend (native BLAS vs our kernel; the results then match neither backend's uninterrupted run)");
        key("train.keepCheckpoints", "3", ">= 1", intAtLeast(1), "checkpoints kept (oldest deleted)");
        key("train.onDivergence", "stop", "stop|rollback", oneOf("stop", "rollback"),
                "a NaN/infinite loss or parameter: stop, or restart the epoch from its start at half the learning rate");
        key("train.maxRollbacks", "3", ">= 1", intAtLeast(1), "with train.onDivergence=rollback: at most this many, then stop");
        key("train.aggregationFanIn", "8", ">= 2", intAtLeast(2), "worker results summed per aggregation task (tree depth grows past it)");
    }

    private final Map<String, String> values;
    private final String source;

    private TrainConfig(Map<String, String> values, String source) {
        this.values = values;
        this.source = source;
    }

    /** Reads a properties file (may be null for defaults only) and applies {@code key=value} overrides. */
    public static TrainConfig load(Reader file, String source, List<String> overrides) throws IOException {
        Map<String, String> v = new TreeMap<>();
        Map<String, String> origins = new TreeMap<>();
        if (file != null) {
            // Properties keeps the last of a repeated key without a word; a repeated key is a mistake to name.
            Properties p = new Properties() {
                @Override
                public synchronized Object put(Object key, Object value) {
                    Object before = super.put(key, value);
                    if (before != null) {
                        throw new BadInputException(source + ": key '" + printable(key.toString()) + "' is given twice ('"
                                + printable(before.toString().trim()) + "', then '" + printable(value.toString().trim()) + "')");
                    }
                    return null;
                }
            };
            try {
                p.load(file);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(source + ": not a valid properties file: " + e.getMessage());
            }
            for (String name : p.stringPropertyNames()) {
                v.put(name, p.getProperty(name).trim());
            }
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--set " + o + ": expected key=value");
            }
            String key = o.substring(0, eq).trim();
            v.put(key, o.substring(eq + 1).trim());
            origins.put(key, "--set " + key);
        }
        return of(v, source, origins);
    }

    /** Validates a key → value map; every key must be declared and every value valid. */
    public static TrainConfig of(Map<String, String> given, String source) {
        return of(given, source, Map.of());
    }

    /** As {@link #of(Map, String)}; {@code origins} names where a key came from when not from {@code source} (e.g. --set). */
    static TrainConfig of(Map<String, String> given, String source, Map<String, String> origins) {
        Map<String, String> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!KEYS.containsKey(e.getKey())) {
                throw new BadInputException(origins.getOrDefault(e.getKey(), source) + ": unknown key '" + printable(e.getKey()) + "' (did you mean '"
                        + closest(e.getKey()) + "'?)");
            }
        }
        for (Key k : KEYS.values()) {
            String value = given.get(k.name());
            if (value == null) {
                if (k.defaultValue() == null) {
                    throw new BadInputException(source + ": key '" + k.name() + "' is required (" + k.doc() + ")");
                }
                value = k.defaultValue();
            }
            String problem = value.isEmpty() && !k.name().equals("data.valid") && !k.name().equals("data.idColumn")
                    && !k.name().equals("data.unknownChar")
                    ? "must not be empty" : k.check().problem(value);
            if (problem != null) {
                throw new BadInputException(origins.getOrDefault(k.name(), source) + ": key '" + k.name() + "' " + problem + ", got '" + printable(value) + "'");
            }
            all.put(k.name(), value);
        }
        TrainConfig c = new TrainConfig(Collections.unmodifiableMap(all), source);
        c.checkConsistency();
        return c;
    }

    private void checkConsistency() {
        String task = get("model.task");
        String format = get("data.format");
        if (format.equals("text") && !task.equals("lm")) {
            throw new BadInputException(source + ": data.format=text trains a language model; model.task must be 'lm', got '" + task + "'");
        }
        if (task.equals("lm") && !format.equals("text")) {
            throw new BadInputException(source + ": model.task=lm needs data.format=text, got '" + format + "'");
        }
        if (format.equals("csv-wide") && task.equals("multilabel")) {
            throw new BadInputException(source + ": model.task=multilabel needs per-step targets (data.format=csv-long with y columns);"
                    + " csv-wide has one label per sequence");
        }
    }

    /** A user's text for a one-line message: control characters escaped, long text cut. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 120; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** The nearest declared key by edit distance, ignoring case. */
    static String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : KEYS.keySet()) {
            int d = editDistance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("undeclared key " + key);
        }
        return v;
    }

    public int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    public long getLong(String key) {
        return Long.parseLong(get(key));
    }

    public double getDouble(String key) {
        return Double.parseDouble(get(key));
    }

    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(get(key));
    }

    public String source() {
        return source;
    }

    /** All settings, defaults included, in declaration order (recorded in checkpoints and metrics). */
    public Map<String, String> values() {
        return values;
    }

    /** Markdown table of every key, for README. */
    public static String documentation() {
        List<String> rows = new ArrayList<>();
        rows.add("| key | default | accepts | meaning |");
        rows.add("|---|---|---|---|");
        for (Key k : KEYS.values()) {
            rows.add("| `" + k.name() + "` | " + (k.defaultValue() == null ? "(required)" : "`" + k.defaultValue() + "`") + " | "
                    + k.accepts().replace("|", "\\|") + " | " + k.doc() + " |");
        }
        return String.join("\n", rows);
    }
}
