package dev.seqtrain.io;

import dev.seqtrain.cli.TrainConfigAccess;
import dev.seqtrain.data.BadRecord;
import dev.seqtrain.data.FileSequences;
import dev.seqtrain.nn.CellType;
import dev.seqtrain.nn.Initializer;
import dev.seqtrain.nn.LossKind;
import dev.seqtrain.nn.NetworkSpec;
import dev.seqtrain.nn.ParameterLayout;
import dev.seqtrain.nn.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.apache.hadoop.conf.Configuration;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded random mutator feeds thousands of damaged inputs to the readers: CSV files, config files
 * and safetensors files. Each must give a valid result or a {@link BadInputException}: never another
 * exception, a hang or an OutOfMemoryError.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MutationFuzzTest {
    @TempDir
    java.nio.file.Path dir;
    java.nio.file.Path csv;
    private static final Configuration HADOOP = new Configuration();

    @org.junit.jupiter.api.BeforeEach
    void file() {
        csv = dir.resolve("fuzz.csv");
    }

    private static final int CASES = 3000;
    private static final String ALPHABET = "0123456789,.-+eE\n xyNaIfnt_\"{}[]:=\\\\u\u00e9\u0000";

    static String mutate(String s, SplittableRandom rng) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + rng.nextInt(4);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = rng.nextInt(b.length());
            switch (rng.nextInt(4)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, ALPHABET.charAt(rng.nextInt(ALPHABET.length())));
                case 2 -> b.setCharAt(at, ALPHABET.charAt(rng.nextInt(ALPHABET.length())));
                default -> b.setLength(at);
            }
        }
        return b.toString();
    }

    interface Reader {
        void read(String input) throws Exception;
    }

    static int[] fuzz(String valid, long seed, Reader reader) {
        SplittableRandom rng = new SplittableRandom(seed);
        int refused = 0;
        int accepted = 0;
        for (int i = 0; i < CASES; i++) {
            String input = mutate(valid, rng);
            try {
                reader.read(input);
                accepted++;
            } catch (BadInputException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank() && !e.getMessage().contains("\n"),
                        "one-line message for input:\n" + input);
                refused++;
            } catch (Exception | Error e) {
                throw new AssertionError("unexpected " + e + " for input:\n" + input, e);
            }
        }
        return new int[] {accepted, refused};
    }

    /** Every sequence of the input, as the file readers give them (with a line limit the mutations can exceed). */
    private void readAll(String input, String format, java.util.function.Consumer<BadRecord> skipped) throws Exception {
        java.nio.file.Files.writeString(csv, input);
        FileSequences.open(csv.toString(), format, "label", 48, HADOOP, skipped).forEachRemaining(s -> { });
    }

    @Test
    void longCsvRows() {
        String valid = "sequence_id,step,x0,x1,y0\na,0,1.5,2,0\na,1,-3e2,4,1\nb,0,5,6,1\nb,2,1,1,0\nb,1,0.5,.5,1\n";
        int[] strict = fuzz(valid, 1, in -> readAll(in, "csv-long", null));
        int[] lenient = fuzz(valid, 2, in -> readAll(in, "csv-long", new ArrayList<BadRecord>()::add));
        System.out.printf("long CSV: %d accepted, %d refused (strict); %d accepted, %d refused (skip)%n",
                strict[0], strict[1], lenient[0], lenient[1]);
    }

    @Test
    void wideCsvRows() {
        String valid = "id,label,v0,v1,v2\n1,up,0.1,0.2,0.3\n2,down,3,2,\n3,up,1e-3,-2,5\n";
        int[] r = fuzz(valid, 3, in -> readAll(in, "csv-wide", null));
        System.out.printf("wide CSV: %d accepted, %d refused%n", r[0], r[1]);
    }

    @Test
    void configFiles() {
        String valid = "data.format=csv-wide\ndata.train=x.csv\nmodel.task=classify\ntrain.learningRate=0.01\n"
                + "train.averagingFrequency=5\nmodel.hidden=16\ntrain.epochs=3\n";
        int[] r = fuzz(valid, 4, TrainConfigAccess::load);
        System.out.printf("configs: %d accepted, %d refused%n", r[0], r[1]);
    }

    @Test
    void safetensorsFiles() throws Exception {
        NetworkSpec spec = new NetworkSpec(CellType.LSTM, 3, false, 4, 1, 2, Task.MANY_TO_MANY, LossKind.SOFTMAX_CROSS_ENTROPY, 0f);
        byte[] valid = ModelDirectory.weightsBytes(spec, Initializer.initialize(spec, 1, 1f));
        ParameterLayout layout = new ParameterLayout(spec);
        SplittableRandom rng = new SplittableRandom(5);
        int accepted = 0;
        int refused = 0;
        long headerLength = (valid[0] & 0xff) | (valid[1] & 0xff) << 8;
        for (int i = 0; i < CASES; i++) {
            byte[] b = valid.clone();
            int edits = 1 + rng.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int kind = rng.nextInt(5);
                if (kind == 0) {
                    b = java.util.Arrays.copyOf(b, rng.nextInt(b.length));            // truncated
                } else if (kind == 1 && b.length >= 8) {
                    b[rng.nextInt(8)] = (byte) rng.nextInt(256);                       // length field
                } else if (b.length > 8) {
                    int at = 8 + rng.nextInt((int) Math.min(headerLength, b.length - 8));
                    b[at] = (byte) "0123456789,[]{}\":FI ".charAt(rng.nextInt(20));     // header text
                }
            }
            byte[] input = b;
            try {
                Safetensors.read(new ByteArrayInputStream(input), input.length, "fuzz.safetensors",
                        shapes -> ModelDirectory.checkShapes(layout, shapes, "fuzz.safetensors"));
                accepted++;
            } catch (BadInputException e) {
                refused++;
            } catch (Exception | Error e) {
                throw new AssertionError("unexpected " + e + " for mutation " + i, e);
            }
        }
        System.out.printf("safetensors: %d accepted, %d refused%n", accepted, refused);
        assertTrue(refused > CASES / 2);
    }
}
