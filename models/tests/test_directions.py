#!/usr/bin/env python3
"""Tests of train.py's split-direction labels and loss: direction_labels, the transpose in augment, direction_loss.
Run: /usr/bin/python3 -m unittest discover -s models/tests (test/models/train-proxy.test.ts runs it)."""
import os, sys, unittest
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train as T  # noqa: E402


def cu(x, y, w, h, qt, mtt):
    return [x, y, w, h, 0, qt, mtt]


class DirectionLabels(unittest.TestCase):
    def test_vertical_then_horizontal(self):
        # a 32x32 QT leaf (QT depth 2): BT vertical, its left half BT horizontal (across the tall half: 1), the right
        # half a CU
        d0, d1 = T.direction_labels({"width": 32, "height": 32, "cus": [cu(0, 0, 16, 16, 2, 2), cu(0, 16, 16, 16, 2, 2),
                                                                         cu(16, 0, 16, 32, 2, 1)]})
        self.assertTrue((d0 == 1).all())
        self.assertTrue((d1[:, :2] == 1).all() and (d1[:, 2:] == -1).all())

    def test_ternary_horizontal(self):
        d0, d1 = T.direction_labels({"width": 32, "height": 32, "cus": [cu(0, 0, 32, 8, 2, 1), cu(0, 8, 32, 16, 2, 1),
                                                                         cu(0, 24, 32, 8, 2, 1)]})
        self.assertTrue((d0 == 0).all() and (d1 == -1).all())

    def test_quad_like_tiling_is_not_labelled(self):
        # four 16x16 CUs under MTT: BT-V then BT-H in both halves, or the other way round: either order
        cus = [cu(x, y, 16, 16, 2, 2) for y in (0, 16) for x in (0, 16)]
        d0, d1 = T.direction_labels({"width": 32, "height": 32, "cus": cus})
        self.assertTrue((d0 == -1).all() and (d1 == -1).all())

    def test_leaf_past_the_picture_is_not_labelled(self):
        # a 32x32 QT leaf of which only 32x16 lies in the picture: its split is forced, not chosen
        d0, _ = T.direction_labels({"width": 32, "height": 16, "cus": [cu(0, 0, 16, 16, 2, 1), cu(16, 0, 16, 16, 2, 1)]})
        self.assertTrue((d0 == -1).all())

    def test_transpose_swaps_directions(self):
        g = torch.Generator().manual_seed(0)
        x = torch.zeros(1, 2, 128, 128)
        x[0, 0, 0, 40] = 1  # a marker off the diagonal: after a transpose it lies in row 40 or 87
        q = torch.zeros(1, 16, 16, dtype=torch.long)
        lab = torch.full((1, 16, 16), -1, dtype=torch.long)
        lab[0, 0, 5] = 1  # vertical, at the cell of the marker
        outcomes = set()
        for _ in range(24):  # each flip / transpose is drawn with probability 1/2
            xa, _, _, _, dirs = T.augment(x, q, q, g, None, [lab, lab])
            row = int(xa[0, 0].nonzero()[0, 0])
            transposed = row in (40, 87)
            vals, vals1 = dirs[0][dirs[0] >= 0], dirs[1][dirs[1] >= 0]
            self.assertEqual(len(vals), 1)
            self.assertEqual(int(vals[0]), 0 if transposed else 1)
            self.assertEqual(int(vals1[0]), 1)  # MTT depth 1: across stays across
            outcomes.add(transposed)
        self.assertEqual(outcomes, {True, False})

    def test_direction_loss(self):
        out = torch.zeros(1, T.QT_CLASSES + T.MTT_CLASSES + T.DIRECTIONS, 16, 16)
        lab = torch.full((1, 16, 16), -1, dtype=torch.long)
        lab[0, 3, 3] = 1
        out[0, T.QT_CLASSES + T.MTT_CLASSES, 3, 3] = 10.0  # sure of vertical at MTT depth 0
        none = torch.full_like(lab, -1)
        self.assertLess(float(T.direction_loss(out, [lab, none])), 1e-3)
        out[0, T.QT_CLASSES + T.MTT_CLASSES, 3, 3] = -10.0
        self.assertGreater(float(T.direction_loss(out, [lab, none])), 9.0)
        self.assertEqual(float(T.direction_loss(out, [none, none])), 0.0)


def direction_picture():
    """One 128x128 picture, CTU split by QT into four 64x64 nodes: (0, 0): a vertical MTT split wins by 30 bits over the
    leaf, the best horizontal one is 12 bits behind; (64, 0): the leaf wins, MTT tried both ways; the others leaves
    without MTT. Records with mtt_hor / mtt_ver (flags: 4 = every horizontal split abandoned)."""
    nodes = [[0, 0, 128, 0, 500.0, 0.0, -1.0, 0, -1.0, -1.0],
             [0, 0, 64, 1, 30.0, 50.0, 0.0, 4, 12.0, 0.0],
             [64, 0, 64, 1, 0.0, 40.0, 6.0, 0, 6.0, 9.0],
             [0, 64, 64, 1, 0.0, 40.0, -1.0, 0, -1.0, -1.0],
             [64, 64, 64, 1, 0.0, 40.0, -1.0, 0, -1.0, -1.0]]
    return [torch.from_numpy(m[None]) for m in T.node_cost_maps({"qt_nodes": nodes}, 1, 1)]


def direction_logits(p_vertical):
    """Network-shaped output [1, 11, 16, 16]: QT depth 1 everywhere, MTT depth 1 likely, P(vertical) as given per cell."""
    out = torch.zeros(1, T.QT_CLASSES + T.MTT_CLASSES + T.DIRECTIONS, 16, 16)
    out[0, 1] = 10.0
    out[0, T.QT_CLASSES + 1] = 3.0
    pv = torch.as_tensor(p_vertical, dtype=torch.float32).clamp(1e-4, 1 - 1e-4)
    out[0, T.QT_CLASSES + T.MTT_CLASSES] = torch.log(pv / (1 - pv))
    return out


class DirectionCosts(unittest.TestCase):
    def test_maps_and_transpose(self):
        m = direction_picture()
        self.assertEqual([float(v) for v in m[1][0, 0, 0]], [30.0, 50.0, 0.0, 4.0, 12.0, 0.0])
        t = T.swap_directions(m[1].transpose(-2, -3))
        self.assertEqual([float(v) for v in t[0, 0, 0]], [30.0, 50.0, 0.0, 8.0, 0.0, 12.0])  # hor <-> ver, flag 4 -> 8
        self.assertEqual(float(T.swap_directions(m[2])[0, 3, 3, 3]), -2.0)  # unvisited nodes stay unvisited

    def test_loss_prefers_the_winning_direction(self):
        m = direction_picture()
        right = T.direction_cost_loss(direction_logits(torch.full((16, 16), 0.9)), m, 4.0, 16.0)
        wrong = T.direction_cost_loss(direction_logits(torch.full((16, 16), 0.1)), m, 4.0, 16.0)
        self.assertLess(float(right), float(wrong))
        # one node counts (MTT won there), weighted by what refusing vertical costs: the horizontal split's 12 bits
        self.assertAlmostEqual(float(right), (1 + 4.0 * 12 / (12 + 16)) * -np.log(0.9), places=3)

    def test_proxy_direction_saves_work_and_costs_where_wrong(self):
        m = direction_picture()
        th = (0.01, 0.01, 0.01)
        r0, w0_, base = T.work_proxy(direction_logits(torch.full((16, 16), 0.9)), m, th)
        r, w, _ = T.work_proxy(direction_logits(torch.full((16, 16), 0.9)), m, th + (0.3,))
        self.assertEqual(float(r), float(r0))   # vertical kept where it won: no regret
        self.assertLess(float(w), float(w0_))   # half the MTT work of both 64x64 nodes with MTT
        r, _, _ = T.work_proxy(direction_logits(torch.full((16, 16), 0.1)), m, th + (0.3,))
        self.assertAlmostEqual(float(r) - float(r0), 12.0, places=3)  # the horizontal split, 12 bits behind, instead


class DirectionCostsDepth1(unittest.TestCase):
    # mtt_nodes: x, y, w, h, leaf, mtt_hor, mtt_ver, lower
    NODES = [[0, 0, 32, 16, 20.0, 8.0, 0.0, 0],    # wide: a vertical split (across) won, horizontal 8 bits behind
             [0, 16, 32, 16, 0.0, 5.0, 7.0, 0],    # the leaf won: no label
             [64, 0, 8, 4, 3.0, 0.0, 6.0, 0],      # two halves of one cell: along (horizontal in a wide node) ...
             [64, 4, 8, 4, 9.0, 2.0, 0.0, 0],      # ... and across (2 bits)
             [96, 0, 16, 8, 4.0, 0.0, 1.0, 2],     # the vertical only a lower bound: no label
             [112, 0, 8, 16, 4.0, 0.0, 1.0, 0],    # tall: horizontal is across
             [120, 0, 8, 8, 4.0, 0.0, 1.0, 0]]     # square (at a picture edge): no direction

    def test_maps(self):
        m = T.direction1_cost_maps({"mtt_nodes": self.NODES}, 16, 16, bits0=16.0)
        f0 = 8 / (8 + 16)
        np.testing.assert_allclose(m[0, 0], [1 / 8, 1 / 8, f0 / 8, f0 / 8], rtol=1e-6)   # 8 cells, across
        self.assertTrue((m[:2, :4, 1] > 0).all() and (m[2:4, :4] == 0).all())
        # the shared cell sums both halves: a = 1 each, v = 0 then 1
        np.testing.assert_allclose(m[0, 8], [1.0, 2.0, 2 / 18, 3 / 19 + 2 / 18], rtol=1e-6)
        self.assertTrue((m[0, 12] == 0).all())
        np.testing.assert_allclose(m[0:2, 14, 0], [0.5, 0.5])   # tall, horizontal: across, 2 cells
        self.assertTrue((m[0, 15] == 0).all())

    def test_loss_and_augment(self):
        dc = torch.from_numpy(T.direction1_cost_maps({"mtt_nodes": self.NODES[:1]}, 16, 16)[None])
        out = torch.zeros(1, T.QT_CLASSES + T.MTT_CLASSES + T.DIRECTIONS, 16, 16)
        out[0, T.QT_CLASSES + T.MTT_CLASSES + 1] = 4.0  # P(across at MTT depth 1) high everywhere
        right = float(T.direction1_cost_loss(out, dc, 4.0))
        out[0, T.QT_CLASSES + T.MTT_CLASSES + 1] = -4.0
        self.assertGreater(float(T.direction1_cost_loss(out, dc, 4.0)), right + 3)
        # one node: its weight 1 + 4 f over 8 cells, the loss per node
        self.assertAlmostEqual(right, (1 + 4.0 * 8 / 24) * float(torch.nn.functional.softplus(torch.tensor(-4.0))), places=4)
        # flips and transposes move the label, and it stays "across" (the transposed node is tall, its winner horizontal)
        g = torch.Generator().manual_seed(0)
        x = torch.zeros(1, 2, 128, 128)
        x[0, 0, 0, 40] = 1
        q = torch.zeros(1, 16, 16, dtype=torch.long)
        seen = set()
        for _ in range(24):
            xa, _, _, _, _, dca = T.augment(x, q, q, g, None, None, dc)
            transposed = int(xa[0, 0].nonzero()[0, 0]) in (40, 87)
            lab = dca[..., 1] > 0
            self.assertEqual(int(lab.sum()), 8)
            self.assertEqual(float((dca[..., 0][lab] / dca[..., 1][lab]).mean()), 1.0)
            self.assertEqual(tuple(lab[0].nonzero().max(0).values - lab[0].nonzero().min(0).values), (3, 1) if transposed else (1, 3))
            seen.add(transposed)
        self.assertEqual(seen, {True, False})


if __name__ == "__main__":
    unittest.main()
