package dev.seqtrain.cli;

import dev.seqtrain.io.Safetensors;
import dev.seqtrain.onnx.OnnxExportTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code export-onnx} on a model imported from PyTorch: ONNX Runtime reproduces PyTorch's outputs on the
 * fixture's padded batch, and the command refuses to clobber a file or to write over a directory.
 */
class ExportOnnxCommandTest {
    @TempDir
    Path dir;

    @Test
    void exportedPyTorchGruRunsInOnnxRuntimeWithPyTorchsOutputs() throws Exception {
        Map<String, Safetensors.Tensor> f = ImportAndPredictTest.fixture("gru-classify-padded");
        Path model = importFixture(f);
        Path onnx = dir.resolve("gru.onnx");
        ImportAndPredictTest.Result r = ImportAndPredictTest.run("export-onnx", "--model", model.toString(), "--out", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(onnx) > 0);

        float[] x = f.get("input.features").data();
        float[] lengths = f.get("input.lengths").data();
        int batch = 4;
        List<float[][]> sequences = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[][] s = new float[(int) lengths[b]][3];
            for (int t = 0; t < s.length; t++) {
                System.arraycopy(x, (t * batch + b) * 3, s[t], 0, 3);
            }
            sequences.add(s);
        }
        List<float[][]> probabilities = OnnxExportTest.runOnnxDense(onnx, sequences, false);
        float[] head = f.get("expected.head").data();
        for (int b = 0; b < batch; b++) {
            double[] expected = ImportAndPredictTest.softmax(head, b * 5, 5);
            for (int j = 0; j < 5; j++) {
                assertEquals(expected[j], probabilities.get(b)[0][j], OnnxExportTest.TOLERANCE, "sequence " + b + " class " + j);
            }
        }
    }

    @Test
    void existingFilesDirectoriesAndBadModelsAreRefused() throws Exception {
        Path model = importFixture(ImportAndPredictTest.fixture("gru-classify-padded"));
        Path onnx = Files.writeString(dir.resolve("taken.onnx"), "keep me");
        ImportAndPredictTest.Result r = ImportAndPredictTest.run("export-onnx", "--model", model.toString(), "--out", onnx.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("taken.onnx: already exists (use --overwrite to replace it)"), r.err());
        assertEquals("keep me", Files.readString(onnx));
        r = ImportAndPredictTest.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(onnx) > 100);

        r = ImportAndPredictTest.run("export-onnx", "--model", model.toString(), "--out", dir.toString(), "--overwrite");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is a directory"), r.err());

        r = ImportAndPredictTest.run("export-onnx", "--model", dir.resolve("missing").toString(), "--out", dir.resolve("x.onnx").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("missing"), r.err());
    }

    private Path importFixture(Map<String, Safetensors.Tensor> f) throws Exception {
        Path model = dir.resolve("model");
        ImportAndPredictTest.Result r = ImportAndPredictTest.run("import-torch", "--weights",
                ImportAndPredictTest.weightsOnly(dir, f).toString(), "--cell", "gru", "--input-size", "3", "--hidden-size", "10",
                "--layers", "2", "--output-size", "5", "--task", "many-to-one", "--out", model.toString(), "--overwrite");
        assertEquals(0, r.code(), r.err());
        return model;
    }
}
