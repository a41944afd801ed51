package dev.seqtrain.cli;

import java.io.StringReader;
import java.util.List;

/** Test access to {@link TrainConfig} from other packages. */
public final class TrainConfigAccess {
    private TrainConfigAccess() {
    }

    public static void load(String properties) throws Exception {
        TrainConfig.load(new StringReader(properties), "fuzz.properties", List.of());
    }
}
