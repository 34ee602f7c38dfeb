"""SplitNet: a small CNN that predicts, for every 8x8 cell of a 128x128 CTU, the QT depth of the CU
covering it (5 classes: 0 = 128x128 ... 4 = 8x8) and its MTT depth (4 classes: 0..3).

Input  x: float32 [N, 2, 128, 128]  channel 0 = luma / 1023 - 0.5 (10-bit samples), channel 1 = QP / 63.
Output y: float32 [N, 9, 16, 16]    channels 0..4 QT-depth logits, 5..8 MTT-depth logits.
Shared by train.py and export_onnx.py; the TypeScript side (src/models/split-predictor.ts) relies on
exactly this input/output layout.
"""
import torch
import torch.nn as nn

QT_CLASSES = 5
MTT_CLASSES = 4
GRID = 8          # cell size in luma samples
CTU = 128


def conv(cin, cout, stride=1, dil=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, padding=dil, dilation=dil), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SplitNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        w = width
        self.body = nn.Sequential(
            conv(2, w, 2),            # 64x64
            conv(w, w),
            conv(w, 2 * w, 2),        # 32x32
            conv(2 * w, 2 * w),
            conv(2 * w, 2 * w, 2),    # 16x16 (one position per 8x8 cell)
            conv(2 * w, 2 * w, dil=2),
            conv(2 * w, 2 * w, dil=4),  # context of whole 64x64 regions
        )
        # CTU-level context: the depth of a cell depends on its neighbourhood up to the CTU size
        self.ctx = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(2 * w, 2 * w, 1), nn.ReLU(inplace=True))
        self.head = nn.Conv2d(4 * w, QT_CLASSES + MTT_CLASSES, 1)

    def forward(self, x):
        f = self.body(x)
        g = self.ctx(f).expand_as(f)
        return self.head(torch.cat([f, g], 1))
