package dev.seqtrain.nn;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same bits at 8 and 16 lanes, and before and after the JIT: {@link WidthProbe} run in JVMs that
 * differ only in the vector width (and one interpreted) prints the same digests. Executors of one
 * cluster may differ in AVX-512; a run's results may not.
 */
class VectorWidthTest {
    @Test
    void everyWidthAndTheInterpreterGiveTheSameBits() throws Exception {
        List<String> at256 = probe("-Dseqtrain.vectorBits=256");
        List<String> at512 = probe("-Dseqtrain.vectorBits=512");
        assertEquals("width 256-bit gemm java-vector", at256.get(0));
        assertEquals("width 512-bit gemm java-vector", at512.get(0));
        assertTrue(at256.size() > 60, "the probe printed " + at256.size() + " lines");
        assertEquals(at256.subList(1, at256.size()), at512.subList(1, at512.size()));
        // Within a width, the kernel's paths (A read in place, A packed from either layout) agree too.
        for (String line : at512) {
            if (line.startsWith("gemm ")) {
                String[] f = line.split(" ");
                assertEquals(f[2], f[3], line);
                assertEquals(f[2], f[4], line);
            }
        }
        // Interpreted code runs the Vector API lane by lane in Java: the same bits again.
        // Only the smaller cases: interpreted, the probe would take minutes.
        List<String> interpreted = probe("-Dseqtrain.vectorBits=512", "-Xint", "quick");
        assertTrue(interpreted.size() > 30, "the quick probe printed " + interpreted.size() + " lines");
        assertTrue(at512.containsAll(interpreted), "interpreted lines differ from compiled ones: " + interpreted);
    }

    private static List<String> probe(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.add("-Dseqtrain.gemm=java");
        List<String> args = new ArrayList<>();
        for (String o : jvmOptions) {
            (o.startsWith("-") ? cmd : args).add(o);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WidthProbe.class.getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "probe did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }
}
