"""What the PyTorch comparison scripts (torch_curve.py, torch_classify.py, torch_multilabel.py) share:
one epoch of minibatch training as seqtrain does it, the training rows shuffled anew, each batch's
mean loss, global-norm clipping, then the optimizer step."""
import torch


def train_epoch(x, y, batch, loss_of, params, opt, clip):
    order = torch.randperm(len(x))
    for b in range(0, len(order), batch):
        idx = order[b : b + batch]
        opt.zero_grad()
        loss = loss_of(x[idx], y[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
