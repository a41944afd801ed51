package dev.seqtrain.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** README's table of configuration keys is the one the code declares: a new or changed key cannot be forgotten there. */
class ReadmeKeysTest {
    @Test
    void readmeListsEveryKeyAsDeclared() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("| key | default | accepts | meaning |");
        int end = readme.indexOf("\n\n", start);
        assertEquals(TrainConfig.documentation(), readme.substring(start, end),
                "regenerate README's table from TrainConfig.documentation()");
    }
}
