#!/usr/bin/env python3
"""Train SplitNet (see splitnet.py) on the data written by make_dataset.py.

  /usr/bin/python3 models/train.py [--data models/data] [--epochs 40] [--device cpu|cuda] [--out models/splitnet.pt]

Targets (per 8x8 cell, from the encoder's chosen CU list in --stats output): with --labels exact (default) the
qt_depth / mtt_depth the encoder itself records for the CU covering the cell (clamped to 0..4 / 0..3: the depths the
split hints constrain); with --labels rect (SplitNet v1's targets) depths derived from the CU's w x h: its QT leaf
taken as the smallest square that can hold it, S = max(w, h), so QT depth = log2(128 / S) and MTT depth =
log2(S / min(w, h)). A cell covered by several CUs (< 8x8) takes the deepest. Cells outside the picture are masked
out of the loss.
Deterministic: fixed seeds, deterministic algorithms, single-threaded data order.
Prints per-epoch loss and, at the end, accuracy on the held-out split (val) and writes models/metrics.json.
"""
import argparse, glob, json, math, os, random, sys
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitnet import SplitNet, QT_CLASSES, MTT_CLASSES, GRID, CTU  # noqa: E402

CELLS = CTU // GRID


def labels_for(meta, exact=True):
    """Per-cell (qt, mtt) maps for a whole picture; -1 outside the picture. With exact (and CU lists that
    carry them: --stats cu_format x, y, w, h, intra_mode, qt_depth, mtt_depth, ...) the encoder's own
    depths; else the depths derived from the CU rectangle (the smallest square holding it)."""
    w, h = meta["width"], meta["height"]
    rows, cols = math.ceil(h / GRID), math.ceil(w / GRID)
    qt = np.full((rows, cols), -1, np.int64)
    mt = np.full((rows, cols), -1, np.int64)
    for cu in meta["cus"]:
        x, y, cw, ch = cu[:4]
        if exact and len(cu) >= 7:
            q = min(max(int(cu[5]), 0), QT_CLASSES - 1)
            m = min(max(int(cu[6]), 0), MTT_CLASSES - 1)
        else:
            s = max(cw, ch, GRID)
            q = min(max(int(round(math.log2(CTU / s))), 0), QT_CLASSES - 1)
            m = min(max(int(round(math.log2(max(cw, ch) / min(cw, ch)))), 0), MTT_CLASSES - 1)
        # a CU smaller than a cell: the cell gets the deepest CU seen in it
        r0, r1 = y // GRID, max(y // GRID + 1, (y + ch) // GRID)
        c0, c1 = x // GRID, max(x // GRID + 1, (x + cw) // GRID)
        sub = (slice(r0, min(r1, rows)), slice(c0, min(c1, cols)))
        qt[sub] = np.maximum(qt[sub], q)
        mt[sub] = np.maximum(mt[sub], m)
    return qt, mt


def ctus_of(base, meta, exact=True):
    """(inputs [n,2,128,128] float32, qt [n,16,16], mtt [n,16,16]) for one picture (meta: its .stats.json)."""
    w, h = meta["width"], meta["height"]
    luma = np.fromfile(base + ".y.bin", dtype="<u2").reshape(h, w).astype(np.float32)
    qt, mt = labels_for(meta, exact)
    ny, nx = math.ceil(h / CTU), math.ceil(w / CTU)
    pad = np.pad(luma, ((0, ny * CTU - h), (0, nx * CTU - w)), mode="edge")
    qtp = np.pad(qt, ((0, ny * CELLS - qt.shape[0]), (0, nx * CELLS - qt.shape[1])), constant_values=-1)
    mtp = np.pad(mt, ((0, ny * CELLS - mt.shape[0]), (0, nx * CELLS - mt.shape[1])), constant_values=-1)
    xs, qs, ms = [], [], []
    for j in range(ny):
        for i in range(nx):
            y = pad[j * CTU:(j + 1) * CTU, i * CTU:(i + 1) * CTU] / 1023.0 - 0.5
            xs.append(np.stack([y, np.full_like(y, meta["qp"] / 63.0)]))
            qs.append(qtp[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
            ms.append(mtp[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
    return meta["split"], np.stack(xs).astype(np.float32), np.stack(qs), np.stack(ms)


def load(data, exact=True):
    sets = {"train": [[], [], []], "val": [[], [], []]}
    for f in sorted(glob.glob(os.path.join(data, "*.stats.json"))):
        meta = json.load(open(f))
        if meta["split"] not in sets:  # "test": held out from training and validation
            continue
        split, x, q, m = ctus_of(f[:-len(".stats.json")], meta, exact)
        for k, v in enumerate((x, q, m)):
            sets[split][k].append(v)
    return {k: tuple(torch.from_numpy(np.concatenate(v)) for v in s) for k, s in sets.items() if s[0]}


def augment(x, q, m, g):
    """Random flips / transpose (the partition of a mirrored CTU is the mirrored partition)."""
    if torch.rand(1, generator=g) < 0.5:
        x, q, m = x.flip(-1), q.flip(-1), m.flip(-1)
    if torch.rand(1, generator=g) < 0.5:
        x, q, m = x.flip(-2), q.flip(-2), m.flip(-2)
    if torch.rand(1, generator=g) < 0.5:
        x, q, m = x.transpose(-1, -2), q.transpose(-1, -2), m.transpose(-1, -2)
    return x, q, m


def evaluate(net, x, q, m, device):
    net.eval()
    with torch.no_grad():
        out = torch.cat([net(x[i:i + 64].to(device)).cpu() for i in range(0, len(x), 64)])
    pq, pm = out[:, :QT_CLASSES].argmax(1), out[:, QT_CLASSES:].argmax(1)
    valid = q >= 0
    n = valid.sum().item()
    return {
        "cells": n,
        "qt_exact": (pq == q)[valid].float().mean().item(),
        "qt_within1": ((pq - q).abs() <= 1)[valid].float().mean().item(),
        "mtt_exact": (pm == m)[valid].float().mean().item(),
        "mtt_within1": ((pm - m).abs() <= 1)[valid].float().mean().item(),
        # how often the conservative hint (QT in [p-1, p+1], MTT <= p+1) covers the encoder's own choice
        "hint_cover_a0": (((pq - q).abs() <= 1) & (m <= pm + 1))[valid].float().mean().item(),
    }


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "data"))
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(here, "splitnet.pt"))
    ap.add_argument("--labels", choices=["exact", "rect"], default="exact",
                    help="exact: the encoder's qt_depth/mtt_depth from --stats; rect: derived from CU rectangles (v1)")
    ap.add_argument("--metrics", default=os.path.join(here, "metrics.json"))
    a = ap.parse_args()
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(2)
    d = load(a.data, a.labels == "exact")
    xt, qt, mt = d["train"]
    print(f"train CTUs {len(xt)}, val CTUs {len(d['val'][0]) if 'val' in d else 0}", flush=True)
    net = SplitNet().to(a.device)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    g = torch.Generator().manual_seed(a.seed)
    for ep in range(a.epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=g)
        tot = 0.0
        for i in range(0, len(xt), a.batch):
            idx = perm[i:i + a.batch]
            x, q, m = augment(xt[idx], qt[idx], mt[idx], g)
            out = net(x.to(a.device))
            loss = F.cross_entropy(out[:, :QT_CLASSES], q.to(a.device), ignore_index=-1) + \
                0.5 * F.cross_entropy(out[:, QT_CLASSES:], m.to(a.device), ignore_index=-1)
            opt.zero_grad(); loss.backward(); opt.step()
            tot += loss.item() * len(idx)
        sched.step()
        if ep % 10 == 9 or ep == a.epochs - 1:
            msg = f"epoch {ep + 1} loss {tot / len(xt):.4f}"
            if "val" in d:
                msg += f" val {json.dumps({k: round(v, 3) for k, v in evaluate(net, *d['val'], a.device).items()})}"
            print(msg, flush=True)
    net.cpu()
    torch.save({"state_dict": net.state_dict(), "labels": a.labels}, a.out)  # export_onnx.py records the labels
    metrics = {"train": evaluate(net, xt, qt, mt, "cpu"), "epochs": a.epochs, "seed": a.seed,
               "train_ctus": len(xt), "labels": a.labels}
    if "val" in d:
        metrics["val"] = evaluate(net, *d["val"], "cpu")
        metrics["val_ctus"] = len(d["val"][0])
    json.dump(metrics, open(a.metrics, "w"), indent=1)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
