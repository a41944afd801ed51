package dev.seqtrain.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The look-up that keeps netlib from trying (and loudly failing) to load a BLAS the machine does not have. */
class SystemLibrariesTest {
    @Test
    void findsWhatTheLoaderFindsAndNotWhatIsMissing() {
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        assertTrue(SystemLibraries.mayLoad("libc.so.6"), "glibc is always there");
        assertFalse(SystemLibraries.mayLoad("libseqtrain-no-such-library.so.9"));
        assertTrue(SystemLibraries.mayLoad("/opt/anything/libblas.so.3"), "a path is left to the loader");
    }
}
