package dev.seqtrain.nn;

import java.util.Locale;

/** The recurrent cells seqtrain trains, with PyTorch's gate layout. */
public enum CellType {
    /** Gates {@code i, f, g, o}: four blocks of {@code hidden} rows in each weight matrix. */
    LSTM(4),
    /** Gates {@code r, z, n}. */
    GRU(3),
    /** Elman network, {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}. */
    RNN(1);

    /** Rows of the gate weight matrices per hidden unit. */
    public final int gates;

    CellType(int gates) {
        this.gates = gates;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CellType parse(String s) {
        for (CellType c : values()) {
            if (c.id().equalsIgnoreCase(s.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cell type '" + s + "' (expected lstm, gru or rnn)");
    }
}
