#!/usr/bin/env python3
"""Merge several SplitNet ONNX files of one layout into one ensemble whose output averages their probabilities.

  /usr/bin/python3 models/ensemble_onnx.py --out models/splitnet-v1e.onnx models/splitnet-v1.onnx a.onnx b.onnx

The members must share the inputs, the output layout and the metadata that says how to read them (version, grid,
classes, directions, input normalisation). The ensemble's `logits` keep that layout, so the worker reads it like any
member: per cell the QT logits are log(mean of the members' QT softmax), likewise the MTT logits, and each split
direction logit is logit(mean of the members' sigmoid). Softmax / sigmoid of the ensemble's output are therefore
exactly the members' mean probabilities. Metadata: the first member's, plus `ensemble` (the member count) and
`members` (their file names).

Why: seeds of one training recipe differ as much as recipes do (models/README.md); averaging them reduces that
variance at the cost of one inference per member.
"""
import argparse, os, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper

# metadata that must agree between members (the rest, e.g. "output", follows from these)
LAYOUT_KEYS = ("name", "version", "grid", "ctu", "qt_classes", "mtt_classes", "directions", "slice_types", "inputs",
               "input", "temporal_feature", "temporal_clip", "temporal_scale", "cond", "halo")


def meta(m):
    md = {p.key: p.value for p in m.metadata_props}
    md.setdefault("directions", "0")  # files exported before the split directions existed have none
    return md


def prefixed(m, prefix, inputs):
    """The member's nodes and initializers with every tensor name prefixed, except the graph's inputs."""
    keep = set(inputs)
    ren = lambda n: n if (n in keep or n == "") else prefix + n  # noqa: E731 ("" = an omitted optional input)
    nodes = []
    for n in m.graph.node:
        c = onnx.NodeProto(); c.CopyFrom(n)
        c.name = prefix + (n.name or n.op_type)
        c.input[:] = [ren(x) for x in n.input]
        c.output[:] = [ren(x) for x in n.output]
        nodes.append(c)
    inits = []
    for t in m.graph.initializer:
        c = onnx.TensorProto(); c.CopyFrom(t); c.name = prefix + t.name
        inits.append(c)
    return nodes, inits, ren(m.graph.output[0].name)


def ensemble(files, out):
    models = [onnx.load(f) for f in files]
    first, m0 = meta(models[0]), models[0]
    for f, m in zip(files[1:], models[1:]):
        md = meta(m)
        for k in LAYOUT_KEYS:
            if md.get(k) != first.get(k):
                raise SystemExit(f"{f}: metadata {k}={md.get(k)!r} differs from {files[0]}'s {first.get(k)!r}")
        if [i.name for i in m.graph.input] != [i.name for i in m0.graph.input]:
            raise SystemExit(f"{f}: inputs {[i.name for i in m.graph.input]} differ from {files[0]}'s")
    qt, mtt, dirs = int(first["qt_classes"]), int(first["mtt_classes"]), int(first["directions"])
    inputs = [i.name for i in m0.graph.input]
    nodes, inits, logits = [], [], []
    for k, m in enumerate(models):
        n, i, o = prefixed(m, f"m{k}/", inputs)
        nodes += n; inits += i; logits.append(o)
    const = lambda name, arr: inits.append(numpy_helper.from_array(np.asarray(arr), name))  # noqa: E731
    const("e/axes", np.array([1], np.int64))
    const("e/scale", np.array(1.0 / len(models), np.float32))
    if dirs:
        const("e/one", np.array(1.0, np.float32))
    # the mean probabilities are clipped into [1e-7, 1 - 1e-7] so that no logit is infinite
    const("e/pmin", np.array(1e-7, np.float32)); const("e/pmax", np.array(1 - 1e-7, np.float32))
    groups = [("qt", 0, qt, "softmax"), ("mtt", qt, qt + mtt, "softmax")] + \
        [(f"dir{d}", qt + mtt + d, qt + mtt + d + 1, "sigmoid") for d in range(dirs)]
    parts = []
    for g, lo, hi, kind in groups:
        const(f"e/{g}/lo", np.array([lo], np.int64)); const(f"e/{g}/hi", np.array([hi], np.int64))
        probs = []
        for k, lg in enumerate(logits):
            s, p = f"e/{g}/m{k}/slice", f"e/{g}/m{k}/p"
            nodes.append(helper.make_node("Slice", [lg, f"e/{g}/lo", f"e/{g}/hi", "e/axes"], [s], name=s))
            nodes.append(helper.make_node("Softmax" if kind == "softmax" else "Sigmoid", [s], [p], name=p,
                                          **({"axis": 1} if kind == "softmax" else {})))
            probs.append(p)
        total, scaled, mean = f"e/{g}/sum", f"e/{g}/scaled", f"e/{g}/mean"
        nodes.append(helper.make_node("Sum", probs, [total], name=total))
        nodes.append(helper.make_node("Mul", [total, "e/scale"], [scaled], name=scaled))
        nodes.append(helper.make_node("Clip", [scaled, "e/pmin", "e/pmax"], [mean], name=mean))
        logp = f"e/{g}/log"
        nodes.append(helper.make_node("Log", [mean], [logp], name=logp))
        if kind == "sigmoid":  # logit(p) = log p - log(1 - p)
            q, logq, lg = f"e/{g}/q", f"e/{g}/logq", f"e/{g}/logit"
            nodes.append(helper.make_node("Sub", ["e/one", mean], [q], name=q))
            nodes.append(helper.make_node("Log", [q], [logq], name=logq))
            nodes.append(helper.make_node("Sub", [logp, logq], [lg], name=lg))
            logp = lg
        parts.append(logp)
    out_name = m0.graph.output[0].name
    nodes.append(helper.make_node("Concat", parts, [out_name], name="e/concat", axis=1))
    graph = helper.make_graph(nodes, "splitnet_ensemble", list(m0.graph.input), list(m0.graph.output), inits)
    model = helper.make_model(graph, opset_imports=list(m0.opset_import), producer_name="nnvvc ensemble_onnx.py")
    model.ir_version = m0.ir_version
    for k, v in {**first, "ensemble": str(len(models)), "members": ",".join(os.path.basename(f) for f in files)}.items():
        p = model.metadata_props.add(); p.key, p.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes, {len(models)} members)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("members", nargs="+")
    a = ap.parse_args()
    if len(a.members) < 2:
        sys.exit("an ensemble needs at least two member files")
    ensemble(a.members, a.out)


if __name__ == "__main__":
    main()
