#!/usr/bin/env python3
"""Tests of train.py's cost-aware node labels: node_cost_maps, node_cost_loss and the proxy (work_proxy).
Run: /usr/bin/python3 -m unittest discover -s models/tests (needs python3-torch; test/models/train-proxy.test.ts runs it)."""
import os, sys, unittest
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train as T  # noqa: E402


def picture():
    """One 128x128 B picture: the CTU's QT split wins by 500 bits over its leaf; of its four 64x64 children the first
    splits again (its QT split beats its leaf by 40 bits, each 32x32 child is a leaf), the others stay leaves (their QT
    splits abandoned 3 bits past the best)."""
    nodes = [[0, 0, 128, 0, 500.0, 0.0, -1.0, 0]]
    for k, (x, y) in enumerate(((0, 0), (64, 0), (0, 64), (64, 64))):
        nodes.append([x, y, 64, 1, 40.0, 0.0, -1.0, 0] if k == 0 else [x, y, 64, 1, 0.0, 3.0, -1.0, 1])
    for x, y in ((0, 0), (32, 0), (0, 32), (32, 32)):
        nodes.append([x, y, 32, 2, 0.0, 2.0, 5.0, 3])
    return {"qt_nodes": nodes}


def maps():
    return [torch.from_numpy(m[None]) for m in T.node_cost_maps(picture(), 1, 1)]


def logits(qt_depth_map):
    """Network-shaped output [1, 9, 16, 16] that is sure of the per-cell QT depths given (MTT depth 0)."""
    q = torch.nn.functional.one_hot(torch.as_tensor(qt_depth_map), T.QT_CLASSES).permute(2, 0, 1).float() * 30 - 15
    m = torch.full((T.MTT_CLASSES, 16, 16), -15.0)
    m[0] = 15
    return torch.cat([q, m])[None]


def chosen_depths():
    d = np.ones((16, 16), np.int64)  # 64x64 leaves
    d[:8, :8] = 2                    # the first 64x64 split into 32x32 leaves
    return d


class NodeCosts(unittest.TestCase):
    def test_maps_place_nodes_by_depth(self):
        m = maps()
        self.assertEqual(tuple(m[0].shape), (1, 1, 1, T.NODE_FIELDS))
        self.assertEqual(tuple(m[2].shape), (1, 4, 4, T.NODE_FIELDS))
        self.assertEqual(float(m[2][0, 1, 1, 4]), -1.0)  # no mtt_hor / mtt_ver in these records: -1
        self.assertEqual(float(m[1][0, 0, 1, 1]), 3.0)   # the (64, 0) node's QT split cost
        self.assertEqual(float(m[2][0, 1, 1, 2]), 5.0)   # the (32, 32) node's MTT cost
        self.assertEqual(float(m[2][0, 3, 3, 0]), -2.0)  # a node the search did not visit
        self.assertEqual(float(m[4][0, 0, 0, 0]), -2.0)

    def test_proxy_of_the_search_own_answer_loses_nothing_and_saves_work(self):
        r, w, w0 = T.work_proxy(logits(chosen_depths()), maps(), (0.05, 0.25, 0.1))
        self.assertEqual(float(r), 0.0)
        self.assertLess(float(w), float(w0))
        self.assertGreater(float(w), 0.0)

    def test_proxy_without_pruning_saves_nothing(self):
        r, w, w0 = T.work_proxy(torch.zeros(1, 9, 16, 16), maps(), (0.0, 0.0, 0.0))
        self.assertEqual(float(r), 0.0)
        self.assertAlmostEqual(float(w), float(w0))

    def test_proxy_counts_the_first_forbidden_winner(self):
        # sure that nothing splits: the CTU's QT split (the winner) is forbidden, its leaf costs 500 bits more; the
        # nodes below are not followed
        r, _, _ = T.work_proxy(logits(np.zeros((16, 16), np.int64)), maps(), (0.05, 0.25, 0.1))
        self.assertAlmostEqual(float(r), 500.0)
        # sure of 64x64 leaves everywhere: the first 64x64's split is forbidden, its leaf costs 40 bits more
        r, _, _ = T.work_proxy(logits(np.ones((16, 16), np.int64)), maps(), (0.05, 0.25, 0.1))
        self.assertAlmostEqual(float(r), 40.0)

    def test_loss_prefers_the_search_decisions(self):
        good = T.node_cost_loss(logits(chosen_depths()), maps(), 4.0, 16.0, 64.0)
        bad = T.node_cost_loss(logits(np.zeros((16, 16), np.int64)), maps(), 4.0, 16.0, 64.0)
        self.assertLess(float(good), 0.01)
        self.assertGreater(float(bad), 1.0)


if __name__ == "__main__":
    unittest.main()
