package dev.seqtrain.ml;

import org.apache.spark.sql.types.StructType;

import java.util.List;

/** The one message for an input column a stage needs and the table lacks, naming the columns it has. */
final class InputColumns {
    private InputColumns() {
    }

    /** @param what how the message names the column, e.g. {@code "label column"} or {@code "validationIndicatorCol"} */
    static void require(String owner, StructType schema, String what, String name) {
        if (!List.of(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(owner + ": no " + what + " '" + name + "' in the input (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
    }
}
