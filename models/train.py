#!/usr/bin/env python3
"""Train SplitNet (see splitnet.py) on the data written by make_dataset.py.

  /usr/bin/python3 models/train.py [--arch v3|v4|v2|v1] [--data models/data] [--epochs 40] [--node-loss W] [--device cpu|cuda]
                                   [--halo CELLS]
                                   [--node-costs W [--cost-weight 4] [--cost-bits 16] [--abandoned-bits B]]
                                   [--threads 2] [--out models/splitnet.pt]
  /usr/bin/python3 models/train.py --eval CHECKPOINT... (the proxy below on the val and test pictures; no training)

--arch v3 (default): SplitNetV2 on every picture of the data, I pictures (all-intra data and the intra pictures of
the random-access runs) and B pictures (random-access runs: the motion-compensated temporal feature .tm.bin,
make_dataset.mc_temporal_feature, + slice type / temporal layer vector); --arch v2: the same network on the
zero-motion temporal feature (.t.bin); --arch v1: SplitNet on the I pictures only (today's v1 model); --arch v4
(twenty-eighth session): v3's data and feature on SplitNetV4, the slice QP in the cond vector rather than an input
plane, so that the stem (~85 % of the work) runs once per picture for all four QPs of a job.
--halo N (thirty-first session; any arch): each CTU's input window also holds N 8x8 cells of its neighbours on every
side (ctu_windows), cropped away after the context convolutions (splitnet.crop_halo); measured, not in a committed
model (models/README.md "Thirty-first session").
The committed v3: --arch v3 --epochs 16 --node-loss 1 --threads 1 (node_loss: the encoder's QT-split decision per
quadtree node as a second loss, on the probability the encoder compares with its thresholds).

Targets (per 8x8 cell, from the encoder's chosen CU list in --stats output): with --labels exact (default) the
qt_depth / mtt_depth the encoder itself records for the CU covering the cell (clamped to 0..4 / 0..3: the depths the
split hints constrain); with --labels rect (SplitNet v1's targets) depths derived from the CU's w x h: its QT leaf
taken as the smallest square that can hold it, S = max(w, h), so QT depth = log2(128 / S) and MTT depth =
log2(S / min(w, h)). A cell covered by several CUs (< 8x8) takes the deepest. Cells outside the picture are masked
out of the loss.
--node-costs W adds node_cost_loss: the search's own decision at each quadtree node (--stats qt_nodes: QT split or
not, an MTT split or not), weighted by what the wrong decision would cost in bits.
Split directions (twenty-second session): --dir-costs W adds direction outputs (channels 9-10: the logit of
P(vertical) of the MTT split at MTT depth 0 and 1) and direction_cost_loss: at every quadtree node where an MTT split
won, the better direction (qt_nodes mtt_hor / mtt_ver) on the node mean the encoder thresholds, weighted by what
refusing it costs; --dir-loss W the same outputs on the CU tiling's directions (direction_labels; also the only
labels of MTT depth 1). The proxy then also gives its curve at direction thresholds DIR_PROXY.
--dir1-costs W (twenty-third session): the same at MTT depth 1, where channel 10 is then P(the split divides the node
across its longer side) (direction1_cost_loss on --stats mtt_nodes: where an MTT split won at a node of MTT depth 1,
across or along, per cell of the node, weighted by what refusing it costs).
The proxy (work_proxy, proxy_scores): what hints would cost and save at given thresholds, computed on the search's
own quadtree with its node costs, without an encode: regret (bits lost at the first forbidden winner on the chosen
path, % of the pictures' bits) against work saved (the node evaluations hints skip, %); "curve" gives the regret at
35..55 % work saved. Quick and free of timing noise, for comparing models and seeds; bench:cnn's encodes decide.
Deterministic: fixed seeds, deterministic algorithms, single-threaded data order.
Prints per-epoch loss and, at the end, accuracy on the held-out split (val) and writes models/metrics.json.
"""
import argparse, collections, glob, json, math, os, random, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitnet import load_checkpoint, net_for, trained_directions, QT_CLASSES, MTT_CLASSES, GRID, CTU, COND, TEMPORAL_CLIP, TEMPORAL_SCALE, cond_vector  # noqa: E402

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


DIRECTIONS = 2  # split-direction outputs: P(vertical) of the MTT split at MTT depth 0 and 1


def _first_split(cus, x0, y0, w, h):
    """The first MTT split of the area (x0, y0, w, h) that the CU rectangles inside it imply: ('V' | 'H', children)
    where only one direction's BT or TT lines are crossed by no CU, (None, []) where both are (a quad-like tiling
    that either order gives) or neither."""
    def free_x(x):
        return not any(cx < x < cx + cw for cx, cy, cw, ch in cus)
    def free_y(y):
        return not any(cy < y < cy + ch for cx, cy, cw, ch in cus)
    v_bt, v_tt = free_x(x0 + w // 2), free_x(x0 + w // 4) and free_x(x0 + 3 * w // 4)
    h_bt, h_tt = free_y(y0 + h // 2), free_y(y0 + h // 4) and free_y(y0 + 3 * h // 4)
    can_v, can_h = v_bt or v_tt, h_bt or h_tt
    if can_v == can_h:
        return None, []
    if can_v:  # BT where its line is free (a TT's middle part may not split again the same way)
        cuts = [0, w // 2, w] if v_bt else [0, w // 4, 3 * w // 4, w]
        return "V", [(x0 + a, y0, b - a, h) for a, b in zip(cuts, cuts[1:])]
    cuts = [0, h // 2, h] if h_bt else [0, h // 4, 3 * h // 4, h]
    return "H", [(x0, y0 + a, w, b - a) for a, b in zip(cuts, cuts[1:])]


def direction_labels(meta):
    """Per-cell maps (rows, cols) of the direction of the MTT split at MTT depth 0 (the QT leaf's first split: 1
    vertical, 0 horizontal) and 1 (the split of the part holding the cell: 1 across the part's longer side, 0 along it,
    as the encoder reads the digit there), -1 none or not implied by the CU tiling (no split there, a quad-like tiling,
    a QT leaf reaching past the picture: forced splits)."""
    w, h = meta["width"], meta["height"]
    rows, cols = math.ceil(h / GRID), math.ceil(w / GRID)
    cw8, ch8 = (w + 7) & ~7, (h + 7) & ~7
    maps = [np.full((rows, cols), -1, np.int64) for _ in range(DIRECTIONS)]
    leaves = collections.defaultdict(list)
    for cu in meta["cus"]:
        if len(cu) < 7:
            continue
        s = CTU >> int(cu[5])
        leaves[(cu[0] // s * s, cu[1] // s * s, s)].append(tuple(cu[:4]))
    def mark(depth, area, value):
        x, y, aw, ah = area
        r0, c0 = y // GRID, x // GRID
        maps[depth][r0:max(r0 + 1, (y + ah) // GRID), c0:max(c0 + 1, (x + aw) // GRID)] = value
    for (x0, y0, s), cus in leaves.items():
        if len(cus) < 2 or x0 + s > cw8 or y0 + s > ch8:
            continue
        d, kids = _first_split(cus, x0, y0, s, s)
        if d is None:
            continue
        mark(0, (x0, y0, s, s), int(d == "V"))
        for k in kids:
            inside = [c for c in cus if k[0] <= c[0] < k[0] + k[2] and k[1] <= c[1] < k[1] + k[3]]
            if len(inside) < 2:
                continue
            d1, _ = _first_split(inside, *k)
            if d1 is not None and k[2] != k[3]:
                mark(1, k, int((d1 == "V") == (k[2] > k[3])))
    return maps


NODE_DEPTHS = 5  # quadtree nodes 128x128 (depth 0) .. 8x8 (depth 4)


NODE_FIELDS = 6  # leaf, qt, mtt, lower, mtt_hor, mtt_ver


def node_cost_maps(meta, ny, nx):
    """The encoder's quadtree node costs (--stats qt_nodes: x, y, size, qt_depth, leaf, qt, mtt, lower[, mtt_hor,
    mtt_ver]) as maps per depth d, [ny * 2^d, nx * 2^d, 6] float32: the leaf's, the QT split's and the best MTT split's
    (J - the node's best J) / lambda in bits (-1 not tried), the lower-bound flags (1 QT, 2 MTT, 4 every horizontal MTT
    split, 8 every vertical one), then the best horizontal and vertical MTT split's costs (-1 not tried or not recorded:
    data from before the twenty-second session); -2 everywhere for a node the search did not visit."""
    maps = [np.full((ny << d, nx << d, NODE_FIELDS), -2.0, np.float32) for d in range(NODE_DEPTHS)]
    for node in meta.get("qt_nodes", []):
        x, y, size, depth, leaf, qt, mtt, lower = node[:8]
        hor, ver = (node[8], node[9]) if len(node) >= 10 else (-1.0, -1.0)
        if 0 <= depth < NODE_DEPTHS and size == CTU >> depth:
            maps[depth][y // size, x // size] = (leaf, qt, mtt, lower, hor, ver)
    return maps


DIR1_FIELDS = 4  # per cell: sum of a*v, sum of a, sum of a*f*v, sum of a*f (a = 1 / the node's cells, v = across won)


def direction1_cost_maps(meta, rows, cols, bits0=16.0):
    """The split direction's labels at MTT depth 1 (--stats mtt_nodes: x, y, w, h, leaf, mtt_hor, mtt_ver, lower) as a
    map [rows, cols, 4] float32 over the picture's 8x8 cells: at every MTT depth 1 node (not square) where an MTT split
    won and both directions were tried (neither a lower bound), v = 1 if the winner divides the node across its longer
    side (vertical in a wide node, horizontal in a tall one: what the encoder's digit at MTT depth 1 means,
    split_hints.cpp allowMtt; the parent's direction is in the node's shape, so the label does not depend on it), and
    r = what refusing it costs (the better of the leaf and the other direction), f = r / (r + bits0). A transpose or a
    flip leaves v as it is. Each such node spreads a weight of 1 over the
    cells the encoder averages for it (split_hints.cpp forCells: every cell the node touches); a cell sums
    a * v, a, a * f * v and a * f over its nodes (a = 1 / the node's cells), so that direction1_cost_loss can weight
    by 1 + W * f and take a soft target where nodes smaller than a cell disagree."""
    maps = np.zeros((rows, cols, DIR1_FIELDS), np.float32)
    for node in meta.get("mtt_nodes", []):
        x, y, w, h, leaf, hor, ver, lower = node[:8]
        if hor < 0 or ver < 0 or int(lower) or min(hor, ver) != 0 or w == h:
            continue
        vertical = ver == 0
        v = 1.0 if vertical == (w > h) else 0.0
        alt = [c for c in (leaf, hor if vertical else ver) if c >= 0]
        r = min(alt) if alt else 0.0
        f = r / (r + bits0)
        c0, c1 = min(x // GRID, cols - 1), min((x + w - 1) // GRID, cols - 1)
        r0, r1 = min(y // GRID, rows - 1), min((y + h - 1) // GRID, rows - 1)
        a = 1.0 / ((c1 - c0 + 1) * (r1 - r0 + 1))
        maps[r0:r1 + 1, c0:c1 + 1] += np.array([a * v, a, a * f * v, a * f], np.float32)
    return maps


def ctu_windows(plane, halo=0):
    """A picture plane [h,w] cut into its CTUs' input windows [ny*nx,128+16*halo,..] in raster order: each CTU with
    `halo` cells (8 samples) of its neighbours on every side, the picture's edges replicated (the worker's frameFeeds
    cuts the same windows)."""
    h, w = plane.shape
    ny, nx, hs = math.ceil(h / CTU), math.ceil(w / CTU), halo * GRID
    pad = np.pad(plane, ((hs, ny * CTU - h + hs), (hs, nx * CTU - w + hs)), mode="edge")
    return np.stack([pad[j * CTU:(j + 1) * CTU + 2 * hs, i * CTU:(i + 1) * CTU + 2 * hs] for j in range(ny) for i in range(nx)])


def chroma_windows(base, meta, halo=0):
    """Both chroma planes (.uv.bin, make_dataset.py) repeated 2x2 onto the luma grid and cut as ctu_windows: [n,2,..]
    int16 (arch c1's input)."""
    w, h = meta["width"], meta["height"]
    uv = np.fromfile(base + ".uv.bin", dtype="<u2").reshape(2, h // 2, w // 2)
    up = [np.repeat(np.repeat(p, 2, 0), 2, 1) for p in uv]
    return np.stack([ctu_windows(p, halo) for p in up], 1).astype(np.int16)


def ctus_of(base, meta, exact=True, text=".t.bin", halo=0, tree="luma"):
    """One picture (meta: its .stats.json) cut into CTUs: (split, luma [n,128,128] uint16 10-bit, temporal [n,128,128]
    uint16 (0 for I pictures), qp [n], cond [n,7], qt [n,16,16], mtt [n,16,16], is_b [n], bits [n], dir0/dir1 [n,16,16]
    (direction_labels), nodes0..4, dcost1 [n,16,16,4] (direction1_cost_maps)). Edge-replicated padding. halo: cells
    of the neighbouring CTUs around each CTU's window (luma and temporal [n,128+16*halo,..]; the picture's edges
    replicated, as the worker does)."""
    w, h = meta["width"], meta["height"]
    luma = np.fromfile(base + ".y.bin", dtype="<u2").reshape(h, w)
    tfile = base + text
    temporal = np.fromfile(tfile, dtype="<u2").reshape(h, w) if os.path.exists(tfile) else np.zeros((h, w), np.uint16)
    qt, mt = labels_for(meta, exact)
    dirs = direction_labels(meta)
    ny, nx = math.ceil(h / CTU), math.ceil(w / CTU)
    qtp = np.pad(qt, ((0, ny * CELLS - qt.shape[0]), (0, nx * CELLS - qt.shape[1])), constant_values=-1)
    mtp = np.pad(mt, ((0, ny * CELLS - mt.shape[0]), (0, nx * CELLS - mt.shape[1])), constant_values=-1)
    dps = [np.pad(a, ((0, ny * CELLS - a.shape[0]), (0, nx * CELLS - a.shape[1])), constant_values=-1) for a in dirs]
    st = meta.get("slice_type", "I")
    cond = cond_vector(st, meta.get("layer", 0))
    nodes = node_cost_maps(meta, ny, nx)
    d1 = direction1_cost_maps(meta, math.ceil(h / GRID), math.ceil(w / GRID))
    d1 = np.pad(d1, ((0, ny * CELLS - d1.shape[0]), (0, nx * CELLS - d1.shape[1]), (0, 0)))
    qs, ms, d1s = [], [], []
    ds = [[] for _ in range(DIRECTIONS)]
    ns = [[] for _ in range(NODE_DEPTHS)]
    for j in range(ny):
        for i in range(nx):
            qs.append(qtp[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
            ms.append(mtp[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
            for k in range(DIRECTIONS):
                ds[k].append(dps[k][j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
            for d in range(NODE_DEPTHS):
                ns[d].append(nodes[d][j << d:(j + 1) << d, i << d:(i + 1) << d])
            d1s.append(d1[j * CELLS:(j + 1) * CELLS, i * CELLS:(i + 1) * CELLS])
    n = ny * nx
    chroma = chroma_windows(base, meta, halo) if tree == "chroma" else np.zeros((n, 2, 1, 1), np.int16)
    return (meta["split"], ctu_windows(luma, halo).astype(np.int16), ctu_windows(temporal, halo).astype(np.int16), chroma, np.full(n, meta["qp"], np.float32),
            np.tile(np.array(cond, np.float32), (n, 1)), np.stack(qs), np.stack(ms), np.full(n, st == "B"),
            np.full(n, meta.get("bits", 0) / n, np.float32), *(np.stack(a) for a in ds), *(np.stack(a) for a in ns),
            np.stack(d1s))


FIELDS = (("luma", "temporal", "chroma", "qp", "cond", "qt", "mtt", "is_b", "bits") + tuple(f"dir{k}" for k in range(DIRECTIONS))
          + tuple(f"nodes{d}" for d in range(NODE_DEPTHS)) + ("dcost1",))


def load(data, exact=True, intra_only=False, top_every=1, text=".t.bin", splits=("train", "val"), halo=0, tree="luma"):
    """Every picture of the data as CTUs, per split. tree "chroma": the dual-tree I pictures' chroma coding trees (their
    chroma_cus as the CU list, no node costs; pictures stored without them are left out). top_every K > 1: of the top temporal layer's B pictures (layer 5,
    half of all B pictures and the most alike: distance 1 to their references) training keeps every K-th
    ((poc // 2) % K == 0); validation keeps all."""
    sets = {k: [[] for _ in FIELDS] for k in splits}
    for f in sorted(glob.glob(os.path.join(data, "*.stats.json"))):
        meta = json.load(open(f))
        if meta["split"] not in sets:  # "test": held out from training and validation (--eval reads it)
            continue
        if intra_only and meta.get("slice_type", "I") != "I":
            continue
        if (top_every > 1 and meta["split"] == "train" and meta.get("slice_type") == "B" and meta.get("layer") == 5
                and (meta["frame"] // 2) % top_every != 0):
            continue
        if tree == "chroma":
            if not meta.get("chroma_cus"):
                continue
            meta = dict(meta, cus=meta["chroma_cus"], qt_nodes=[], mtt_nodes=[])
        split, *arrays = ctus_of(f[:-len(".stats.json")], meta, exact, text, halo, tree)
        for k, v in enumerate(arrays):
            sets[split][k].append(v)
    return {k: dict(zip(FIELDS, (torch.from_numpy(np.concatenate(v)) for v in s))) for k, s in sets.items() if s[0]}


def inputs(d, idx, arch):
    """Network inputs for the CTUs idx of a loaded set: x (v1: [n,2,..], v2/v3: [n,3,..], v4: [n,2,..] luma and
    temporal) and cond [n,7] (v4: [n,8], the slice QP last)."""
    y = d["luma"][idx].float() / 1023.0 - 0.5
    qp = d["qp"][idx] / 63.0
    if arch == "v1":  # no temporal plane
        return torch.stack([y, qp[:, None, None].expand_as(y)], 1), d["cond"][idx]
    if arch == "c1":  # the chroma tree: luma, QP, Cb, Cr
        c = d["chroma"][idx].float() / 1023.0 - 0.5
        return torch.cat([torch.stack([y, qp[:, None, None].expand_as(y)], 1), c], 1), d["cond"][idx]
    t = d["temporal"][idx].float().clamp(max=TEMPORAL_CLIP) / TEMPORAL_SCALE
    if arch == "v4":
        return torch.stack([y, t], 1), torch.cat([d["cond"][idx], qp[:, None]], 1)
    return torch.stack([y, qp[:, None, None].expand_as(y), t], 1), d["cond"][idx]


def temporal_suffix(arch):
    """The stored temporal feature an arch reads: v3 and v4 the motion-compensated one (.tm.bin), v2 the zero-motion one."""
    return ".tm.bin" if arch in ("v3", "v4") else ".t.bin"


def forward(net, arch, x, cond):
    return net(x) if arch in ("v1", "c1") else net(x, cond)


def node_probabilities(out):
    """Per depth d the probabilities the encoder thresholds at a quadtree node of size 128 >> d (split_hints.cpp
    nodeProbability: the largest quadrant mean of the cells' values): QT split (d = 0..3, P(QT depth > d)) and MTT split
    at MTT depth 0 (d = 0..4, P(MTT depth > 0)); lists of [N, 2^d, 2^d]."""
    tail = torch.flip(torch.cumsum(torch.flip(F.softmax(out[:, :QT_CLASSES], 1), [1]), 1), [1])  # P(depth >= k)
    pm = 1 - F.softmax(out[:, QT_CLASSES:QT_CLASSES + MTT_CLASSES], 1)[:, :1]
    def pool(plane, d):
        n = CELLS >> d
        return F.max_pool2d(F.avg_pool2d(plane, n // 2), 2)[:, 0] if n >= 2 else plane[:, 0]
    return [pool(tail[:, d + 1:d + 2], d) for d in range(4)], [pool(pm, d) for d in range(NODE_DEPTHS)]


def direction_probabilities(out):
    """Per depth d the probability of a vertical MTT split at MTT depth 0 that the encoder compares with its direction
    threshold at a quadtree node of size 128 >> d (split_hints.cpp allowMtt: the mean of the cells' P(vertical) over
    the node); lists of [N, 2^d, 2^d], or None for a model without direction outputs."""
    if out.shape[1] <= QT_CLASSES + MTT_CLASSES:
        return None
    pv = torch.sigmoid(out[:, QT_CLASSES + MTT_CLASSES:QT_CLASSES + MTT_CLASSES + 1])
    return [F.avg_pool2d(pv, CELLS >> d)[:, 0] for d in range(NODE_DEPTHS)]


def direction_cost_loss(out, nodes, weight, bits0):
    """Binary cross-entropy of the better MTT direction at every quadtree node where an MTT split won and both
    directions were tried (qt_nodes mtt_hor / mtt_ver), on the node probability the encoder thresholds
    (direction_probabilities), weighted by 1 + weight * r / (r + bits0), r = what refusing the winning direction would
    cost (the best of the leaf, the QT split and the other direction). Nodes where no MTT split won carry no loss:
    refusing a direction there costs nothing."""
    pv = direction_probabilities(out)
    total, count = out.new_zeros(()), 0
    for d in range(NODE_DEPTHS):
        nd = node_decisions(nodes[d])
        hor, ver = nodes[d][..., 4], nodes[d][..., 5]
        sel = nd.mtt_won & (hor >= 0) & (ver >= 0)
        if not sel.any():
            continue
        vertical = ver <= hor
        r = torch.minimum(nd.alt_mtt_c, torch.maximum(hor, ver))[sel].clamp(max=1e6)
        w = 1 + weight * r / (r + bits0)
        total = total + F.binary_cross_entropy(pv[d][sel].clamp(1e-6, 1 - 1e-6), vertical[sel].float(), weight=w, reduction="sum")
        count += int(sel.sum())
    return total / max(count, 1)


def direction1_cost_loss(out, dc, weight):
    """The cost-aware direction loss at MTT depth 1 (direction1_cost_maps): per labelled cell the binary cross-entropy
    of P(across at MTT depth 1) against the nodes' weighted share of wins across, weighted by their weight
    (1 + weight * f per node, spread over its cells), per labelled node."""
    if out.shape[1] <= QT_CLASSES + MTT_CLASSES + 1:
        return out.new_zeros(())
    s = dc[..., 1] + weight * dc[..., 3]
    sel = s > 0
    if not sel.any():
        return out.new_zeros(())
    target = ((dc[..., 0] + weight * dc[..., 2])[sel] / s[sel]).clamp(0, 1)
    p = torch.sigmoid(out[:, QT_CLASSES + MTT_CLASSES + 1])[sel].clamp(1e-6, 1 - 1e-6)
    return F.binary_cross_entropy(p, target, weight=s[sel], reduction="sum") / dc[..., 1].sum().clamp(min=1)


def node_loss(out, q):
    """Binary cross-entropy of the encoder's QT-split decision at every quadtree node that exists in the encoder's
    partition (all its cells at QT depth >= the node's), on the probability the encoder's hints compare with its
    thresholds (split_hints.cpp nodeProbability: the largest quadrant mean of P(QT depth > q))."""
    pq, _ = node_probabilities(out)
    qf = q.float()
    total, count = out.new_zeros(()), 0
    for depth in range(4):
        n = CELLS >> depth  # node size in cells
        pn = pq[depth]
        split = F.max_pool2d(qf[:, None], n)[:, 0] > depth
        exists = -F.max_pool2d(-qf[:, None], n)[:, 0] >= depth
        if exists.any():
            total = total + F.binary_cross_entropy(pn[exists].clamp(1e-6, 1 - 1e-6), split[exists].float(), reduction="sum")
            count += int(exists.sum())
    return total / max(count, 1)


NodeDecisions = collections.namedtuple("NodeDecisions", "exists qt_tried end_tried mtt_tried qt_won mtt_won end_c qt_c alt_mtt_c")


def node_decisions(nodes):
    """From one depth's node map [..., 4]: whether the node exists, which choices were tried, whether the QT / an MTT
    split won, and the costs (inf where not tried) of the node's end (the best of leaf and MTT), of the QT split, and
    of the best alternative to an MTT split (leaf or QT)."""
    leaf, qt, mtt, lower = nodes[..., :4].unbind(-1)
    exists = leaf > -2
    inf = torch.full_like(leaf, 1e9)
    leaf_c = torch.where(leaf >= 0, leaf, inf)
    qt_c = torch.where(qt >= 0, qt, inf)
    mtt_c = torch.where(mtt >= 0, mtt, inf)
    lower = lower.long()
    qt_won = exists & (qt == 0) & (lower & 1 == 0) & (leaf_c > 0)
    mtt_won = exists & ~qt_won & (mtt == 0) & (lower & 2 == 0) & (leaf_c > 0)
    end_c = torch.minimum(leaf_c, mtt_c)
    return NodeDecisions(exists, qt >= 0, end_c < 1e9, mtt >= 0, qt_won, mtt_won, end_c, qt_c, torch.minimum(leaf_c, qt_c))


def node_cost_loss(out, nodes, weight, bits0, lower_bits=0.0):
    """Binary cross-entropy of the search's own decisions at its quadtree nodes (QT split or not at depths 0..3, an
    MTT split or not at depths 0..4), on the probabilities the encoder thresholds (node_probabilities), each node
    weighted by 1 + weight * r / (r + bits0), r = the bits (J / lambda) a wrong decision there costs: the winner's
    margin over the best alternative (for an MTT split that did not win, 0: forbidding it costs nothing); a QT split the
    search abandoned counts lower_bits (> 0) instead of its bound."""
    pq, pm = node_probabilities(out)
    total, count = out.new_zeros(()), 0
    for d in range(NODE_DEPTHS):
        nd = node_decisions(nodes[d])
        if d < 4:
            sel = nd.exists & nd.qt_tried & nd.end_tried
            if sel.any():
                qt_c = nd.qt_c
                # an abandoned QT split's cost is a bound just past the best (it stopped there); had it been forced,
                # its remaining CUs would have cost more: such a node counts as a clear one
                if lower_bits > 0:
                    qt_c = torch.where(nodes[d][..., 3].long() & 1 == 1, torch.full_like(qt_c, lower_bits), qt_c)
                r = torch.where(nd.qt_won, nd.end_c, qt_c)[sel].clamp(max=1e6)
                w = 1 + weight * r / (r + bits0)
                total = total + F.binary_cross_entropy(pq[d][sel].clamp(1e-6, 1 - 1e-6), nd.qt_won[sel].float(), weight=w, reduction="sum")
                count += int(sel.sum())
        sel = nd.exists & nd.mtt_tried & ~nd.qt_won
        if sel.any():
            r = torch.where(nd.mtt_won, nd.alt_mtt_c, torch.zeros_like(nd.alt_mtt_c))[sel].clamp(max=1e6)
            w = 1 + weight * r / (r + bits0)
            total = total + F.binary_cross_entropy(pm[d][sel].clamp(1e-6, 1 - 1e-6), nd.mtt_won[sel].float(), weight=w, reduction="sum")
            count += int(sel.sum())
    return total / max(count, 1)


def direction_loss(out, dirs):
    """Binary cross-entropy of the split direction (channels QT_CLASSES + MTT_CLASSES + k: the logit of P(vertical) at
    MTT depth 0, of P(across) at depth 1) on the cells direction_labels labels."""
    total, count = out.new_zeros(()), 0
    for k, lab in enumerate(dirs):
        sel = lab >= 0
        if sel.any():
            total = total + F.binary_cross_entropy_with_logits(out[:, QT_CLASSES + MTT_CLASSES + k][sel], lab[sel].float(), reduction="sum")
            count += int(sel.sum())
    return total / max(count, 1)


DIR_THRESHOLDS = (0.1, 0.2, 0.3)


def _direction_score(p, own, sel):
    """One direction output's scores on the cells sel: p the probability, own the probability of each cell's label."""
    r = {"cells": int(sel.sum()), "accuracy": round(float((own > 0.5)[sel].float().mean()), 4)}
    for t in DIR_THRESHOLDS:
        r[f"refused_own_at_{t}"] = round(float((own < t)[sel].float().mean()), 4)
        r[f"one_way_at_{t}"] = round(float((torch.minimum(p, 1 - p) < t)[sel].float().mean()), 4)
    return r


def direction_scores(out, d, mask):
    """Per MTT depth k: accuracy of the more likely direction on the labelled cells, and per direction threshold D the
    share of those cells whose own direction the cell's probability would refuse (P(own direction) < D) and the share
    of all MTT-split cells where one direction goes (max(P, 1 - P) > 1 - D); dir1_costs: the same at MTT depth 1 on the
    cost labels (direction1_cost_maps, the cells' majority)."""
    res = {}
    for k in range(DIRECTIONS):
        if out.shape[1] <= QT_CLASSES + MTT_CLASSES + k:
            break
        lab = d[f"dir{k}"]
        sel = (lab >= 0) & mask
        if not sel.any():
            continue
        p = torch.sigmoid(out[:, QT_CLASSES + MTT_CLASSES + k])
        res[f"dir{k}"] = _direction_score(p, torch.where(lab == 1, p, 1 - p), sel)
    if out.shape[1] > QT_CLASSES + MTT_CLASSES + 1 and "dcost1" in d:
        dc = d["dcost1"]
        sel = (dc[..., 1] > 0) & mask
        if sel.any():
            p = torch.sigmoid(out[:, QT_CLASSES + MTT_CLASSES + 1])
            res["dir1_costs"] = _direction_score(p, torch.where(dc[..., 0] / dc[..., 1].clamp(min=1e-9) >= 0.5, p, 1 - p), sel)
    return res


MTT_WORK = 3.0  # work_proxy: an MTT subtree's search counted as this many leaf evaluations of the node's area


def work_proxy(out, nodes, th):
    """What hints at thresholds th = (tQtSplit, tQtEnd, tMtt) would cost and save on these CTUs, measured on the search's
    own quadtree (no encode): the regret, in bits, at the first node on the search's chosen path whose winner the
    hints forbid (the best allowed alternative's margin; later nodes are not followed: the context changes), and the
    work of the nodes the hinted search would still evaluate (area x (leaf + MTT_WORK where an MTT split is allowed))
    against the unhinted search's. Where hints leave a node no choice the search ignores them, as rd_search.cpp does.
    A fourth threshold (th[3], models with direction outputs, data with mtt_hor / mtt_ver) refuses one MTT direction
    at MTT depth 0 where the node's P(that direction) < th[3]: half the node's MTT work, and its split not chosen.
    A proxy: aborted splits hide their subtrees, and MTT_WORK is a rule of thumb."""
    pq, pm = node_probabilities(out)
    pv = direction_probabilities(out) if len(th) > 3 and th[3] > 0 else None
    dec = [node_decisions(nodes[d]) for d in range(NODE_DEPTHS)]
    n = out.shape[0]
    def walk(d, free, seen):
        """free: [N, 2^d, 2^d] the node is reached by the hinted search; seen: reached on the chosen path with no
        earlier wrong decision. Returns (regret, work, work0) summed."""
        exists, qt_tried, mtt_tried, qt_won = dec[d].exists, dec[d].qt_tried, dec[d].mtt_tried, dec[d].qt_won
        leaf, qt, mtt = nodes[d][..., 0], nodes[d][..., 1], nodes[d][..., 2]
        if d < 4:
            allow_s, allow_e = pq[d] >= th[0], (1 - pq[d]) >= th[1]
        else:
            allow_s, allow_e = torch.zeros_like(exists), torch.ones_like(exists)
        leaf_ok = (leaf >= 0) & allow_e
        mtt_ok = mtt_tried & allow_e & (pm[d] >= th[2])
        mtt_share = torch.ones_like(leaf)
        if pv is not None:  # the direction threshold: the refused direction's splits are neither searched nor chosen
            hor, ver = nodes[d][..., 4], nodes[d][..., 5]
            known = (hor >= 0) & (ver >= 0)
            ok_h, ok_v = (1 - pv[d]) >= th[3], pv[d] >= th[3]
            inf1 = torch.full_like(leaf, 1e9)
            mtt = torch.where(known, torch.minimum(torch.where(ok_h, hor, inf1), torch.where(ok_v, ver, inf1)), mtt)
            mtt_share = torch.where(known & ~(ok_h & ok_v), torch.full_like(leaf, 0.5), mtt_share)
        qt_ok = qt_tried & allow_s
        none = ~(leaf_ok | mtt_ok | qt_ok)  # the search then ignores the hints at the node (rd_search.cpp candidates)
        leaf_ok, mtt_ok, qt_ok = leaf_ok | (none & (leaf >= 0)), mtt_ok | (none & mtt_tried), qt_ok | (none & qt_tried)
        inf = torch.full_like(leaf, 1e9)
        best_allowed = torch.minimum(torch.minimum(torch.where(leaf_ok, leaf, inf), torch.where(mtt_ok, mtt, inf)),
                                     torch.where(qt_ok, qt, inf))
        # the chosen path's node whose winner the hints forbid: the best allowed alternative's margin
        regret = torch.where(seen & exists, best_allowed, torch.zeros_like(leaf)).clamp(max=1e4).sum()
        area = float((CTU >> d) ** 2)
        work0 = (exists * area * ((leaf >= 0).float() + MTT_WORK * mtt_tried)).sum()
        work = ((exists & free) * area * (leaf_ok.float() + MTT_WORK * mtt_share * mtt_ok)).sum()
        allow_s = qt_ok | ~exists  # a node the search did not visit passes its area on (a dual-tree I slice's CTU)
        if d + 1 < NODE_DEPTHS:
            up = lambda t: t.repeat_interleave(2, 1).repeat_interleave(2, 2)
            r2, w2, w02 = walk(d + 1, up(free & allow_s), up(seen & (qt_won | ~exists) & allow_s))
            regret, work, work0 = regret + r2, work + w2, work0 + w02
        return regret, work, work0
    root = torch.ones(n, 1, 1, dtype=torch.bool)
    return walk(0, root, root)


def swap_directions(t):
    """A node map [..., NODE_FIELDS] of the transposed CTU: horizontal and vertical MTT costs (and their lower-bound
    bits 4 / 8) change places."""
    t = t[..., [0, 1, 2, 3, 5, 4]].clone()
    visited = t[..., 0] > -2
    low = t[..., 3].long().clamp(min=0)
    swapped = (low & 3) | ((low & 4) << 1) | ((low & 8) >> 1)
    t[..., 3] = torch.where(visited, swapped.float(), t[..., 3])
    return t


def distill_loss(out, teacher_outs, valid, trained_dirs=()):
    """Knowledge distillation from an ensemble (train.py --teacher): the cross-entropy of the student's QT and MTT
    distributions (the MTT's weighted 0.5, as in the label loss) against the teachers' mean probabilities, and of its
    trained split directions against their mean sigmoid, over the cells inside the picture (valid [n,16,16]). The
    student learns the ensemble's averaged, better calibrated probabilities at the cost of one network."""
    w = valid.float()
    cells = w.sum().clamp(min=1)
    loss = out.new_zeros(())
    for lo, hi, weight in ((0, QT_CLASSES, 1.0), (QT_CLASSES, QT_CLASSES + MTT_CLASSES, 0.5)):
        p = torch.stack([F.softmax(t[:, lo:hi], 1) for t in teacher_outs]).mean(0)
        loss = loss + weight * (-(p * F.log_softmax(out[:, lo:hi], 1)).sum(1) * w).sum() / cells
    for k in trained_dirs:
        ch = QT_CLASSES + MTT_CLASSES + k
        p = torch.stack([torch.sigmoid(t[:, ch]) for t in teacher_outs]).mean(0)
        loss = loss + (F.binary_cross_entropy_with_logits(out[:, ch], p, reduction="none") * w).sum() / cells
    return loss


def load_teachers(files, arch, device, halo=0):
    """Trained checkpoints (train.py's) of the same arch and halo (they see the student's inputs), in eval mode, and the
    split directions all of them trained."""
    nets, dirs = [], None
    for f in files:
        t, ck = load_checkpoint(f)
        if ck.get("arch", "v1") != arch:
            raise SystemExit(f"--teacher {f}: arch {ck.get('arch', 'v1')}, the student is {arch}")
        if ck.get("halo", 0) != halo:
            raise SystemExit(f"--teacher {f}: halo {ck.get('halo', 0)}, the student's is {halo}")
        nets.append(t.to(device))
        td = set(trained_directions(ck))
        dirs = td if dirs is None else dirs & td
    return nets, sorted(dirs or ())


def augment(x, q, m, g, nodes=None, dirs=None, dcost1=None):
    """Random flips / transpose (the partition of a mirrored CTU is the mirrored partition; so are its node maps; a
    transpose turns vertical splits into horizontal ones). With dcost1 (the [n,16,16,4] direction1_cost_maps) it is
    returned, moved alike, as a sixth value (its labels, across or along the node's longer side, stay)."""
    nodes, dirs = list(nodes or []), list(dirs or [])
    cells = [dcost1] if dcost1 is not None else []
    def each(f, *ts):
        return [f(t) for t in ts]
    if torch.rand(1, generator=g) < 0.5:
        x, q, m, *dirs = each(lambda t: t.flip(-1), x, q, m, *dirs)
        nodes, cells = [t.flip(-2) for t in nodes], [t.flip(-2) for t in cells]
    if torch.rand(1, generator=g) < 0.5:
        x, q, m, *dirs = each(lambda t: t.flip(-2), x, q, m, *dirs)
        nodes, cells = [t.flip(-3) for t in nodes], [t.flip(-3) for t in cells]
    if torch.rand(1, generator=g) < 0.5:
        x, q, m, *dirs = each(lambda t: t.transpose(-1, -2), x, q, m, *dirs)
        nodes = [swap_directions(t.transpose(-2, -3)) for t in nodes]
        cells = [t.transpose(-2, -3) for t in cells]
        dirs = [torch.where(t >= 0, 1 - t, t) if k == 0 else t for k, t in enumerate(dirs)]  # depth 1: across stays
    return (x, q, m, nodes, dirs, *cells)


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
    out = outputs(net, arch, d, device)
    proxy = proxy_scores(out, d)
    q, m = d["qt"], d["mtt"]
    pq, pm = out[:, :QT_CLASSES].softmax(1), out[:, QT_CLASSES:QT_CLASSES + MTT_CLASSES].softmax(1)
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
    res["directions"] = direction_scores(out, d, torch.ones_like(valid))
    if d["is_b"].any() and (~d["is_b"]).any():
        res["I"] = scores(valid & ~is_b)
        res["B"] = scores(valid & is_b)
        res["I"]["directions"] = direction_scores(out, d, ~is_b)
        res["B"]["directions"] = direction_scores(out, d, is_b)
    if proxy:
        res["proxy"] = proxy
    return res


# the preset operating points (PRESET_OPERATING_POINTS in src/models/split-predictor.ts: ra fast / medium / slow, ai
# medium) and the bench's second ra point
PROXY_POINTS = ((0.05, 0.25, 0.1), (0.1, 0.3, 0.1), (0.1, 0.3, 0.15), (0.05, 0.25, 0.05), (0.15, 0.35, 0.15))


DIR_PROXY = (0.2, 0.3, 0.4)  # direction thresholds the proxy's curve is also given at (models with direction outputs)
SWEEP = [t / 100 for t in (1, 2, 3, 5, 7, 10, 13, 16, 20, 25, 30, 35, 40)]
WORK_TARGETS = (35, 40, 45, 50, 55)


def proxy_curve(out, nodes, bits, direction=0.0):
    """The regret (% of the bits) at given shares of work saved (WORK_TARGETS), interpolated along the threshold family
    tQtSplit = tMtt = t, tQtEnd = t + 0.2 (t in SWEEP), with the direction threshold `direction` (0: none): one number
    per target to compare models at equal work."""
    pts = []
    for t in SWEEP:
        r, w, w0 = work_proxy(out, nodes, (t, min(t + 0.2, 0.99), t, direction))
        pts.append((100 * (1 - float(w) / max(float(w0), 1)), 100 * float(r) / max(bits, 1)))
    pts.sort()
    res = {}
    for target in WORK_TARGETS:
        for (w0_, r0), (w1, r1) in zip(pts, pts[1:]):
            if w0_ <= target <= w1:
                res[f"regret_at_{target}"] = round(r0 + (r1 - r0) * (target - w0_) / max(w1 - w0_, 1e-9), 3)
                break
    return res


def proxy_scores(out, d):
    """work_proxy at the preset operating points (and the all-intra one), I and B CTUs apart: the regret as a
    percentage of the pictures' bits and the work saved as a percentage (no encode: a quick, noise-free comparison of
    models; the encodes of bench:cnn decide)."""
    nodes = [d[f"nodes{k}"] for k in range(NODE_DEPTHS)]
    if not (nodes[NODE_DEPTHS - 1][..., 0] > -2).any():
        return None
    res = {}
    for name, sel in (("I", ~d["is_b"]), ("B", d["is_b"])):
        if not sel.any():
            continue
        bits = float(d["bits"][sel].sum())
        out_s, nodes_s = out[sel], [t[sel] for t in nodes]
        for th in PROXY_POINTS:
            r, w, w0 = work_proxy(out_s, nodes_s, th)
            res[f"{name} {th[0]}/{th[1]}/{th[2]}"] = {"regret_pct": round(100 * float(r) / max(bits, 1), 3),
                                                     "work_saved_pct": round(100 * (1 - float(w) / max(float(w0), 1)), 2)}
        res[f"{name} curve"] = proxy_curve(out_s, nodes_s, bits)
        if direction_probabilities(out_s) is not None and any((t[..., 4] >= 0).any() for t in nodes_s):
            for dth in DIR_PROXY:
                res[f"{name} curve dir{dth}"] = proxy_curve(out_s, nodes_s, bits, dth)
    return res


def outputs(net, arch, d, device="cpu"):
    net.eval()
    n = len(d["qt"])
    with torch.no_grad():
        return torch.cat([forward(net, arch, *(t.to(device) for t in inputs(d, torch.arange(i, min(n, i + 64)), arch))).cpu()
                          for i in range(0, n, 64)])


def eval_checkpoints(paths, data, splits):
    """--eval: the proxy (work_proxy) of trained checkpoints on the validation and held-out pictures, side by side."""
    loaded = {}
    for path in paths:
        net, ck = load_checkpoint(path)
        arch, halo = ck["arch"], ck.get("halo", 0)
        if (arch, halo) not in loaded:
            loaded[arch, halo] = load(data, ck.get("labels", "exact") == "exact", intra_only=arch == "v1",
                                      text=temporal_suffix(arch), splits=splits, halo=halo)
        for split, d in loaded[arch, halo].items():
            for k, v in (proxy_scores(outputs(net, arch, d), d) or {}).items():
                print(f"{path} {split} {k}: {json.dumps(v)}", flush=True)


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
    ap.add_argument("--arch", choices=["v1", "v2", "v3", "v4", "c1"], default="v3",
                    help="c1: the chroma coding tree of dual-tree I pictures (all-intra data with chroma_cus)")
    ap.add_argument("--top-layer-every", type=int, default=2, help="train on every K-th top-layer B picture (see load)")
    ap.add_argument("--node-loss", type=float, default=0.0,
                    help="weight of the node-level QT-split loss (node_loss) added to the per-cell cross-entropy")
    ap.add_argument("--node-costs", type=float, default=0.0,
                    help="weight of the cost-aware node loss (node_cost_loss: the search's QT / MTT decisions per node, "
                         "weighted by what a wrong one costs; needs data with qt_nodes)")
    ap.add_argument("--cost-weight", type=float, default=4.0, help="node_cost_loss: 1 + this x r / (r + --cost-bits)")
    ap.add_argument("--cost-bits", type=float, default=16.0, help="node_cost_loss: the regret (bits) of half the extra weight")
    ap.add_argument("--abandoned-bits", type=float, default=0.0,
                    help="node_cost_loss: the regret counted for a QT split the search abandoned (0: its lower bound)")
    ap.add_argument("--dir-loss", type=float, default=0.0,
                    help="weight of the split-direction loss (direction_loss; > 0 adds the direction outputs, channels 9-10)")
    ap.add_argument("--dir-costs", type=float, default=0.0,
                    help="weight of the cost-aware direction loss (direction_cost_loss: the better MTT direction at the "
                         "nodes where an MTT split won, weighted like --node-costs; needs data with mtt_hor / mtt_ver)")
    ap.add_argument("--dir1-costs", type=float, default=0.0,
                    help="weight of the cost-aware direction loss at MTT depth 1 (direction1_cost_loss: the better "
                         "direction where an MTT split won at an MTT depth 1 node; needs data with mtt_nodes)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--width", type=int, default=16, help="the network's stem channels (splitnet.net_for)")
    ap.add_argument("--halo", type=int, default=0,
                    help="cells (8 samples) of the neighbouring CTUs around each CTU's input window (splitnet.net_for)")
    ap.add_argument("--teacher", nargs="+", metavar="CHECKPOINT", default=[],
                    help="distil these checkpoints' mean probabilities (an ensemble of seeds) into the model (distill_loss)")
    ap.add_argument("--distill", type=float, default=1.0, help="weight of distill_loss when --teacher is given")
    ap.add_argument("--eval", nargs="+", metavar="CHECKPOINT",
                    help="no training: the proxy scores of these checkpoints on the val and test pictures")
    a = ap.parse_args()
    if a.halo < 0:
        raise SystemExit(f"--halo {a.halo}: expected a whole number of cells >= 0")
    if a.eval:
        torch.set_num_threads(a.threads)
        eval_checkpoints(a.eval, a.data, ("val", "test"))
        return
    a.metrics = a.metrics or os.path.join(here, "metrics.json" if a.arch == "v1" else f"metrics-{a.arch}.json")
    t_start = time.time()
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(a.threads)
    d = load(a.data, a.labels == "exact", intra_only=a.arch in ("v1", "c1"), top_every=a.top_layer_every,
             text=temporal_suffix(a.arch), halo=a.halo, tree="chroma" if a.arch == "c1" else "luma")
    tr = d["train"]
    ntr = len(tr["qt"])
    print(f"arch {a.arch}: train CTUs {ntr} (B {int(tr['is_b'].sum())}), val CTUs {len(d['val']['qt']) if 'val' in d else 0}", flush=True)
    directions = DIRECTIONS if a.dir_loss > 0 or a.dir_costs > 0 or a.dir1_costs > 0 else 0
    net = net_for(a.arch, directions, a.width, a.halo).to(a.device)
    teachers, teacher_dirs = load_teachers(a.teacher, a.arch, a.device, a.halo) if a.teacher else ([], [])
    teacher_dirs = [k for k in teacher_dirs if k < directions]
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
            x, q, m, nodes, dirs, *dc1 = augment(x, tr["qt"][idx], tr["mtt"][idx], g,
                                                 [tr[f"nodes{k}"][idx] for k in range(NODE_DEPTHS)] if a.node_costs > 0 or a.dir_costs > 0 else None,
                                                 [tr[f"dir{k}"][idx] for k in range(DIRECTIONS)] if a.dir_loss > 0 else None,
                                                 tr["dcost1"][idx] if a.dir1_costs > 0 else None)
            x, c = x.to(a.device), c.to(a.device)
            out = forward(net, a.arch, x, c)
            loss = F.cross_entropy(out[:, :QT_CLASSES], q.to(a.device), ignore_index=-1) + \
                0.5 * F.cross_entropy(out[:, QT_CLASSES:QT_CLASSES + MTT_CLASSES], m.to(a.device), ignore_index=-1)
            if teachers:
                with torch.no_grad():
                    t_outs = [forward(t, a.arch, x, c) for t in teachers]
                loss = loss + a.distill * distill_loss(out, t_outs, q.to(a.device) >= 0, teacher_dirs)
            if a.dir_loss > 0:
                loss = loss + a.dir_loss * direction_loss(out, [t.to(a.device) for t in dirs])
            if a.node_loss > 0:
                loss = loss + a.node_loss * node_loss(out, q.to(a.device))
            if a.node_costs > 0:
                loss = loss + a.node_costs * node_cost_loss(out, [t.to(a.device) for t in nodes], a.cost_weight, a.cost_bits, a.abandoned_bits)
            if a.dir_costs > 0:
                loss = loss + a.dir_costs * direction_cost_loss(out, [t.to(a.device) for t in nodes], a.cost_weight, a.cost_bits)
            if a.dir1_costs > 0:
                loss = loss + a.dir1_costs * direction1_cost_loss(out, dc1[0].to(a.device), a.cost_weight)
            opt.zero_grad(); loss.backward(); opt.step()
            tot += loss.item() * len(idx)
        sched.step()
        if ep % 10 == 9 or ep == a.epochs - 1:
            msg = f"epoch {ep + 1} loss {tot / ntr:.4f} ({time.time() - t_start:.0f} s)"
            if "val" in d:
                v = evaluate(net, d["val"], a.device, a.arch)
                msg += f" val qt_exact {v['qt_exact']:.3f} mtt_exact {v['mtt_exact']:.3f} cover a0 {v['hint_cover_a0']:.3f}"
                for k, dr in v["directions"].items():
                    msg += f" {k} acc {dr['accuracy']:.3f} (refused at 0.2 {dr['refused_own_at_0.2']:.3f}, one way {dr['one_way_at_0.2']:.3f})"
                for k, pr in (v.get("proxy") or {}).items():
                    if "curve" in k:
                        msg += f" | {k}: regret at 40/45/50% work saved " + "/".join(
                            str(pr.get(f"regret_at_{t}", "-")) for t in (40, 45, 50))
            print(msg, flush=True)
    net.cpu()
    train_seconds = time.time() - t_start
    # which direction outputs learnt anything: --dir-costs trains MTT depth 0's, --dir-loss and --dir1-costs depth 1's
    # too (export_onnx.py zeroes the others, so that they say 0.5 and refuse nothing)
    trained = [k for k, on in enumerate((a.dir_loss > 0 or a.dir_costs > 0, a.dir_loss > 0 or a.dir1_costs > 0)) if on]
    torch.save({"state_dict": net.state_dict(), "labels": a.labels, "arch": a.arch, "directions": directions,
                "trained_directions": trained, "width": a.width, "halo": a.halo,
                "teachers": [os.path.basename(f) for f in a.teacher]}, a.out)  # export_onnx.py reads arch + labels
    metrics = {"arch": a.arch, "params": sum(p.numel() for p in net.parameters()), "train": evaluate(net, tr, "cpu", a.arch),
               "epochs": a.epochs, "seed": a.seed, "train_ctus": ntr, "train_ctus_b": int(tr["is_b"].sum()), "labels": a.labels,
               "device": a.device, "train_seconds": round(train_seconds, 1), "top_layer_every": a.top_layer_every, "node_loss": a.node_loss,
               "node_costs": a.node_costs, "cost_weight": a.cost_weight, "cost_bits": a.cost_bits,
               "abandoned_bits": a.abandoned_bits, "directions": directions, "dir_loss": a.dir_loss,
               "dir_costs": a.dir_costs, "dir1_costs": a.dir1_costs, "width": a.width, "halo": a.halo,
               "teachers": [os.path.basename(f) for f in a.teacher], "distill": a.distill if a.teacher else 0.0}
    if "val" in d:
        metrics["val"] = evaluate(net, d["val"], "cpu", a.arch)
        metrics["val_ctus"] = len(d["val"]["qt"])
    json.dump(metrics, open(a.metrics, "w"), indent=1)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
