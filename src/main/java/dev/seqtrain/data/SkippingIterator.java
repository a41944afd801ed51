package dev.seqtrain.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** A lazy map over an iterator that drops the elements the function maps to null: one element held, never a list. */
final class SkippingIterator<A, B> implements Iterator<B> {
    private final Iterator<A> source;
    private final Function<A, B> f;
    private B next;

    SkippingIterator(Iterator<A> source, Function<A, B> f) {
        this.source = source;
        this.f = f;
    }

    @Override
    public boolean hasNext() {
        while (next == null && source.hasNext()) {
            next = f.apply(source.next());
        }
        return next != null;
    }

    @Override
    public B next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        B n = next;
        next = null;
        return n;
    }
}
