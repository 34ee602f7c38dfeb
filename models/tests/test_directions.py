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
        # a 32x32 QT leaf (QT depth 2): BT vertical, its left half BT horizontal, the right half a CU
        d0, d1 = T.direction_labels({"width": 32, "height": 32, "cus": [cu(0, 0, 16, 16, 2, 2), cu(0, 16, 16, 16, 2, 2),
                                                                         cu(16, 0, 16, 32, 2, 1)]})
        self.assertTrue((d0 == 1).all())
        self.assertTrue((d1[:, :2] == 0).all() and (d1[:, 2:] == -1).all())

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
            vals = dirs[0][dirs[0] >= 0]
            self.assertEqual(len(vals), 1)
            self.assertEqual(int(vals[0]), 0 if transposed else 1)
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


if __name__ == "__main__":
    unittest.main()
