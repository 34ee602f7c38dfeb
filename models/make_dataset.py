#!/usr/bin/env python3
"""Training data for the split predictor: encode crops of the shared test sequences with nnvvc-enc
(--stats) and keep, per picture, the source luma and the chosen CU list.

Usage: python3 models/make_dataset.py --out models/data [--preset medium] [--jobs 2]
Outputs (not committed: raw data stays outside git): <out>/<name>_f<frame>_qp<QP>.{y.bin,stats.json}
where y.bin is the crop's luma as 16-bit LE 10-bit samples (8-bit input shifted left by 2).
Crops keep encode time bounded on the 2 shared cores (1080p frames are cut to 512x256 windows).
The held-out sequences are generated the same way: BasketballPass tagged split=val (validation and the
benchmark), Cactus split=test (used by neither). Resumable: encodes whose .stats.json exists are skipped.
"""
import argparse, json, os, subprocess, sys, concurrent.futures as cf

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
    ("BasketballPass_416x240_50fps_8bit_101f.yuv", [0, 50], None, "val"),
    # held out from training and validation: the 1080p sequence of the benchmark's second run
    ("Cactus_1920x1080_50fps_8bit_9f.yuv", [0], (768, 512, 512, 256), "test"),
]

def manifest():
    rows = {}
    with open(os.path.join(SEQ, "MANIFEST.tsv")) as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows[p[0]] = dict(w=int(p[1]), h=int(p[2]), fps=int(p[3]), bd=int(p[4]))
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
           "--stats", base + ".tmp.json"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    st = json.load(open(base + ".tmp.json"))
    meta = dict(name=name, frame=frame, width=w, height=h, bitDepth=bd, qp=qp, preset=preset, split=split,
                cus=st["frames"][0]["cus"], bits=st["frames"][0]["bits"], seconds=st["frames"][0]["time_s"])
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
    json.dump(meta, open(base + ".stats.json", "w"))
    for ext in (".tmp.json", ".src.yuv", ".266"):
        os.remove(base + ext)
    return base


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "data"))
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    man = manifest()
    jobs = []
    for fname, frames, crop, split in PLAN:
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
                jobs.append((a.out, name, fr, w, h, m["bd"], m["fps"], qp, a.preset, raw, split))
    # val first so the bench/validation set exists early
    jobs.sort(key=lambda j: j[10] != "val")
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for b in ex.map(job, jobs):
            print("done", os.path.basename(b), flush=True)


if __name__ == "__main__":
    main()
