"""What the PyTorch comparison scripts (torch_curve.py, torch_classify.py, torch_multilabel.py) share:
their optional arguments, and one epoch of minibatch training as seqtrain does it, the training rows shuffled anew, each batch's
mean loss, global-norm clipping, then the optimizer step."""
import sys

import torch


def arg(i, default):
    """Command-line argument i as the type of its default, or the default when it is not given."""
    return type(default)(sys.argv[i]) if len(sys.argv) > i else default


def step(x, y, idx, loss_of, params, opt, clip):
    """One optimizer step on the rows idx."""
    opt.zero_grad()
    loss = loss_of(x[idx], y[idx])
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, clip)
    opt.step()


def train_epoch(x, y, batch, loss_of, params, opt, clip):
    order = torch.randperm(len(x))
    for b in range(0, len(order), batch):
        step(x, y, order[b : b + batch], loss_of, params, opt, clip)


def fixed_batches(n, batch):
    """Batches drawn once, as seqtrain packs them (PartitionLayout): one shuffle of the rows at the start."""
    order = torch.randperm(n)
    return [order[b : b + batch] for b in range(0, n, batch)]


def train_epoch_fixed(x, y, batches, loss_of, params, opt, clip):
    """One epoch over batches of a fixed composition, in a new order: what seqtrain's epoch does."""
    for i in torch.randperm(len(batches)).tolist():
        step(x, y, batches[i], loss_of, params, opt, clip)
