#!/usr/bin/python3
"""The PyTorch side of the one-worker comparison on sequence classification (issue #15).

UCI Synthetic Control as seqtrain reads it (data/synthetic_control/{train,test}.csv: id, label, 60
steps): one feature per step standardised with the training set's mean and deviation, LSTM ->
Linear at the last step, PyTorch's default initialisation, mean cross-entropy over the batch,
global-norm clipping, Adam with PyTorch's defaults, training rows shuffled every epoch. Prints the
validation (test split) loss and accuracy after every epoch: "EPOCH n valid x accuracy a".
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 \\
      scripts/torch_classify.py EPOCHS LR [HIDDEN BATCH CLIP SEED]
"""
import csv
import sys

import torch

from torch_training import arg, train_epoch

torch.set_num_threads(1)


def read(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    labels = torch.tensor([int(r[1]) for r in rows])
    values = torch.tensor([[float(v) for v in r[2:]] for r in rows])
    return values, labels


def main():
    epochs, lr = int(sys.argv[1]), float(sys.argv[2])
    hidden, batch, clip = arg(3, 32), arg(4, 16), arg(5, 5.0)
    torch.manual_seed(arg(6, 1))
    tx, ty = read("data/synthetic_control/train.csv")
    vx, vy = read("data/synthetic_control/test.csv")
    classes = sorted(set(ty.tolist()))
    index = {c: i for i, c in enumerate(classes)}
    ty = torch.tensor([index[c] for c in ty.tolist()])
    vy = torch.tensor([index[c] for c in vy.tolist()])
    mean, std = tx.mean(), tx.std(unbiased=False)
    tx, vx = ((tx - mean) / std).unsqueeze(-1), ((vx - mean) / std).unsqueeze(-1)
    lstm = torch.nn.LSTM(1, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, len(classes))
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def logits(x):
        h, _ = lstm(x)
        return head(h[:, -1])

    for epoch in range(1, epochs + 1):
        train_epoch(tx, ty, batch, lambda x, y: loss_fn(logits(x), y), params, opt, clip)
        with torch.no_grad():
            out = logits(vx)
            print(f"EPOCH {epoch} valid {loss_fn(out, vy).item():.5f} accuracy {(out.argmax(1) == vy).float().mean().item():.4f}",
                  flush=True)


if __name__ == "__main__":
    main()
