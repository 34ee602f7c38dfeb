#!/usr/bin/env python3
"""Training data for the split predictor: encode crops of the shared test sequences with nnvvc-enc
(--stats) and keep, per picture, the source luma and the chosen CU list.

Usage: python3 models/make_dataset.py --out models/data [--config ai|ra] [--preset P] [--jobs 2] [--more]
(--more: also the twenty-fifth session's extra pictures, PLAN_MORE / PLAN_RA_MORE; the committed models had none)
(--preset: the labels' search preset; default medium for ai (today's data), slow for ra as issue 12 asks;
--preset medium keeps the ra run bounded on 2 cores)
Outputs (not committed: raw data stays outside git): <out>/<name>_f<frame>_qp<QP>.{y.bin,stats.json}
where y.bin is the crop's luma as 16-bit LE 10-bit samples (8-bit input shifted left by 2) and the meta keeps the
encoder's CU list (cus) and its quadtree nodes' RD costs (qt_nodes, --stats qt_node_format: train.py --node-costs;
since the twenty-second session with the best horizontal and vertical MTT split apart: --dir-costs) and, since the
twenty-third, the MTT depth 1 nodes' costs per direction (mtt_nodes, --stats mtt_node_format: --dir1-costs).
Crops keep encode time bounded on the 2 shared cores (1080p frames are cut to 512x256 windows).
The held-out sequences are generated the same way: BasketballPass tagged split=val (validation and the
benchmark), Cactus split=test (used by neither). Resumable: encodes whose .stats.json exists are skipped.

Random access (--config ra): short RA runs (GOP 32, the encoder's default intra period) of whole small sequences
and 512x256 crops of the larger ones (PLAN_RA), at QP 22/27/32/37, --stats; every picture of a run is stored as
<name>_ra_qp<QP>_f<poc>.{y.bin,t.bin,stats.json}: luma as above, t.bin the temporal feature (temporal_feature():
|luma - mean of the nearest lower-layer pictures before/after it in display order|, 16-bit LE, 10-bit units; absent
for I pictures), tm.bin the motion-compensated temporal feature of models v3 (mc_temporal_feature(), same format),
and the meta with slice_type, temporal_id, layer (GOP-32 scale), slice qp and base_qp. A run is skipped when its
<name>_ra_qp<QP>.done exists; --refeature only writes the tm.bin files missing beside stored pictures.
"""
import argparse, json, os, subprocess, sys, time, concurrent.futures as cf
import numpy as np

SEQ = os.environ.get("NNVVC_SEQUENCES", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "sequences"))
ENC = os.environ.get("NNVVC_ENC", os.path.join(os.path.dirname(__file__), "..", "codec", "build", "nnvvc-enc"))
QPS = [22, 27, 32, 37]
# (file, frames to use, crop (x, y, w, h) or None, split)
PLAN = [
    ("bus_352x288_30fps_8bit_17f.yuv", [0, 8, 16], None, "train"),
    ("cars_320x240_30fps_8bit_30f.yuv", [0, 10, 20, 29], None, "train"),
    ("CiscoVT2people_320x192_12fps_8bit_9f.yuv", [0, 8], None, "train"),
    ("foreman_176x144_30fps_8bit_10f.yuv", [0, 5, 9], None, "train"),
    ("ParkJoy_160x90_50fps_8bit_10f.yuv", [0, 9], None, "train"),
    ("ParkJoy_160x90_50fps_10bit_20f.yuv", [10, 19], None, "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [0, 8, 15], (0, 0, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [4, 12], (320, 224, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [0, 16], (640, 384, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [8], (0, 0, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [4], (1408, 768, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [12], (256, 640, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [2], (1024, 128, 512, 256), "train"),
    # more crops (eighteenth session): the 1080p training sequence's other regions, at frames apart in time
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [6, 14], (1408, 0, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [10], (0, 768, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [3, 15], (768, 512, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [7], (1408, 384, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [11], (384, 256, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [2, 10], (320, 0, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [6, 14], (0, 224, 512, 256), "train"),
    # more pictures (twenty-first session: 24, 96 encodes in 41 s): other frames and regions of the training sequences
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [1, 9], (0, 384, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [5, 13], (640, 0, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [4, 12], (1024, 768, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [0, 8], (1408, 512, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [16], (256, 128, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [1, 9], (160, 112, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [5, 13], (320, 112, 512, 256), "train"),
    ("cars_320x240_30fps_8bit_30f.yuv", [5, 15, 25], None, "train"),
    ("bus_352x288_30fps_8bit_17f.yuv", [4, 12], None, "train"),
    ("foreman_176x144_30fps_8bit_10f.yuv", [2, 7], None, "train"),
    ("CiscoVT2people_320x192_12fps_8bit_9f.yuv", [4], None, "train"),
    ("ParkJoy_160x90_50fps_10bit_20f.yuv", [0, 5], None, "train"),
    ("ParkJoy_160x90_50fps_8bit_10f.yuv", [4], None, "train"),
    # more pictures (twenty-second session: 30, 120 encodes): yet other frames and regions of the training sequences
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [3, 11], (1024, 384, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [7, 15], (256, 768, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [2, 10], (640, 640, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [5, 13], (1152, 256, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [1, 14], (384, 512, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [6], (0, 128, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [3, 11], (0, 112, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [7, 15], (320, 160, 512, 256), "train"),
    ("cars_320x240_30fps_8bit_30f.yuv", [2, 12, 22], None, "train"),
    ("bus_352x288_30fps_8bit_17f.yuv", [2, 6, 10, 14], None, "train"),
    ("foreman_176x144_30fps_8bit_10f.yuv", [4, 8], None, "train"),
    ("CiscoVT2people_320x192_12fps_8bit_9f.yuv", [2, 6], None, "train"),
    ("ParkJoy_160x90_50fps_10bit_20f.yuv", [15], None, "train"),
    ("ParkJoy_160x90_50fps_8bit_10f.yuv", [7], None, "train"),
    ("BasketballPass_416x240_50fps_8bit_101f.yuv", [0, 50], None, "val"),
    # held out from training and validation: the 1080p sequence of the benchmark's second run
    ("Cactus_1920x1080_50fps_8bit_9f.yuv", [0], (768, 512, 512, 256), "test"),
]
# random access runs: (file, first frame, frames, crop or None, split); each run is one RA encode per QP
PLAN_RA = [
    ("bus_352x288_30fps_8bit_17f.yuv", 0, 17, None, "train"),
    ("cars_320x240_30fps_8bit_30f.yuv", 0, 17, None, "train"),
    ("CiscoVT2people_320x192_12fps_8bit_9f.yuv", 0, 9, None, "train"),
    ("foreman_176x144_30fps_8bit_10f.yuv", 0, 10, None, "train"),
    ("ParkJoy_160x90_50fps_8bit_10f.yuv", 0, 10, None, "train"),
    ("ParkJoy_160x90_50fps_10bit_20f.yuv", 0, 17, None, "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", 0, 16, (320, 224, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (640, 384, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (1408, 768, 512, 256), "train"),
    # more crops of the two larger training sequences (added in the eighteenth session: about twice the B pictures)
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", 0, 16, (0, 0, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (0, 0, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (1024, 128, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (256, 640, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (1408, 0, 512, 256), "train"),
    ("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (0, 768, 512, 256), "train"),
    ("BasketballPass_416x240_50fps_8bit_101f.yuv", 0, 17, None, "val"),
    # held out from training and validation (twenty-first session): the benchmark's 1080p sequence, for comparing
    # models on content that chose nothing (train.py --eval)
    ("Cactus_1920x1080_50fps_8bit_9f.yuv", 0, 9, (768, 512, 512, 256), "test"),
]

# --more (twenty-fifth session): the committed models were trained without these; with them the all-intra training
# CTUs grow 2.0x and the random-access B pictures' 1.8x, and neither model improved (models/README.md "Twenty-fifth
# session")
PLAN_MORE = [
    # a 4 x 4 grid of BQTerrace regions no crop of PLAN starts at, a 2 x 2 grid of BasketballDrillText's, and the small
    # sequences' remaining frames
    *[("BQTerrace_1920x1080_60fps_8bit_17f.yuv", [(3 * i + j) % 17, (3 * i + j + 8) % 17] + ([(3 * i + j + 4) % 17] if (i + j) % 2 else []),
       (128 + 384 * i, [64, 320, 576, 824][j], 512, 256), "train") for i in range(4) for j in range(4)],
    *[("BasketballDrillText_832x480_50fps_10bit_16f.yuv", [k, k + 4, k + 8, k + 12], (80 + 160 * (k // 2), 56 + 112 * (k % 2), 512, 256), "train")
      for k in range(4)],
    ("bus_352x288_30fps_8bit_17f.yuv", [1, 3, 5, 7, 9, 11, 13, 15], None, "train"),
    ("cars_320x240_30fps_8bit_30f.yuv", [1, 7, 9, 17, 19, 27], None, "train"),
    ("CiscoVT2people_320x192_12fps_8bit_9f.yuv", [1, 3, 5, 7], None, "train"),
    ("foreman_176x144_30fps_8bit_10f.yuv", [1, 3, 6], None, "train"),
    ("ParkJoy_160x90_50fps_10bit_20f.yuv", [2, 8, 13], None, "train"),
    ("ParkJoy_160x90_50fps_8bit_10f.yuv", [2], None, "train"),
]
PLAN_RA_MORE = [
    # BQTerrace regions no crop of PLAN_RA starts at (half of PLAN_MORE's 4 x 4 grid) and two more of BasketballDrillText
    *[("BQTerrace_1920x1080_60fps_8bit_17f.yuv", 0, 17, (128 + 384 * i, [64, 320, 576, 824][j], 512, 256), "train")
      for i in range(4) for j in range(4) if (i + j) % 2 == 0],
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", 0, 16, (80, 56, 512, 256), "train"),
    ("BasketballDrillText_832x480_50fps_10bit_16f.yuv", 0, 16, (240, 168, 512, 256), "train"),
]

def manifest():
    rows = {}
    with open(os.path.join(SEQ, "MANIFEST.tsv")) as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows[p[0]] = dict(w=int(p[1]), h=int(p[2]), fps=int(p[3]), bd=int(p[4]), frames=int(p[5]))
    return rows


def read_frame(path, w, h, bd, idx):
    """Whole 4:2:0 frame (bytes) at the source bit depth."""
    bps = 2 if bd > 8 else 1
    fb = w * h * 3 // 2 * bps
    with open(path, "rb") as f:
        f.seek(fb * idx)
        return f.read(fb)


def crop_frame(buf, w, h, bd, crop):
    """Crop a 4:2:0 frame buffer; returns (bytes, cw, ch)."""
    x, y, cw, ch = crop
    bps = 2 if bd > 8 else 1
    out = bytearray()
    planes = [(0, w, h, x, y, cw, ch), (w * h, w // 2, h // 2, x // 2, y // 2, cw // 2, ch // 2),
              (w * h + (w // 2) * (h // 2), w // 2, h // 2, x // 2, y // 2, cw // 2, ch // 2)]
    for off, pw, ph, px, py, qw, qh in planes:
        for r in range(py, py + qh):
            s = (off + r * pw + px) * bps
            out += buf[s:s + qw * bps]
    return bytes(out), cw, ch


def job(args):
    out, name, frame, w, h, bd, fps, qp, preset, raw, split = args
    base = os.path.join(out, f"{name}_f{frame}_qp{qp}")
    if os.path.exists(base + ".stats.json"):
        return base
    src = base + ".src.yuv"
    with open(src, "wb") as f:
        f.write(raw)
    cmd = [ENC, "-i", src, "-s", f"{w}x{h}", "--fps", str(fps), "--frames", "1", "--input-bitdepth", str(bd),
           "--qp", str(qp), "--config", "ai", "--preset", preset, "-b", base + ".266", "-o", os.devnull,
           "--stats", base + ".tmp.json", "--stats-qt-nodes"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    st = json.load(open(base + ".tmp.json"))
    meta = dict(name=name, frame=frame, width=w, height=h, bitDepth=bd, qp=qp, preset=preset, split=split,
                cus=st["frames"][0]["cus"], chroma_cus=st["frames"][0].get("chroma_cus", []),
                qt_nodes=st["frames"][0].get("qt_nodes", []),
                mtt_nodes=st["frames"][0].get("mtt_nodes", []), bits=st["frames"][0]["bits"],
                seconds=st["frames"][0]["time_s"])
    # luma plane, as 10-bit samples
    n = w * h
    if bd == 8:
        y = bytearray(2 * n)
        for i in range(n):
            v = raw[i] << 2
            y[2 * i] = v & 255
            y[2 * i + 1] = v >> 8
        y = bytes(y)
    else:
        y = raw[:2 * n]
    with open(base + ".y.bin", "wb") as f:
        f.write(y)
    # both chroma planes (Cb then Cr, w/2 x h/2 each), 10-bit samples as the luma: the chroma tree's predictor reads them
    planes = np.frombuffer(raw, dtype=np.uint8 if bd == 8 else "<u2")[n:n + n // 2].astype("<u2")
    (planes << 2 if bd == 8 else planes).astype("<u2").tofile(base + ".uv.bin")
    json.dump(meta, open(base + ".stats.json", "w"))
    for ext in (".tmp.json", ".src.yuv", ".266"):
        os.remove(base + ext)
    return base


def luma10(raw, w, h, bd):
    """Luma plane of one 4:2:0 frame buffer as uint16 10-bit samples (8-bit input << 2)."""
    if bd == 8:
        return np.frombuffer(raw, np.uint8, w * h).astype(np.uint16).reshape(h, w) << 2
    return (np.frombuffer(raw, "<u2", w * h) & 1023).astype(np.uint16).reshape(h, w)


def temporal_refs(pictures):
    """For each picture {poc, intra, tid}: the POCs its temporal feature compares with (None for intra
    pictures): the nearest picture before and the nearest after it in display order on a lower temporal layer
    (intra pictures count as layer 0); for a B picture on layer 0 only the nearest earlier layer-0 picture.
    The pictures the GOP-32 structure references first. Same rule as src/models/temporal.ts."""
    out = {}
    for p in pictures:
        if p["intra"]:
            out[p["poc"]] = None
            continue
        if p["tid"] > 0:
            low = [q["poc"] for q in pictures if q["tid"] < p["tid"]]
        else:
            low = [q["poc"] for q in pictures if q["tid"] == 0 and q["poc"] < p["poc"]]
        before = [x for x in low if x < p["poc"]]
        after = [x for x in low if x > p["poc"]]
        out[p["poc"]] = [r for r in ((max(before) if before else None), (min(after) if after else None)) if r is not None]
    return out


def temporal_feature(y, refs):
    """|y - mean(refs)| in 10-bit units (uint16; refs: one or two luma planes; rounded mean)."""
    if len(refs) == 2:
        r = (refs[0].astype(np.int32) + refs[1].astype(np.int32) + 1) >> 1
    else:
        r = refs[0].astype(np.int32)
    return np.abs(y.astype(np.int32) - r).astype(np.uint16)


# Motion-compensated temporal feature (models v3; src/models/temporal.ts mcTemporalFeature is the same rule, sample
# for sample): per 16x16 block of the picture (edge-replicated to a multiple of 16), a block-matching motion search
# against each reference picture -- full search of +-MC_RANGE_Q quarter-resolution samples on rounded 4x4 means,
# then +-MC_REFINE full-resolution samples around it -- with the cost SAD + MC_LAMBDA * (|mvx| + |mvy|) in
# full-resolution units (the coarse SAD scaled by 16); ties go to the first position in raster order of (dy, dx);
# coordinates are clamped into the picture. The block's prediction is the better of the bi average
# ((P0 + P1 + 1) >> 1, tried first) and each single reference by SAD; the feature is |y - prediction| per sample
# (10-bit units): what motion does not explain, where the encoder must split for texture and occlusions.
MC_BLOCK = 16
MC_RANGE_Q = 8
MC_REFINE = 2
MC_LAMBDA = 4
MC_MARGIN = 4 * MC_RANGE_Q + MC_REFINE  # the largest full-resolution displacement


def _pad16(p):
    h, w = p.shape
    return np.pad(p.astype(np.int32), ((0, -h % MC_BLOCK), (0, -w % MC_BLOCK)), mode="edge")


def _quarter(p):
    h, w = p.shape
    return (p.reshape(h // 4, 4, w // 4, 4).sum((1, 3)) + 8) >> 4


def _block_sum(a, b):
    h, w = a.shape
    return a.reshape(h // b, b, w // b, b).sum((1, 3))


def _mc_blocks(rp, my, mx):
    """The 16x16 blocks of rp displaced by (mx, my) per block (coordinates clamped): [bh, bw, 16, 16]."""
    hp, wp = rp.shape
    win = np.lib.stride_tricks.sliding_window_view(np.pad(rp, MC_MARGIN, mode="edge"), (MC_BLOCK, MC_BLOCK))
    r0 = np.arange(hp // MC_BLOCK)[:, None] * MC_BLOCK + my + MC_MARGIN
    c0 = np.arange(wp // MC_BLOCK)[None, :] * MC_BLOCK + mx + MC_MARGIN
    return win[r0, c0]


def mc_search(yp, rp):
    """Motion vectors (full-resolution samples, [bh, bw] each: y, x) of every 16x16 block of yp in rp (both padded)."""
    hp, wp = yp.shape
    yq, rq = _quarter(yp), _quarter(rp)
    hq, wq = yq.shape
    g = MC_RANGE_Q
    rqp = np.pad(rq, g, mode="edge")  # edge replication = coordinates clamped into the picture
    costs = []
    for dy in range(-g, g + 1):
        for dx in range(-g, g + 1):
            sh = rqp[g + dy:g + dy + hq, g + dx:g + dx + wq]
            costs.append(16 * _block_sum(np.abs(yq - sh), 4) + MC_LAMBDA * 4 * (abs(dx) + abs(dy)))
    k = np.argmin(np.stack(costs), 0)
    cy = (k // (2 * g + 1) - g) * 4
    cx = (k % (2 * g + 1) - g) * 4
    ycur = yp.reshape(hp // MC_BLOCK, MC_BLOCK, wp // MC_BLOCK, MC_BLOCK).transpose(0, 2, 1, 3)
    costs, mvs = [], []
    for ey in range(-MC_REFINE, MC_REFINE + 1):
        for ex in range(-MC_REFINE, MC_REFINE + 1):
            my, mx = cy + ey, cx + ex
            sad = np.abs(ycur - _mc_blocks(rp, my, mx)).sum((2, 3))
            costs.append(sad + MC_LAMBDA * (np.abs(mx) + np.abs(my)))
            mvs.append((my, mx))
    k = np.argmin(np.stack(costs), 0)
    return np.choose(k, [m[0] for m in mvs]), np.choose(k, [m[1] for m in mvs])


def _mc_pred(rp, my, mx):
    hp, wp = rp.shape
    return _mc_blocks(rp, my, mx).transpose(0, 2, 1, 3).reshape(hp, wp)


def mc_temporal_feature(y, refs):
    """|y - motion-compensated prediction from refs| in 10-bit units (uint16; refs: one or two luma planes)."""
    h, w = y.shape
    yp = _pad16(y)
    preds = []
    for r in refs:
        rp = _pad16(r)
        my, mx = mc_search(yp, rp)
        preds.append(_mc_pred(rp, my, mx))
    if len(preds) == 2:
        cands = [(preds[0] + preds[1] + 1) >> 1, preds[0], preds[1]]
    else:
        cands = preds
    sads = np.stack([_block_sum(np.abs(yp - p), MC_BLOCK) for p in cands])
    k = np.argmin(sads, 0)
    kf = np.repeat(np.repeat(k, MC_BLOCK, 0), MC_BLOCK, 1)
    pred = np.choose(kf, cands)
    return np.abs(yp - pred)[:h, :w].astype(np.uint16)


def refeature(out):
    """Write <picture>.tm.bin (mc_temporal_feature) for every stored random-access B picture from the stored lumas of
    its run (every picture of a run is stored); skips those that have one."""
    n = 0
    for f in sorted(os.listdir(out)):
        if not f.endswith(".stats.json") or "_ra_qp" not in f:
            continue
        base = os.path.join(out, f[:-len(".stats.json")])
        if os.path.exists(base + ".tm.bin"):
            continue
        meta = json.load(open(base + ".stats.json"))
        if meta.get("slice_type") != "B":
            continue
        w, h = meta["width"], meta["height"]
        run = base[:base.rindex("_f")]
        rd = lambda b: np.fromfile(b + ".y.bin", dtype="<u2").reshape(h, w)
        mc_temporal_feature(rd(base), [rd(f"{run}_f{r}") for r in meta["refs"]]).astype("<u2").tofile(base + ".tm.bin")
        n += 1
    return n


def job_ra(args):
    out, name, first, n, crop, m, fname, qp, preset, split = args
    run = os.path.join(out, f"{name}_ra_qp{qp}")
    if os.path.exists(run + ".done"):
        return run
    w, h, bd = m["w"], m["h"], m["bd"]
    frames = []
    for k in range(first, first + n):
        raw = read_frame(os.path.join(SEQ, fname), w, h, bd, k)
        if crop:
            raw, cw, ch = crop_frame(raw, w, h, bd, crop)
        frames.append(raw)
    cw, ch = (crop[2], crop[3]) if crop else (w, h)
    src = run + ".src.yuv"
    with open(src, "wb") as f:
        for raw in frames:
            f.write(raw)
    t0 = time.time()
    cmd = [ENC, "-i", src, "-s", f"{cw}x{ch}", "--fps", str(m["fps"]), "--frames", str(n), "--input-bitdepth", str(bd),
           "--qp", str(qp), "--config", "ra", "--preset", preset, "-b", run + ".266", "-o", os.devnull,
           "--stats", run + ".tmp.json", "--stats-qt-nodes"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.time() - t0
    st = json.load(open(run + ".tmp.json"))
    lumas = [luma10(raw, cw, ch, bd) for raw in frames]
    pics = [dict(poc=fr["poc"], intra=fr["slice_type"] == "I", tid=fr["temporal_id"]) for fr in st["frames"]]
    refs = temporal_refs(pics)
    layer_shift = 5 - (4 if st.get("gop_size") == 16 else 5)  # GOP-16 layers on the GOP-32 scale (same ref distance)
    for fr in st["frames"]:
        poc = fr["poc"]
        base = f"{run}_f{poc}"
        intra = fr["slice_type"] == "I"
        lumas[poc].astype("<u2").tofile(base + ".y.bin")
        if not intra:
            ref_lumas = [lumas[r] for r in refs[poc]]
            temporal_feature(lumas[poc], ref_lumas).astype("<u2").tofile(base + ".t.bin")
            mc_temporal_feature(lumas[poc], ref_lumas).astype("<u2").tofile(base + ".tm.bin")
        meta = dict(name=name, frame=poc, width=cw, height=ch, bitDepth=bd, qp=fr["qp"], base_qp=qp, preset=preset,
                    split=split, config="ra", slice_type=fr["slice_type"], temporal_id=fr["temporal_id"],
                    layer=0 if intra else fr["temporal_id"] + layer_shift, refs=refs[poc], cus=fr["cus"],
                    qt_nodes=fr.get("qt_nodes", []), mtt_nodes=fr.get("mtt_nodes", []), bits=fr["bits"],
                    seconds=fr["time_s"])
        json.dump(meta, open(base + ".stats.json", "w"))
    json.dump(dict(frames=n, seconds=wall, encoder_seconds=sum(f["time_s"] for f in st["frames"])), open(run + ".done", "w"))
    for ext in (".tmp.json", ".src.yuv", ".266"):
        os.remove(run + ext)
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "data"))
    ap.add_argument("--config", choices=["ai", "ra"], default="ai",
                    help="ai: one intra picture per encode (PLAN); ra: short random-access runs (PLAN_RA)")
    ap.add_argument("--preset", default=None, help="encoder preset for the labels (default: medium for ai, slow for ra)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--more", action="store_true", help="also PLAN_MORE / PLAN_RA_MORE (twenty-fifth session's extra pictures)")
    ap.add_argument("--refeature", action="store_true",
                    help="only write the motion-compensated feature (.tm.bin) of stored random-access B pictures")
    a = ap.parse_args()
    if a.refeature:
        t0 = time.time()
        print("motion-compensated features written:", refeature(a.out), f"{time.time() - t0:.0f} s")
        return
    preset = a.preset or ("slow" if a.config == "ra" else "medium")
    os.makedirs(a.out, exist_ok=True)
    man = manifest()
    t0 = time.time()
    if a.config == "ra":
        jobs = []
        for fname, first, n, crop, split in PLAN_RA + (PLAN_RA_MORE if a.more else []):
            m = man[fname]
            name = fname.split("_")[0] + ("10b" if m["bd"] == 10 and fname.startswith("ParkJoy") else "")
            if crop:
                name += f"_x{crop[0]}y{crop[1]}"
            for qp in QPS:
                jobs.append((a.out, name, first, min(n, m["frames"] - first), crop, m, fname, qp, preset, split))
        jobs.sort(key=lambda j: j[9] != "val")
        with cf.ThreadPoolExecutor(a.jobs) as ex:
            for b in ex.map(job_ra, jobs):
                print("done", os.path.basename(b), f"{time.time() - t0:.0f} s", flush=True)
        return
    jobs = []
    for fname, frames, crop, split in PLAN + (PLAN_MORE if a.more else []):
        m = man[fname]
        for fr in frames:
            raw = read_frame(os.path.join(SEQ, fname), m["w"], m["h"], m["bd"], fr)
            w, h = m["w"], m["h"]
            if crop:
                raw, w, h = crop_frame(raw, m["w"], m["h"], m["bd"], crop)
            name = fname.split("_")[0] + ("10b" if m["bd"] == 10 and fname.startswith("ParkJoy") else "")
            if crop:
                name += f"_x{crop[0]}y{crop[1]}"
            for qp in QPS:
                jobs.append((a.out, name, fr, w, h, m["bd"], m["fps"], qp, preset, raw, split))
    # val first so the bench/validation set exists early
    jobs.sort(key=lambda j: j[10] != "val")
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for b in ex.map(job, jobs):
            print("done", os.path.basename(b), f"{time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
