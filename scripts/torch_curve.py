#!/usr/bin/python3
"""The PyTorch side of the one-worker learning-curve comparison (issue #15).

Character LM on a text file split as text (first 90% of characters train, last 10% validation):
non-overlapping windows of SEQ characters, next-character targets, one-hot input -> LSTM -> Linear,
PyTorch's default initialisation (every weight and bias U(+-1/sqrt(H))), mean cross-entropy over
all positions, global-norm clipping, Adam with PyTorch's defaults, windows shuffled every epoch.
Prints the validation loss (nats/char) after every epoch, as "EPOCH n valid x seconds s".
Run with Debian's python3, one thread: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/torch_curve.py TEXT EPOCHS LR [HIDDEN SEQ BATCH CLIP SEED]
"""
import sys
import time

import torch

from torch_training import arg, train_epoch

torch.set_num_threads(1)


def windows(ids, seq):
    n = (len(ids) - 1) // seq
    x = torch.tensor(ids[: n * seq]).view(n, seq)
    y = torch.tensor(ids[1 : n * seq + 1]).view(n, seq)
    return x, y


def main():
    path, epochs, lr = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    hidden, seq, batch, clip, seed = arg(4, 128), arg(5, 50), arg(6, 32), arg(7, 5.0), arg(8, 1)
    text = open(path, encoding="utf-8").read()
    cut = int(len(text) * 0.9)
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = [index[c] for c in text]
    tx, ty = windows(ids[:cut], seq)
    vx, vy = windows(ids[cut:], seq)
    torch.manual_seed(seed)
    v = len(vocab)
    lstm = torch.nn.LSTM(v, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, v)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    eye = torch.eye(v)
    loss_fn = torch.nn.CrossEntropyLoss()

    def loss_of(x, y):
        h, _ = lstm(eye[x])
        return loss_fn(head(h).reshape(-1, v), y.reshape(-1))

    start = time.time()
    for epoch in range(1, epochs + 1):
        train_epoch(tx, ty, batch, loss_of, params, opt, clip)
        with torch.no_grad():
            total, count = 0.0, 0
            for b in range(0, len(vx), 256):
                n = vx[b : b + 256].numel()
                total += loss_of(vx[b : b + 256], vy[b : b + 256]).item() * n
                count += n
        print(f"EPOCH {epoch} valid {total / count:.4f} seconds {time.time() - start:.1f}", flush=True)


if __name__ == "__main__":
    main()
