"""aihwkit side of the NN benchmark (bench/nn_vs_aihwkit.sh): the GV-2016 784-256-128-10
sigmoid MLP on the vendored MNIST subset, ConstantStep devices with the pulsed (stochastic)
update and aihwkit's default periphery, AnalogSGD; prints one JSON line with training and
inference throughput and the test accuracy.

Usage: python aihwkit_mlp.py DATA_DIR --threads N --epochs E --batch B --lr LR
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
from aihwkit.nn import AnalogLinear, AnalogSequential
from aihwkit.optim import AnalogSGD
from aihwkit.simulator.configs import SingleRPUConfig
from aihwkit.simulator.configs.devices import ConstantStepDevice


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(nd)]
    return np.frombuffer(raw[4 + 4 * nd :], dtype=np.uint8).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr = torch.tensor(idx(f"{a.data}/train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    ytr = torch.tensor(idx(f"{a.data}/train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xte = torch.tensor(idx(f"{a.data}/t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    yte = torch.tensor(idx(f"{a.data}/t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    cfg = SingleRPUConfig(device=ConstantStepDevice())
    model = AnalogSequential(
        AnalogLinear(784, 256, bias=True, rpu_config=cfg),
        torch.nn.Sigmoid(),
        AnalogLinear(256, 128, bias=True, rpu_config=cfg),
        torch.nn.Sigmoid(),
        AnalogLinear(128, 10, bias=True, rpu_config=cfg),
        torch.nn.LogSoftmax(dim=1),
    )
    opt = AnalogSGD(model.parameters(), lr=a.lr)
    opt.regroup_param_groups(model)
    loss_fn = torch.nn.NLLLoss()
    n = xtr.shape[0]
    train_s = 0.0
    for _ in range(a.epochs):
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        model.train()
        for k in range(0, n, a.batch):
            idx_b = perm[k : k + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx_b]), ytr[idx_b])
            loss.backward()
            opt.step()
        train_s += time.perf_counter() - t0
    model.eval()
    t0 = time.perf_counter()
    with torch.no_grad():
        pred = torch.cat([model(xte[k : k + 250]).argmax(1) for k in range(0, xte.shape[0], 250)])
    infer_s = time.perf_counter() - t0
    acc = (pred == yte).float().mean().item()
    print(json.dumps({
        "peer": "aihwkit",
        "version": __import__("aihwkit").__version__,
        "torch": torch.__version__,
        "threads": a.threads,
        "epochs": a.epochs,
        "batch": a.batch,
        "train_samples_per_s": n * a.epochs / train_s,
        "inference_samples_per_s": xte.shape[0] / infer_s,
        "test_accuracy": acc,
    }))


if __name__ == "__main__":
    main()
