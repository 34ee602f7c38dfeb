#!/usr/bin/env python3
"""Train SplitNet (see splitnet.py) on the data written by make_dataset.py.

  /usr/bin/python3 models/train.py [--arch v3|v2|v1] [--data models/data] [--epochs 40] [--node-loss W] [--device cpu|cuda]
                                   [--threads 2] [--out models/splitnet.pt]

--arch v3 (default): SplitNetV2 on every picture of the data, I pictures (all-intra data and the intra pictures of
the random-access runs) and B pictures (random-access runs: the motion-compensated temporal feature .tm.bin,
make_dataset.mc_temporal_feature, + slice type / temporal layer vector); --arch v2: the same network on the
zero-motion temporal feature (.t.bin); --arch v1: SplitNet on the I pictures only (today's v1 model).
The committed v3: --arch v3 --epochs 16 --node-loss 1 --threads 1 (node_loss: the encoder's QT-split decision per
quadtree node as a second loss, on the probability the encoder compares with its thresholds).

Targets (per 8x8 cell, from the encoder's chosen CU list in --stats output): with --labels exact (default) the
qt_depth / mtt_depth the encoder itself records for the CU covering the cell (clamped to 0..4 / 0..3: the depths the
split hints constrain); with --labels rect (SplitNet v1's targets) depths derived from the CU's w x h: its QT leaf
taken as the smallest square that can hold it, S = max(w, h), so QT depth = log2(128 / S) and MTT depth =
log2(S / min(w, h)). A cell covered by several CUs (< 8x8) takes the deepest. Cells outside the picture are masked
out of the loss.
Deterministic: fixed seeds, deterministic algorithms, single-threaded data order.
Prints per-epoch loss and, at the end, accuracy on the held-out split (val) and writes models/metrics.json.
"""
import argparse, glob, json, math, os, random, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitnet import SplitNet, SplitNetV2, QT_CLASSES, MTT_CLASSES, GRID, CTU, COND, TEMPORAL_CLIP, TEMPORAL_SCALE, cond_vector  # noqa: E402

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


def ctus_of(base, meta, exact=True, text=".t.bin"):
    """One picture (meta: its .stats.json) cut into CTUs: (split, luma [n,128,128] uint16 10-bit, temporal [n,128,128]
    uint16 (0 for I pictures), qp [n], cond [n,7], qt [n,16,16], mtt [n,16,16], is_b [n]). Edge-replicated padding."""
    w, h = meta["width"], meta["height"]
    luma = np.fromfile(base + ".y.bin", dtype="<u2").reshape(h, w)
    tfile = base + text
    temporal = np.fromfile(tfile, dtype="<u2").reshape(h, w) if os.path.exists(tfile) else np.zeros((h, w), np.uint16)
    qt, mt = labels_for(meta, exact)
    ny, nx = math.ceil(h / CTU), math.ceil(w / CTU)
    pad = np.pad(luma, ((0, ny * CTU - h), (0, nx * CTU - w)), mode="edge")
    tpad = np.pad(temporal, ((0, ny * CTU - h), (0, nx * CTU - w)), mode="edge")
    qtp = np.pad(qt, ((0, ny * CELLS - qt.shape[0]), (0, nx * CELLS - qt.shape[1])), constant_values=-1)
    mtp = np.pad(mt, ((0, ny * CELLS - mt.shape[0]), (0, nx * CELLS - mt.shape[1])), constant_values=-1)
    st = meta.get("slice_type", "I")
    cond = cond_vector(st, meta.get("layer", 0))
    ys, ts, qs, ms = [], [], [], []
    for j in range(ny):
        for i in range(nx):
            win = (slice(j * CTU, (j + 1) * CTU), slice(i * CTU, (i + 1) * CTU))
            ys.append(pad[win]); ts.append(tpad[win])
            qs.append(qtp[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
            ms.append(mtp[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
    n = len(ys)
    return (meta["split"], np.stack(ys).astype(np.int16), np.stack(ts).astype(np.int16), np.full(n, meta["qp"], np.float32),
            np.tile(np.array(cond, np.float32), (n, 1)), np.stack(qs), np.stack(ms), np.full(n, st == "B"))


FIELDS = ("luma", "temporal", "qp", "cond", "qt", "mtt", "is_b")


def load(data, exact=True, intra_only=False, top_every=1, text=".t.bin"):
    """Every picture of the data as CTUs, per split. top_every K > 1: of the top temporal layer's B pictures (layer 5,
    half of all B pictures and the most alike: distance 1 to their references) training keeps every K-th
    ((poc // 2) % K == 0); validation keeps all."""
    sets = {"train": [[] for _ in FIELDS], "val": [[] for _ in FIELDS]}
    for f in sorted(glob.glob(os.path.join(data, "*.stats.json"))):
        meta = json.load(open(f))
        if meta["split"] not in sets:  # "test": held out from training and validation
            continue
        if intra_only and meta.get("slice_type", "I") != "I":
            continue
        if (top_every > 1 and meta["split"] == "train" and meta.get("slice_type") == "B" and meta.get("layer") == 5
                and (meta["frame"] // 2) % top_every != 0):
            continue
        split, *arrays = ctus_of(f[:-len(".stats.json")], meta, exact, text)
        for k, v in enumerate(arrays):
            sets[split][k].append(v)
    return {k: dict(zip(FIELDS, (torch.from_numpy(np.concatenate(v)) for v in s))) for k, s in sets.items() if s[0]}


def inputs(d, idx, arch):
    """Network inputs for the CTUs idx of a loaded set: x (v1: [n,2,..], v2: [n,3,..]) and cond [n,7]."""
    y = d["luma"][idx].float() / 1023.0 - 0.5
    qp = (d["qp"][idx] / 63.0)[:, None, None].expand_as(y)
    planes = [y, qp]
    if arch != "v1":
        planes.append(d["temporal"][idx].float().clamp(max=TEMPORAL_CLIP) / TEMPORAL_SCALE)
    return torch.stack(planes, 1), d["cond"][idx]


def net_for(arch):
    return SplitNet() if arch == "v1" else SplitNetV2()  # v3: v2's network on the motion-compensated feature


def forward(net, arch, x, cond):
    return net(x) if arch == "v1" else net(x, cond)


def node_loss(out, q):
    """Binary cross-entropy of the encoder's QT-split decision at every quadtree node that exists in the encoder's
    partition (all its cells at QT depth >= the node's), on the probability the encoder's hints compare with its
    thresholds (split_hints.cpp nodeProbability: the largest quadrant mean of P(QT depth > q))."""
    p = F.softmax(out[:, :QT_CLASSES], 1)
    tail = torch.flip(torch.cumsum(torch.flip(p, [1]), 1), [1])  # tail[:, k] = P(depth >= k)
    qf = q.float()
    total, count = out.new_zeros(()), 0
    for depth in range(4):
        n = CELLS >> depth  # node size in cells
        pn = F.max_pool2d(F.avg_pool2d(tail[:, depth + 1:depth + 2], n // 2), 2)[:, 0]
        split = F.max_pool2d(qf[:, None], n)[:, 0] > depth
        exists = -F.max_pool2d(-qf[:, None], n)[:, 0] >= depth
        if exists.any():
            total = total + F.binary_cross_entropy(pn[exists].clamp(1e-6, 1 - 1e-6), split[exists].float(), reduction="sum")
            count += int(exists.sum())
    return total / max(count, 1)


def augment(x, q, m, g):
    """Random flips / transpose (the partition of a mirrored CTU is the mirrored partition)."""
    if torch.rand(1, generator=g) < 0.5:
        x, q, m = x.flip(-1), q.flip(-1), m.flip(-1)
    if torch.rand(1, generator=g) < 0.5:
        x, q, m = x.flip(-2), q.flip(-2), m.flip(-2)
    if torch.rand(1, generator=g) < 0.5:
        x, q, m = x.transpose(-1, -2), q.transpose(-1, -2), m.transpose(-1, -2)
    return x, q, m


def threshold_ranges(pq, pm, tau):
    """Hint ranges from probabilities, as src/models/split-predictor.ts writes them with NNVVC_SPLIT_THRESHOLD=tau:
    QT: the contiguous range [lo, hi] grown from the argmax, one class at a time towards the likelier neighbour,
    until its mass reaches tau; MTT: the smallest max depth m whose cumulative probability reaches tau.
    pq [n,5,...], pm [n,4,...] softmax probabilities -> lo, hi, mmax (long tensors shaped [n,...])."""
    lo = pq.argmax(1)
    hi = lo.clone()
    mass = pq.gather(1, lo[:, None]).squeeze(1)
    for _ in range(QT_CLASSES - 1):
        need = mass < tau - 1e-6
        below = torch.where(lo > 0, pq.gather(1, (lo - 1).clamp(min=0)[:, None]).squeeze(1), torch.full_like(mass, -1.0))
        above = torch.where(hi < QT_CLASSES - 1, pq.gather(1, (hi + 1).clamp(max=QT_CLASSES - 1)[:, None]).squeeze(1), torch.full_like(mass, -1.0))
        take_lo = need & (below > above)
        take_hi = need & ~take_lo & (above >= 0)
        lo = torch.where(take_lo, lo - 1, lo)
        hi = torch.where(take_hi, hi + 1, hi)
        mass = mass + torch.where(take_lo, below, torch.zeros_like(mass)) + torch.where(take_hi, above, torch.zeros_like(mass))
    cdf = pm.cumsum(1)
    mmax = (cdf < tau - 1e-6).sum(1).clamp(max=MTT_CLASSES - 1)
    return lo, hi, mmax


TAUS = (0.8, 0.9, 0.95, 0.98)


def evaluate(net, d, device, arch="v1"):
    net.eval()
    n = len(d["qt"])
    outs = []
    with torch.no_grad():
        for i in range(0, n, 64):
            idx = torch.arange(i, min(n, i + 64))
            x, c = inputs(d, idx, arch)
            outs.append(forward(net, arch, x.to(device), c.to(device)).cpu())
    out = torch.cat(outs)
    q, m = d["qt"], d["mtt"]
    pq, pm = out[:, :QT_CLASSES].softmax(1), out[:, QT_CLASSES:].softmax(1)
    aq, am = pq.argmax(1), pm.argmax(1)
    valid = q >= 0
    is_b = d["is_b"][:, None, None].expand_as(q)

    def scores(mask):
        r = {
            "cells": int(mask.sum().item()),
            "qt_exact": (aq == q)[mask].float().mean().item(),
            "qt_within1": ((aq - q).abs() <= 1)[mask].float().mean().item(),
            "mtt_exact": (am == m)[mask].float().mean().item(),
            "mtt_within1": ((am - m).abs() <= 1)[mask].float().mean().item(),
            # how often the conservative hint (QT in [p-1, p+1], MTT <= p+1) covers the encoder's own choice
            "hint_cover_a0": (((aq - q).abs() <= 1) & (m <= am + 1))[mask].float().mean().item(),
        }
        for tau in TAUS:
            lo, hi, mm = threshold_ranges(pq, pm, tau)
            cover = (q >= lo) & (q <= hi) & (m <= mm)
            r[f"tau{tau}"] = {"cover": cover[mask].float().mean().item(),
                              "qt_range": (hi - lo + 1)[mask].float().mean().item(), "mtt_max": mm[mask].float().mean().item()}
        return r

    res = scores(valid)
    if d["is_b"].any() and (~d["is_b"]).any():
        res["I"] = scores(valid & ~is_b)
        res["B"] = scores(valid & is_b)
    return res


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
    ap.add_argument("--metrics", default=None, help="default models/metrics.json (v1), models/metrics-v2.json (v2)")
    ap.add_argument("--arch", choices=["v1", "v2", "v3"], default="v3")
    ap.add_argument("--top-layer-every", type=int, default=2, help="train on every K-th top-layer B picture (see load)")
    ap.add_argument("--node-loss", type=float, default=0.0,
                    help="weight of the node-level QT-split loss (node_loss) added to the per-cell cross-entropy")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    a.metrics = a.metrics or os.path.join(here, "metrics.json" if a.arch == "v1" else f"metrics-{a.arch}.json")
    t_start = time.time()
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(a.threads)
    d = load(a.data, a.labels == "exact", intra_only=a.arch == "v1", top_every=a.top_layer_every,
             text=".tm.bin" if a.arch == "v3" else ".t.bin")
    tr = d["train"]
    ntr = len(tr["qt"])
    print(f"arch {a.arch}: train CTUs {ntr} (B {int(tr['is_b'].sum())}), val CTUs {len(d['val']['qt']) if 'val' in d else 0}", flush=True)
    net = net_for(a.arch).to(a.device)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    g = torch.Generator().manual_seed(a.seed)
    for ep in range(a.epochs):
        net.train()
        perm = torch.randperm(ntr, generator=g)
        tot = 0.0
        for i in range(0, ntr, a.batch):
            idx = perm[i:i + a.batch]
            x, c = inputs(tr, idx, a.arch)
            x, q, m = augment(x, tr["qt"][idx], tr["mtt"][idx], g)
            out = forward(net, a.arch, x.to(a.device), c.to(a.device))
            loss = F.cross_entropy(out[:, :QT_CLASSES], q.to(a.device), ignore_index=-1) + \
                0.5 * F.cross_entropy(out[:, QT_CLASSES:], m.to(a.device), ignore_index=-1)
            if a.node_loss > 0:
                loss = loss + a.node_loss * node_loss(out, q.to(a.device))
            opt.zero_grad(); loss.backward(); opt.step()
            tot += loss.item() * len(idx)
        sched.step()
        if ep % 10 == 9 or ep == a.epochs - 1:
            msg = f"epoch {ep + 1} loss {tot / ntr:.4f} ({time.time() - t_start:.0f} s)"
            if "val" in d:
                v = evaluate(net, d["val"], a.device, a.arch)
                msg += f" val qt_exact {v['qt_exact']:.3f} mtt_exact {v['mtt_exact']:.3f} cover a0 {v['hint_cover_a0']:.3f}"
            print(msg, flush=True)
    net.cpu()
    train_seconds = time.time() - t_start
    torch.save({"state_dict": net.state_dict(), "labels": a.labels, "arch": a.arch}, a.out)  # export_onnx.py reads arch + labels
    metrics = {"arch": a.arch, "params": sum(p.numel() for p in net.parameters()), "train": evaluate(net, tr, "cpu", a.arch),
               "epochs": a.epochs, "seed": a.seed, "train_ctus": ntr, "train_ctus_b": int(tr["is_b"].sum()), "labels": a.labels,
               "device": a.device, "train_seconds": round(train_seconds, 1), "top_layer_every": a.top_layer_every, "node_loss": a.node_loss}
    if "val" in d:
        metrics["val"] = evaluate(net, d["val"], "cpu", a.arch)
        metrics["val_ctus"] = len(d["val"]["qt"])
    json.dump(metrics, open(a.metrics, "w"), indent=1)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
