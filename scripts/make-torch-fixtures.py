#!/usr/bin/python3
"""Writes the PyTorch known-answer fixtures under src/test/resources/fixtures/.

Run once with Debian's python3-torch (see README, "Known-answer tests"):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 scripts/make-torch-fixtures.py

Each case is one safetensors file holding the weights (PyTorch state_dict names), the inputs
(time-major, as seqtrain stores a batch), the head outputs at every output position, the mean loss
and the gradient of the mean loss for every weight (`grad.<name>`). The reference is computed in
float64 and stored as float32. Padded sequences are run one at a time at their own length, so the
reference never sees padding at all. A `<case>.json` next to it describes the architecture.
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "fixtures")

CASES = [
    # name, cell, input, token_input, hidden, layers, output, task, loss, steps, batch, padded
    ("lstm-l1", "lstm", 5, False, 16, 1, 4, "many-to-many", "softmax-ce", 7, 3, False),
    ("lstm-l2", "lstm", 5, False, 12, 2, 4, "many-to-many", "softmax-ce", 6, 3, False),
    ("gru-l1", "gru", 5, False, 16, 1, 4, "many-to-many", "softmax-ce", 7, 3, False),
    ("gru-l2", "gru", 5, False, 12, 2, 4, "many-to-many", "softmax-ce", 6, 3, False),
    ("rnn-l1", "rnn", 5, False, 16, 1, 4, "many-to-many", "softmax-ce", 7, 3, False),
    ("rnn-l2", "rnn", 5, False, 12, 2, 4, "many-to-many", "softmax-ce", 6, 3, False),
    ("lstm-tokens", "lstm", 9, True, 10, 2, 9, "many-to-many", "softmax-ce", 6, 4, True),
    ("gru-classify-padded", "gru", 3, False, 10, 2, 5, "many-to-one", "softmax-ce", 8, 4, True),
    ("lstm-regress-padded", "lstm", 2, False, 9, 1, 3, "many-to-one", "mse", 8, 4, True),
    ("rnn-multilabel-padded", "rnn", 4, False, 8, 2, 6, "many-to-many", "sigmoid-bce", 7, 3, True),
]


class Model(torch.nn.Module):
    def __init__(self, cell, inp, hidden, layers, out):
        super().__init__()
        kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
        self.rnn = kind(inp, hidden, num_layers=layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden, out)


def write_safetensors(path, tensors):
    header = {}
    blobs = []
    offset = 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def make_case(seed, name, cell, inp, tokens, hidden, layers, out, task, loss, steps, batch, padded):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Model(cell, inp, hidden, layers, out).double()
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.6, 0.6)
    lengths = rng.integers(1, steps + 1, size=batch) if padded else np.full(batch, steps)
    lengths[0] = steps
    if tokens:
        ids = rng.integers(0, inp, size=(steps, batch))
        x = np.eye(inp)[ids]  # one-hot: the same math PyTorch does for a categorical input
    else:
        x = rng.standard_normal((steps, batch, inp))
    rows = steps * batch if task == "many-to-many" else batch
    if loss == "softmax-ce":
        target = rng.integers(0, out, size=rows)
    elif loss == "sigmoid-bce":
        target = (rng.random((rows, out)) < 0.3).astype(np.float64)
    else:
        target = rng.standard_normal((rows, out))

    # Output positions in seqtrain's order: step-major, then sequence.
    outputs = {}
    for b in range(batch):
        seq = torch.tensor(x[: lengths[b], b, :][None], dtype=torch.float64)
        y, _ = model.rnn(seq)
        outputs[b] = model.fc(y[0])
    head, tgt = [], []
    if task == "many-to-many":
        for t in range(steps):
            for b in range(batch):
                if t < lengths[b]:
                    head.append(outputs[b][t])
                    tgt.append(target[t * batch + b])
    else:
        for b in range(batch):
            head.append(outputs[b][lengths[b] - 1])
            tgt.append(target[b])
    head = torch.stack(head)
    if loss == "softmax-ce":
        value = torch.nn.functional.cross_entropy(head, torch.tensor(np.array(tgt)), reduction="mean")
    elif loss == "sigmoid-bce":
        per = torch.nn.functional.binary_cross_entropy_with_logits(
            head, torch.tensor(np.array(tgt)), reduction="none")
        value = per.sum(dim=1).mean()
    else:
        value = torch.nn.functional.mse_loss(head, torch.tensor(np.array(tgt)), reduction="mean")
    model.zero_grad()
    value.backward()

    tensors = {}
    for k, v in model.state_dict().items():
        tensors[k] = v.numpy()
    for k, p in model.named_parameters():
        tensors["grad." + k] = p.grad.numpy()
    if tokens:
        tensors["input.tokens"] = ids.astype(np.float64)
    else:
        tensors["input.features"] = x
    tensors["input.lengths"] = lengths.astype(np.float64)
    if loss == "softmax-ce":
        tensors["target.classes"] = target.astype(np.float64)
    else:
        tensors["target.values"] = target
    tensors["expected.head"] = head.detach().numpy()
    tensors["expected.loss"] = np.array([value.item()])
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"cell": cell, "inputSize": inp, "categoricalInput": tokens, "hidden": hidden, "layers": layers,
                   "outputSize": out, "task": task, "loss": loss, "steps": steps, "batch": batch,
                   "torch": torch.__version__}, f, indent=1)
        f.write("\n")
    print(f"{name}: loss {value.item():.6f}")


OPTIMIZERS = [
    # name, constructor, steps
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("sgd-momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("sgd-nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam-decay", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8)),
]


def make_optimizer_cases():
    """Parameters after each of 5 steps with given gradients, per optimizer (float32, as seqtrain runs)."""
    rng = np.random.default_rng(7)
    start = rng.standard_normal(37).astype(np.float32)
    grads = rng.standard_normal((5, 37)).astype(np.float32)
    tensors = {"start": start, "grads": grads}
    for name, make in OPTIMIZERS:
        p = torch.nn.Parameter(torch.tensor(start))
        opt = make([p])
        history = []
        for g in grads:
            p.grad = torch.tensor(g)
            opt.step()
            history.append(p.detach().numpy().copy())
        tensors["after." + name] = np.stack(history)
    write_safetensors(os.path.join(OUT, "optimizers.safetensors"), tensors)
    print("optimizers: " + ", ".join(n for n, _ in OPTIMIZERS))


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, case in enumerate(CASES):
        make_case(1000 + i, *case)
    make_optimizer_cases()


if __name__ == "__main__":
    main()
