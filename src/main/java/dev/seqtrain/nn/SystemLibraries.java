package dev.seqtrain.nn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the dynamic loader could find a shared library, asked without loading it. netlib's JNI
 * library prints "JNI_OnLoad: dlopen(libblas.so.3) failed" on standard error when the executor has
 * no native BLAS (the common case); looking first keeps that alarming line out of every run's log.
 */
final class SystemLibraries {
    private static final List<String> DEFAULT_DIRS = List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64",
            "/usr/local/lib", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu");

    private SystemLibraries() {
    }

    /**
     * False only when, on Linux, {@code name} is in none of LD_LIBRARY_PATH, the loader's cache
     * ({@code /etc/ld.so.cache}) and the default directories; true elsewhere, where we cannot tell.
     */
    static boolean mayLoad(String name) {
        if (name.contains("/") || !System.getProperty("os.name", "").equals("Linux")) {
            return true;
        }
        String ldPath = System.getenv().getOrDefault("LD_LIBRARY_PATH", "");
        for (String dir : ldPath.split(":")) {
            if (!dir.isEmpty() && Files.exists(Path.of(dir, name))) {
                return true;
            }
        }
        try {
            Path cache = Path.of("/etc/ld.so.cache");
            if (Files.isReadable(cache) && new String(Files.readAllBytes(cache), StandardCharsets.ISO_8859_1).contains(name)) {
                return true;
            }
        } catch (IOException | RuntimeException e) {
            return true;   // cannot tell: let the loader try
        }
        return DEFAULT_DIRS.stream().anyMatch(dir -> Files.exists(Path.of(dir, name)));
    }
}
