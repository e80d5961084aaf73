"""A PyTorch training run in the TWA reference's style, to show twa4j's TWA on another program's checkpoints.

Trains the PyTorch twin of twa4j's `cnn` on Fashion-MNIST with SGD (lr 0.1, momentum 0.9, wd 1e-4, batch 128)
and saves `model.state_dict()` as DIR/0.pt (the initialisation), then K times per epoch as DIR/1.pt, 2.pt, ...,
as nblt/TWA's train_sgd_cifar.py does. Then:

    ./twa4j twa --snapshots-dir DIR --model cnn --data fashion-mnist --snapshots-per-epoch K --run runs/from-pytorch \
        --params-start 0 --params-end N --epochs 1

Usage: python reference_run.py DIR [--epochs 2] [--per-epoch 2] [--train-limit 60000] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import gzip
import os

import numpy as np
import torch
from torch import nn


def cnn(classes=10):
    # keys 0.weight ... 11.bias, as twa4j's `export --format pytorch` names them
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, classes))


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--per-epoch", type=int, default=2)
    p.add_argument("--train-limit", type=int, default=60000)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.manual_seed(1)
    images = idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 1, 28, 28)[: a.train_limit]
    labels = idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"), 8)[: a.train_limit]
    x = (torch.tensor(images, dtype=torch.float32) / 255 - 0.2860) / 0.3530
    y = torch.tensor(labels, dtype=torch.int64)
    model = cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    os.makedirs(a.dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(a.dir, "0.pt"))
    steps = (len(y) + 127) // 128
    saved = 0
    for epoch in range(a.epochs):
        order = torch.randperm(len(y))
        model.train()
        for step in range(steps):
            batch = order[step * 128:(step + 1) * 128]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            opt.step()
            if (step + 1) * a.per_epoch // steps != step * a.per_epoch // steps:
                saved += 1
                torch.save(model.state_dict(), os.path.join(a.dir, f"{saved}.pt"))
        print(f"epoch {epoch + 1}: last loss {loss.item():.4f}; {saved + 1} checkpoints in {a.dir}")


if __name__ == "__main__":
    main()
