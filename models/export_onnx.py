#!/usr/bin/env python3
"""Export a trained SplitNet to ONNX (dynamic batch = number of CTUs) and check it against PyTorch.

  /usr/bin/python3 models/export_onnx.py [--weights models/splitnet.pt] [--out models/splitnet-v1.onnx]
The ONNX file carries metadata: model name/version, input/output layout, grid and CTU sizes.
"""
import argparse, os, sys
import numpy as np
import torch
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splitnet import SplitNet, QT_CLASSES, MTT_CLASSES, GRID, CTU  # noqa: E402

VERSION = "1"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=os.path.join(here, "splitnet.pt"))
    ap.add_argument("--out", default=os.path.join(here, f"splitnet-v{VERSION}.onnx"))
    a = ap.parse_args()
    torch.manual_seed(0)
    net = SplitNet()
    ck = torch.load(a.weights, map_location="cpu")
    labels = ck.get("labels", "rect")  # train.py's checkpoint; a bare state dict predates exact labels
    net.load_state_dict(ck.get("state_dict", ck))
    net.eval()
    x = torch.randn(3, 2, CTU, CTU)
    torch.onnx.export(net, x, a.out, input_names=["ctu"], output_names=["logits"], opset_version=13,
                      dynamic_axes={"ctu": {0: "n"}, "logits": {0: "n"}})
    m = onnx.load(a.out)
    for k, v in {"name": "splitnet", "version": VERSION, "grid": str(GRID), "ctu": str(CTU),
                 "qt_classes": str(QT_CLASSES), "mtt_classes": str(MTT_CLASSES), "labels": labels,
                 "input": "ctu [n,2,128,128]: luma/1023-0.5, qp/63",
                 "output": "logits [n,9,16,16]: 0..4 QT depth, 5..8 MTT depth"}.items():
        p = m.metadata_props.add(); p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, a.out)
    with torch.no_grad():
        ref = net(x).numpy()
    try:
        import onnxruntime as ort  # optional: the Node test checks the file with onnxruntime-node
        got = ort.InferenceSession(a.out).run(None, {"ctu": x.numpy()})[0]
        print("max abs diff vs torch", float(np.abs(got - ref).max()))
    except ImportError:
        pass
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes)")


if __name__ == "__main__":
    main()
