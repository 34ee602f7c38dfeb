#!/usr/bin/env python3
"""Export a trained SplitNet to ONNX (dynamic batch = number of CTUs) and check it against PyTorch.

  /usr/bin/python3 models/export_onnx.py [--weights models/splitnet.pt] [--out models/splitnet-v<version>.onnx]
The version follows the checkpoint's arch (train.py --arch): v1 -> splitnet-v1.onnx (input ctu [n,2,128,128]),
v2 -> splitnet-v2.onnx (inputs ctu [n,3,128,128] and cond [n,7]), v3 -> splitnet-v3.onnx (v2's layout, metadata
temporal_feature=mc16: the motion-compensated temporal plane), v4 -> splitnet-v4.onnx (ctu [n,2,128,128] without the QP
plane, cond [q,n,8] with the slice QP: one run predicts a picture at q QPs, logits [q*n,...]), c1 -> splitnet-c1.onnx
(the chroma coding tree of dual-tree I slices: ctu [n,4,128,128] = luma, QP, Cb, Cr; metadata tree=chroma). A checkpoint trained with --dir-loss has 11 output
channels (metadata directions=2: the split directions at MTT depth 0, 1). The ONNX file carries metadata: model
name/version, slice types, input normalisation, input/output layout, grid and CTU sizes, label kind.
"""
import argparse, os, sys
import numpy as np
import torch
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitnet import load_checkpoint, trained_directions, window_size, SplitNetV4Export, QT_CLASSES, MTT_CLASSES, GRID, CTU, COND, COND_V4, TEMPORAL_CLIP, TEMPORAL_SCALE  # noqa: E402


def metadata(version, labels, directions=0, halo=0):
    win = window_size(halo)

    def ctu(planes):  # the ctu input's shape (and, with a halo, what its window holds)
        shape = f"ctu [n,{planes},{win},{win}]"
        return shape + (f" (the CTU and {halo} cells = {GRID * halo} samples of its neighbours on each side, the "
                        "picture's edges replicated)" if halo else "")
    out = "logits [n,9,16,16]: 0..4 QT depth, 5..8 MTT depth"
    if directions:
        out = (f"logits [n,{9 + directions},16,16]: 0..4 QT depth, 5..8 MTT depth, 9..{8 + directions} split direction "
               "(sigmoid: P(vertical) of the MTT split at MTT depth 0; P(across the node's longer side) at MTT depth 1)")
    common = {"name": "splitnet", "version": version, "grid": str(GRID), "ctu": str(CTU),
              "qt_classes": str(QT_CLASSES), "mtt_classes": str(MTT_CLASSES), "labels": labels,
              "directions": str(directions), "output": out, **({"halo": str(halo)} if halo else {})}
    if version == "1":
        return {**common, "slice_types": "I", "inputs": "ctu", "input": f"{ctu(2)}: luma/1023-0.5, qp/63"}
    if version == "c1":  # the chroma tree: its CUs' depths per 8x8 luma cell, QT depth in luma terms
        return {**common, "slice_types": "I", "inputs": "ctu", "tree": "chroma",
                "input": f"{ctu(4)}: luma/1023-0.5, qp/63, Cb/1023-0.5, Cr/1023-0.5 (10-bit; each chroma sample on its "
                         "2x2 luma samples)",
                "output": out + " of the chroma-tree CU covering the cell (QT depth 1 = a 64x64 luma area's chroma)"}
    if version == "4":  # v3's pictures and feature; the QP in cond, per QP of a job, sharing one stem run
        return {**common, "slice_types": "I,B", "inputs": "ctu,cond",
                "input": f"{ctu(2)}: luma/1023-0.5 (10-bit), "
                         f"min(|luma-ref|,{TEMPORAL_CLIP})/{TEMPORAL_SCALE:g} (ref: per 16x16 block the "
                         "motion-compensated prediction from the nearest lower-layer pictures before/after in display "
                         "order (make_dataset.mc_temporal_feature); 0 for I); cond [q,n,8]: per QP and CTU [is_B, "
                         "one-hot GOP-32 temporal layer 0..5, slice_qp/63]",
                "output": out.replace("[n,", "[q*n,") + " (QP-major)",
                "qp_in_cond": "1", "temporal_feature": "mc16",
                "temporal_clip": str(TEMPORAL_CLIP), "temporal_scale": f"{TEMPORAL_SCALE:g}", "cond": str(COND_V4)}
    if version == "2":
        ref = ("ref: rounded mean of the nearest lower-layer pictures before/after in display order", "zero")
    else:  # v3: the same pictures, motion-compensated per 16x16 block (make_dataset.mc_temporal_feature)
        ref = ("ref: per 16x16 block the motion-compensated prediction from the nearest lower-layer pictures "
               "before/after in display order (make_dataset.mc_temporal_feature)", "mc16")
    return {**common, "slice_types": "I,B", "inputs": "ctu,cond",
            "input": f"{ctu(3)}: luma/1023-0.5 (10-bit), slice_qp/63, "
                     f"min(|luma-ref|,{TEMPORAL_CLIP})/{TEMPORAL_SCALE:g} ({ref[0]}; 0 for I); "
                     "cond [n,7]: [is_B, one-hot GOP-32 temporal layer 0..5]",
            "temporal_feature": ref[1],
            "temporal_clip": str(TEMPORAL_CLIP), "temporal_scale": f"{TEMPORAL_SCALE:g}", "cond": str(COND)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=os.path.join(here, "splitnet.pt"))
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    torch.manual_seed(0)
    net, ck = load_checkpoint(a.weights)
    labels = ck.get("labels", "rect")  # train.py's checkpoint; a bare state dict predates exact labels
    arch = ck.get("arch", "v1")
    version = "c1" if arch == "c1" else arch[1:]
    out = a.out or os.path.join(here, "splitnet-c1.onnx" if arch == "c1" else f"splitnet-v{version}.onnx")
    directions = ck.get("directions", 0)
    # a direction output its training never reached gets zero weights: logit 0, P 0.5, which refuses no direction at
    # any threshold <= 0.5
    trained = trained_directions(ck)
    last = net.head if arch in ("v1", "c1") else net.head[-1]
    with torch.no_grad():
        for k in (k for k in range(directions) if k not in trained):
            last.weight[QT_CLASSES + MTT_CLASSES + k].zero_()
            last.bias[QT_CLASSES + MTT_CLASSES + k].zero_()
    halo = ck.get("halo", 0)
    win = window_size(halo)
    x = torch.randn(3, 4 if arch == "c1" else 2 if arch in ("v1", "v4") else 3, win, win)
    model = net
    if arch == "v4":
        c = torch.zeros(2, 3, COND_V4); c[:, :, 7] = torch.tensor([[0.5], [0.6]]); c[:, 1, 0] = 1; c[:, 1, 3] = 1
        args, names = (x, c), ["ctu", "cond"]
        dyn = {"ctu": {0: "n"}, "cond": {0: "q", 1: "n"}, "logits": {0: "qn"}}
        model = SplitNetV4Export(net)
    elif arch not in ("v1", "c1"):
        c = torch.zeros(3, COND); c[1, 0] = 1; c[1, 3] = 1; c[2, 0] = 1; c[2, 6] = 1
        args, names, dyn = (x, c), ["ctu", "cond"], {"ctu": {0: "n"}, "cond": {0: "n"}, "logits": {0: "n"}}
    else:
        args, names, dyn = (x,), ["ctu"], {"ctu": {0: "n"}, "logits": {0: "n"}}
    torch.onnx.export(model, args, out, input_names=names, output_names=["logits"], opset_version=13, dynamic_axes=dyn)
    m = onnx.load(out)
    md = metadata(version, labels, directions, halo)  # train.py --halo: metadata halo, the input's window
    if ck.get("teachers"):  # train.py --teacher: distilled from an ensemble of these checkpoints
        md["distilled_from"] = ",".join(ck["teachers"])
    for k, v in md.items():
        p = m.metadata_props.add(); p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, out)
    with torch.no_grad():
        ref = model(*args).numpy()
    try:
        import onnxruntime as ort  # optional: the Node test checks the file with onnxruntime-node
        got = ort.InferenceSession(out).run(None, {n: t.numpy() for n, t in zip(names, args)})[0]
        print("max abs diff vs torch", float(np.abs(got - ref).max()))
    except ImportError:
        pass
    print(f"wrote {out} ({os.path.getsize(out)} bytes, {sum(p.numel() for p in net.parameters())} parameters)")


if __name__ == "__main__":
    main()
