#!/usr/bin/env python3
"""Tests of train.py's distillation from an ensemble (--teacher): distill_loss.
Run: /usr/bin/python3 -m unittest discover -s models/tests (test/models/train-proxy.test.ts runs it)."""
import os, sys, unittest
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train as T  # noqa: E402

C = T.QT_CLASSES + T.MTT_CLASSES + 2


class DistillLoss(unittest.TestCase):
    def setUp(self):
        g = torch.Generator().manual_seed(3)
        self.a, self.b = torch.randn(2, C, 16, 16, generator=g), torch.randn(2, C, 16, 16, generator=g)
        self.valid = torch.ones(2, 16, 16, dtype=torch.bool)

    def grad(self, student, teachers, valid, dirs=(0,)):
        s = student.clone().requires_grad_(True)
        T.distill_loss(s, teachers, valid, dirs).backward()
        return s.grad

    def test_minimum_at_the_teachers_mean(self):
        # a student whose probabilities are the two teachers' mean has zero gradient; one that copies a teacher has not
        mean_logits = torch.cat([
            torch.log((F.softmax(self.a[:, :5], 1) + F.softmax(self.b[:, :5], 1)) / 2),
            torch.log((F.softmax(self.a[:, 5:9], 1) + F.softmax(self.b[:, 5:9], 1)) / 2),
            torch.logit((torch.sigmoid(self.a[:, 9:]) + torch.sigmoid(self.b[:, 9:])) / 2)], 1)
        at_mean = self.grad(mean_logits, [self.a, self.b], self.valid)[:, :10].abs().max().item()
        at_a = self.grad(self.a, [self.a, self.b], self.valid)[:, :10].abs().max().item()
        self.assertGreater(at_a, 1e-5)
        self.assertLess(at_mean, 1e-3 * at_a)

    def test_untrained_directions_and_cells_outside_the_picture_are_left_alone(self):
        valid = self.valid.clone(); valid[:, :, 8:] = False
        g = self.grad(self.b, [self.a], valid)
        self.assertEqual(g[:, :, :, 8:].abs().max().item(), 0.0)
        self.assertGreater(g[:, :, :, :8].abs().max().item(), 0.0)
        self.assertEqual(g[:, 10].abs().max().item(), 0.0)  # direction 1 is not in dirs (0,)
        self.assertGreater(g[:, 9].abs().max().item(), 0.0)


if __name__ == "__main__":
    unittest.main()
