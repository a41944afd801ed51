package dev.seqtrain.ml;

import dev.seqtrain.io.ModelDirectory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.MLReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;

/** Loads what {@link SequenceModel#write()} saved: the parameters, then the verified engine model. */
final class SequenceModelReader<M extends SequenceModel<M>> extends MLReader<M> {
    private final Class<M> type;
    private final BiFunction<String, dev.seqtrain.io.Model, M> create;

    SequenceModelReader(Class<M> type, BiFunction<String, dev.seqtrain.io.Model, M> create) {
        this.type = type;
        this.create = create;
    }

    @Override
    public M load(String path) {
        var metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), type.getName());
        dev.seqtrain.io.Model engine;
        try {
            engine = ModelDirectory.read(new Path(path, "model"), sc().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read the model: " + e.getMessage(), e);
        }
        M model = create.apply(metadata.uid(), engine);
        metadata.getAndSetParams(model, scala.Option.empty());
        return model;
    }
}
