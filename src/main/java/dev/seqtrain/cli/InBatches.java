package dev.seqtrain.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Streamed commands' loop: items handed over in lists of a batch size, one list held at a time, never the input. */
final class InBatches {
    interface Action<T> {
        void accept(List<T> batch) throws IOException;
    }

    private InBatches() {
    }

    /** Gives {@code action} the items in order, {@code size} at a time (the last list may be shorter); returns how many. */
    static <T> long forEach(Iterator<T> items, int size, Action<T> action) throws IOException {
        long count = 0;
        List<T> batch = new ArrayList<>(size);
        while (items.hasNext()) {
            batch.add(items.next());
            if (batch.size() == size || !items.hasNext()) {
                action.accept(batch);
                count += batch.size();
                batch.clear();
            }
        }
        return count;
    }
}
