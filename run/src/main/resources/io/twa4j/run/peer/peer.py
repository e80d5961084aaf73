"""The PyTorch side of `twa4j bench --peer`: the same work as twa4j's side, timed the same way.

Usage: python peer.py SPEC.json   (prints one JSON object on its last line)

The spec (written by twa4j's PeerBench) names the thread count, the data (Fashion-MNIST's IDX files
and the epoch's batch order as little-endian int32, as twa4j draws it) and the workloads:
  epoch     training epochs of `cnn` (SGD lr 0.1, momentum 0.9, wd 1e-4; loss and accuracy read
            every step, as twa4j's loop reads them), each followed by the test evaluation
  steps     per model: median step, forward/backward and SGD update (lr 1e-3) on random inputs
  twa       the reference's TWA step (nblt/TWA train_twa.py: g <- P^T (P g), then torch.optim.SGD)
  bn_pass   torch.optim.swa_utils.update_bn over the training set
  eval      the test evaluation alone (eval mode, no_grad)
Each workload's peak resident memory is measured from a reset of the peak (/proc/self/clear_refs).
Models come from reference_models.py (the definitions the interop tests check twa4j's against).
"""
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models  # noqa: E402

MEAN, STD = 0.2860, 0.3530  # twa4j's Fashion-MNIST normalisation


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def idx(path, offset):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def find(directory, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise SystemExit("peer: no " + stem + "[.gz] in " + directory)


def split(directory, prefix, limit):
    images = idx(find(directory, prefix + "-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)[:limit]
    labels = idx(find(directory, prefix + "-labels-idx1-ubyte"), 8)[:limit]
    x = (torch.tensor(images, dtype=torch.float32) / 255 - MEAN) / STD
    return x, torch.tensor(labels, dtype=torch.int64)


def sgd(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=1e-4)


def evaluate(model, x, y, batch):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            logits = model(x[i:i + batch])
            loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    return loss / len(y), correct / len(y)


def epochs(spec, data, order_file):
    """spec["epochs"] epochs of SGD in twa4j's batch orders (one after the other in the order file), each evaluated."""
    x, y, xt, yt = data
    orders = torch.tensor(np.fromfile(order_file, dtype="<i4").astype(np.int64)).reshape(spec["epochs"], -1)
    torch.manual_seed(1)
    model = reference_models.build("cnn", 10, (1, 28, 28))
    opt = sgd(model)
    batch = spec["batch_size"]
    results = []
    for order in orders:
        reset_peak()
        started = time.perf_counter()
        model.train()
        loss_sum, correct = 0.0, 0
        for i in range(0, len(order), batch):
            rows = order[i:i + batch]
            opt.zero_grad()
            logits = model(x[rows])
            loss = F.cross_entropy(logits, y[rows])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(rows)
            correct += (logits.argmax(1) == y[rows]).sum().item()
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        test_loss, test_acc = evaluate(model, xt, yt, spec["eval_batch_size"])
        results.append({"train_s": train_s, "eval_s": time.perf_counter() - started, "train_loss": loss_sum / len(order),
                        "train_acc": correct / len(order), "test_acc": test_acc, "peak_rss_mib": peak_mib()})
    return results


def timed_steps(model, shape, batch, warmup, timed, update):
    """Median ms of whole steps, of forward/backward and of the update, on random inputs."""
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    whole, forward_backward, updates = [], [], []
    for i in range(warmup + timed):
        started = time.perf_counter()
        model.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        loss.item()
        (logits.argmax(1) == y).sum().item()
        middle = time.perf_counter()
        update()
        ended = time.perf_counter()
        if i >= warmup:
            whole.append((ended - started) * 1e3)
            forward_backward.append((middle - started) * 1e3)
            updates.append((ended - middle) * 1e3)
    return {"step_ms": statistics.median(whole), "forward_backward_ms": statistics.median(forward_backward),
            "update_ms": statistics.median(updates)}


def steps(spec):
    results = {}
    for name, shape in spec["models"]:
        torch.manual_seed(1)
        model = reference_models.build(name, 10, tuple(shape))
        model.train()
        opt = sgd(model, 1e-3)  # random inputs: a small step keeps the loss finite
        reset_peak()
        result = timed_steps(model, shape, spec["batch_size"], spec["warmup"], spec["timed"], opt.step)
        result["peak_rss_mib"] = peak_mib()
        results[name] = result
    return results


def twa(spec):
    """The reference's TWA step: flatten g, g <- P^T (P g), write it back, torch.optim.SGD (momentum, wd)."""
    name, shape, n = spec["model"], spec["shape"], spec["n"]
    torch.manual_seed(1)
    model = reference_models.build(name, 10, tuple(shape))
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    d = sum(p.numel() for p in params)
    reset_peak()
    basis = torch.randn(n, d)
    opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9, weight_decay=1e-5)

    def project_and_step():
        g = torch.cat([p.grad.reshape(-1) for p in params])
        g = torch.mm(basis.t(), torch.mm(basis, g.reshape(-1, 1))).reshape(-1)
        offset = 0
        for p in params:
            p.grad.copy_(g[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
        opt.step()

    result = timed_steps(model, shape, spec["batch_size"], spec["warmup"], spec["timed"], project_and_step)
    result.update({"D": d, "n": n, "peak_rss_mib": peak_mib()})
    return result


def bn_pass(spec, data):
    x, y = data[0], data[1]
    torch.manual_seed(1)
    model = reference_models.build("cnn", 10, (1, 28, 28))
    batch = spec["batch_size"]
    loader = [x[i:i + batch] for i in range(0, len(y), batch)]
    reset_peak()
    started = time.perf_counter()
    torch.optim.swa_utils.update_bn(loader, model)
    return {"seconds": time.perf_counter() - started, "peak_rss_mib": peak_mib()}


def evaluation(spec, data):
    torch.manual_seed(1)
    model = reference_models.build("cnn", 10, (1, 28, 28))
    reset_peak()
    started = time.perf_counter()
    evaluate(model, data[2], data[3], spec["eval_batch_size"])
    return {"seconds": time.perf_counter() - started, "peak_rss_mib": peak_mib()}


def main(argv):
    with open(argv[1]) as f:
        spec = json.load(f)
    torch.set_num_threads(spec["threads"])
    torch.set_num_interop_threads(1)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    data = None
    if spec.get("data"):
        d = spec["data"]
        data = split(d["dir"], "train", d["train_limit"]) + split(d["dir"], "t10k", d["test_limit"])
    if spec.get("epoch"):
        out["epochs"] = epochs(spec["epoch"], data, spec["order"])
    if spec.get("steps"):
        out["steps"] = steps(spec["steps"])
    if spec.get("twa"):
        out["twa"] = twa(spec["twa"])
    if spec.get("bn_pass"):
        out["bn_pass"] = bn_pass(spec["bn_pass"], data)
    if spec.get("eval"):
        out["eval"] = evaluation(spec["eval"], data)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
