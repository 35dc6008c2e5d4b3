"""aihwkit side of the LeNet-5 benchmark (bench/lenet_vs_aihwkit.sh): the network of
configs/nn/lenet5.toml (conv 6@5x5 pad 2, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2,
dense 120, 84, 10) as AnalogConv2d and AnalogLinear layers on the vendored MNIST subset,
aihwkit's ConstantStep device with the pulsed (stochastic) update and its default periphery,
AnalogSGD with the learning rate times DECAY after every epoch, each training image shifted by up
to SHIFT pixels every epoch (zeros filling in, as dwmtj's training.shift); prints one JSON line
with training and inference throughput and the test accuracy.

Usage: python aihwkit_lenet.py DATA_DIR --threads N --epochs E --batch B --lr LR --decay D --shift S
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from aihwkit.nn import AnalogConv2d, AnalogLinear, AnalogSequential
from aihwkit.optim import AnalogSGD
from aihwkit.simulator.configs import SingleRPUConfig
from aihwkit.simulator.configs.devices import ConstantStepDevice


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(nd)]
    return np.frombuffer(raw[4 + 4 * nd :], dtype=np.uint8).reshape(dims)


def shifted(x, s, gen):
    """Each image of x (B, 1, 28, 28) translated by up to s pixels per axis, zeros filling in."""
    if s == 0:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (s, s, s, s))
    d = torch.randint(0, 2 * s + 1, (b, 2), generator=gen)
    return torch.stack([padded[k, :, d[k, 0] : d[k, 0] + h, d[k, 1] : d[k, 1] + w] for k in range(b)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--decay", type=float, default=0.88)
    ap.add_argument("--shift", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    load = lambda name: torch.tensor(idx(f"{a.data}/{name}.gz").reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
    xtr, xte = load("train-images-idx3-ubyte"), load("t10k-images-idx3-ubyte")
    ytr = torch.tensor(idx(f"{a.data}/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    yte = torch.tensor(idx(f"{a.data}/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    cfg = SingleRPUConfig(device=ConstantStepDevice())
    model = AnalogSequential(
        AnalogConv2d(1, 6, kernel_size=5, padding=2, rpu_config=cfg),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        AnalogConv2d(6, 16, kernel_size=5, rpu_config=cfg),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        AnalogLinear(400, 120, rpu_config=cfg),
        torch.nn.ReLU(),
        AnalogLinear(120, 84, rpu_config=cfg),
        torch.nn.ReLU(),
        AnalogLinear(84, 10, rpu_config=cfg),
        torch.nn.LogSoftmax(dim=1),
    )
    opt = AnalogSGD(model.parameters(), lr=a.lr)
    opt.regroup_param_groups(model)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=a.decay)
    loss_fn = torch.nn.NLLLoss()
    n = xtr.shape[0]
    train_s = 0.0
    accuracies = []
    for _ in range(a.epochs):
        perm = torch.randperm(n, generator=gen)
        t0 = time.perf_counter()
        model.train()
        for k in range(0, n, a.batch):
            idx_b = perm[k : k + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(shifted(xtr[idx_b], a.shift, gen)), ytr[idx_b])
            loss.backward()
            opt.step()
        train_s += time.perf_counter() - t0
        sched.step()
        model.eval()
        t0 = time.perf_counter()
        with torch.no_grad():
            pred = torch.cat([model(xte[k : k + 250]).argmax(1) for k in range(0, xte.shape[0], 250)])
        infer_s = time.perf_counter() - t0
        accuracies.append((pred == yte).float().mean().item())
    print(json.dumps({
        "peer": "aihwkit",
        "version": __import__("aihwkit").__version__,
        "torch": torch.__version__,
        "threads": a.threads,
        "epochs": a.epochs,
        "batch": a.batch,
        "train_samples_per_s": n * a.epochs / train_s,
        "inference_samples_per_s": xte.shape[0] / infer_s,
        "test_accuracy": accuracies[-1],
        "test_accuracy_per_epoch": accuracies,
    }))


if __name__ == "__main__":
    main()
