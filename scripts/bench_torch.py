#!/usr/bin/python3
"""PyTorch baseline for the benchmark shapes (same as src/test/java/dev/seqtrain/bench/BenchConfig.java).

One training step = forward + backward + Adam, one thread. Prints TSV lines:
TORCH <config> <ms_per_step> <timesteps_per_s>
Run with Debian's python3-torch, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OPENBLAS_NUM_THREADS=1.
"""
import ctypes
import sys
import time

import torch

torch.set_num_threads(1)
CONFIGS = {
    # input, tokens (one-hot), hidden, layers, steps, batch, output, many_to_many, loss
    "charlm-small": (65, True, 128, 1, 50, 32, 65, True, "ce"),
    "charlm-medium": (65, True, 256, 2, 100, 32, 65, True, "ce"),
    "cls-60": (1, False, 64, 1, 60, 32, 6, False, "ce"),
    "wide-512": (128, False, 512, 1, 50, 64, 128, True, "mse"),
}


class Net(torch.nn.Module):
    def __init__(self, cell, inp, hidden, layers, out):
        super().__init__()
        kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
        self.rnn = kind(inp, hidden, num_layers=layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden, out)


def bench(name, cell, seconds):
    inp, tokens, hidden, layers, steps, batch, out, m2m, loss = CONFIGS[name]
    torch.manual_seed(0)
    net = Net(cell, inp, hidden, layers, out)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    if tokens:
        ids = torch.randint(0, inp, (batch, steps))
        x = torch.nn.functional.one_hot(ids, inp).float()
    else:
        x = torch.randn(batch, steps, inp)
    if loss == "ce":
        y = torch.randint(0, out, (batch, steps) if m2m else (batch,))
    else:
        y = torch.randn(batch, steps, out)

    def step():
        opt.zero_grad()
        h, _ = net.rnn(x)
        if m2m:
            o = net.fc(h)
        else:
            o = net.fc(h[:, -1])
        if loss == "ce":
            l = torch.nn.functional.cross_entropy(o.reshape(-1, out), y.reshape(-1))
        else:
            l = torch.nn.functional.mse_loss(o, y)
        l.backward()
        opt.step()

    for _ in range(3):
        step()
    best = None
    # Several timed rounds; report the median round's time per step.
    rounds = []
    end = time.time() + seconds
    while time.time() < end or len(rounds) < 3:
        n = 0
        t0 = time.perf_counter()
        while n < 3 or time.perf_counter() - t0 < 0.5:
            step()
            n += 1
        rounds.append((time.perf_counter() - t0) / n)
    rounds.sort()
    ms = rounds[len(rounds) // 2] * 1000
    print(f"TORCH\t{name}\t{cell}\t{ms:.3f}\t{steps * batch / (ms / 1000):.0f}", flush=True)


def loaded_blas():
    """The BLAS library this process mapped (after a matmul made torch load it) and OpenBLAS's core type."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = path.rsplit("/", 1)[-1].lower()
            if "blas" in name or "mkl" in name:
                libs.add(path)
    openblas = sorted(p for p in libs if "openblas" in p.lower())
    if openblas:
        try:
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            core = "unknown"
        return "openblas", openblas[0], core
    if any("mkl" in p.lower() for p in libs):
        return "mkl", sorted(libs)[0], "n/a"
    return "reference", ", ".join(sorted(libs)) or "none found", "n/a"


if __name__ == "__main__":
    kind, lib, core = loaded_blas()
    print(f"# blas {kind}: {lib} (core {core})", flush=True)
    if kind == "reference":
        # Debian's reference BLAS runs these LSTMs about 3x slower: a ratio against it means nothing.
        print("REFUSED\treference BLAS loaded; install libopenblas0-pthread", flush=True)
        sys.exit(3)
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else list(CONFIGS)
    cells = sys.argv[2].split(",") if len(sys.argv) > 2 else ["lstm"]
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 10
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}", flush=True)
    for c in cells:
        for n in names:
            bench(n, c, secs)
