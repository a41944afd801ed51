#!/usr/bin/python3
"""The PyTorch side of the one-worker comparison on per-step multi-label prediction (issue #15).

ETTh1 "rises" as seqtrain reads it (data/generated/etth1-rises-{train,valid}.csv from
scripts/make-etth1-rises: sequence_id, step, x0..x6, y0..y6; 48 steps a sequence): the 7 readings
standardised per feature with the training steps' mean and (population) deviation, a GRU of LAYERS
layers -> Linear -> 7 sigmoids at every step, PyTorch's default initialisation, loss = binary
cross-entropy summed over the 7 labels and averaged over the batch's steps (seqtrain's "NLL per
step"), global-norm clipping, Adam with PyTorch's defaults, training sequences shuffled every epoch,
no dropout. Prints the validation loss after every epoch: "EPOCH n valid x".
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 \\
      scripts/torch_multilabel.py EPOCHS LR [HIDDEN LAYERS BATCH CLIP SEED [fixed]]
With "fixed", the batches are drawn once and only their order changes each epoch, as seqtrain does.
"""
import csv
import sys

import torch

from torch_training import arg, fixed_batches, train_epoch, train_epoch_fixed

torch.set_num_threads(1)


def read(path):
    sequences = {}
    with open(path) as f:
        for row in list(csv.reader(f))[1:]:
            sequences.setdefault(row[0], []).append((int(row[1]), [float(v) for v in row[2:9]], [float(v) for v in row[9:16]]))
    xs, ys = [], []
    for steps in sequences.values():
        steps.sort()
        xs.append([s[1] for s in steps])
        ys.append([s[2] for s in steps])
    return torch.tensor(xs), torch.tensor(ys)


def main():
    epochs, lr = int(sys.argv[1]), float(sys.argv[2])
    hidden, layers, batch, clip = arg(3, 64), arg(4, 2), arg(5, 16), arg(6, 5.0)
    torch.manual_seed(arg(7, 1))
    tx, ty = read("data/generated/etth1-rises-train.csv")
    vx, vy = read("data/generated/etth1-rises-valid.csv")
    flat = tx.reshape(-1, tx.shape[-1])
    mean, std = flat.mean(0), flat.std(0, unbiased=False)
    tx, vx = (tx - mean) / std, (vx - mean) / std
    gru = torch.nn.GRU(tx.shape[-1], hidden, num_layers=layers, batch_first=True)
    head = torch.nn.Linear(hidden, ty.shape[-1])
    params = list(gru.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")

    def loss_of(x, y):
        h, _ = gru(x)
        return bce(head(h), y) / (x.shape[0] * x.shape[1])

    fixed = fixed_batches(len(tx), batch) if len(sys.argv) > 8 and sys.argv[8] == "fixed" else None
    for epoch in range(1, epochs + 1):
        if fixed is None:
            train_epoch(tx, ty, batch, loss_of, params, opt, clip)
        else:
            train_epoch_fixed(tx, ty, fixed, loss_of, params, opt, clip)
        with torch.no_grad():
            print(f"EPOCH {epoch} valid {loss_of(vx, vy).item():.5f}", flush=True)


if __name__ == "__main__":
    main()
