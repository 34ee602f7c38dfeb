"""SplitNet: a small CNN that predicts, for every 8x8 cell of a 128x128 CTU, the QT depth of the CU
covering it (5 classes: 0 = 128x128 ... 4 = 8x8) and its MTT depth (4 classes: 0..3).

Input  x: float32 [N, 2, 128, 128]  channel 0 = luma / 1023 - 0.5 (10-bit samples), channel 1 = QP / 63.
Output y: float32 [N, 9, 16, 16]    channels 0..4 QT-depth logits, 5..8 MTT-depth logits; with directions = 2,
                                    [N, 11, 16, 16]: 9 the logit of P(vertical) of the MTT split at MTT depth 0, 10 of
                                    P(the split at MTT depth 1 divides the node across its longer side).
c1 (the chroma coding tree of dual-tree I slices): the same network on x [N, 4, 128, 128], channels 2, 3 = Cb, Cr
/ 1023 - 0.5 (each chroma sample repeated 2x2 onto the luma grid); its outputs are the depths of the chroma CU
covering each 8x8 luma cell (QT depth in luma terms: 1 = a 64x64 area's chroma CU, 4 = 4x4 chroma samples).
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


def downsample_stem(cin, w):
    """128x128 input -> 16x16 features (one position per 8x8 cell): the layers v1 and v2 share."""
    return [
        conv(cin, w, 2),          # 64x64
        conv(w, w),
        conv(w, 2 * w, 2),        # 32x32
        conv(2 * w, 2 * w),
        conv(2 * w, 2 * w, 2),    # 16x16 (one position per 8x8 cell)
    ]


def window_size(halo):
    """The side in samples of a CTU's input window with `halo` cells of its neighbours on each side."""
    return CTU + 2 * GRID * halo


def crop_halo(f, halo):
    """The 16x16 cells of the CTU itself from features of a window with `halo` cells of its neighbours on each side
    (the convolutions before this saw across the CTU's border; what follows is the CTU's own)."""
    return f[:, :, halo:halo + CTU // GRID, halo:halo + CTU // GRID] if halo else f


class SplitNet(nn.Module):
    def __init__(self, width=16, directions=0, halo=0, planes=2):
        super().__init__()
        w = width
        self.halo = halo
        self.body = nn.Sequential(
            *downsample_stem(planes, w),
            conv(2 * w, 2 * w, dil=2),
            conv(2 * w, 2 * w, dil=4),  # context of whole 64x64 regions
        )
        # CTU-level context: the depth of a cell depends on its neighbourhood up to the CTU size
        self.ctx = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(2 * w, 2 * w, 1), nn.ReLU(inplace=True))
        self.head = nn.Conv2d(4 * w, QT_CLASSES + MTT_CLASSES + directions, 1)

    def forward(self, x):
        f = crop_halo(self.body(x), self.halo)
        g = self.ctx(f).expand_as(f)
        return self.head(torch.cat([f, g], 1))


# ---- v2: all-intra and random access -------------------------------------------------------------------------
# Inputs  ctu:  float32 [N, 3, 128, 128]  0 = luma / 1023 - 0.5, 1 = slice QP / 63,
#                                         2 = temporal feature min(|luma - ref|, TEMPORAL_CLIP) / TEMPORAL_SCALE
#                                             (10-bit units; ref = mean of the nearest lower-layer pictures before /
#                                             after in display order, see make_dataset.temporal_refs; 0 for I)
#         cond: float32 [N, 7]            0 = 1 for a B picture (0 for I), 1..6 = one-hot temporal layer on the
#                                         GOP-32 scale (0..5; all zero for I)
# Output  logits: float32 [N, 9, 16, 16]  as v1.
COND = 7
TEMPORAL_CLIP = 512
TEMPORAL_SCALE = 256.0
LAYERS = 6


def cond_vector(slice_type, layer):
    v = [0.0] * COND
    if slice_type == "B":
        v[0] = 1.0
        v[1 + min(max(int(layer), 0), LAYERS - 1)] = 1.0
    return v


class _ContextHead(nn.Module):
    """What v2-v4 share: the stem on `stem_in` planes down to the 16x16 cell grid, two dilated context convolutions, the
    CTU-level context vector and a two-layer 1x1 head (`finish`: the last three on stem features)."""

    def __init__(self, stem_in, width=16, directions=0, halo=0):
        super().__init__()
        w = width
        self.halo = halo
        self.stem = nn.Sequential(*downsample_stem(stem_in, w))
        self.context = nn.Sequential(conv(2 * w, 2 * w, dil=2), conv(2 * w, 2 * w, dil=4))
        self.ctx = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(2 * w, 2 * w, 1), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Conv2d(4 * w, 2 * w, 1), nn.ReLU(inplace=True), nn.Conv2d(2 * w, QT_CLASSES + MTT_CLASSES + directions, 1))

    def finish(self, f):
        f = crop_halo(self.context(f), self.halo)
        g = self.ctx(f).expand_as(f)
        return self.head(torch.cat([f, g], 1))


class SplitNetV2(_ContextHead):
    """v1's body with a third input plane (temporal difference) and a slice-type / temporal-layer vector that
    biases the 16x16 features before the context convolutions, and a two-layer 1x1 head."""

    def __init__(self, width=16, directions=0, halo=0):
        super().__init__(3, width, directions, halo)
        self.cond = nn.Linear(COND, 2 * width)

    def forward(self, x, cond):
        return self.finish(self.stem(x) + self.cond(cond)[:, :, None, None])


# ---- v4: the slice QP in the cond vector, one stem run for every QP of a job ------------------------------------
# Inputs  ctu:  float32 [n, 2, 128, 128]  0 = luma / 1023 - 0.5, 1 = v3's temporal feature (mc16; 0 for I)
#         cond: float32 [q, n, 8]         per QP (q of them) and CTU: v2's 7 values, then 7 = slice QP / 63
# Output  logits: float32 [q * n, 9, 16, 16] (QP-major: the n CTUs at the first QP, then at the second, ...)
COND_V4 = COND + 1


class SplitNetV4(_ContextHead):
    """v3 with the slice QP moved from an input plane into the cond vector. The stem, ~85 % of the multiply-adds,
    then sees the picture alone, so a job's four QPs share one stem run per picture; the cond vector scales and
    biases the 16x16 features (FiLM) before the context convolutions, once per QP."""

    def __init__(self, width=16, directions=0, halo=0):
        super().__init__(2, width, directions, halo)
        self.film = nn.Linear(COND_V4, 4 * width)

    def head_from(self, f, cond):
        """Outputs from stem features f [n, 2w, 16, 16] and cond [n, 8]."""
        gamma, beta = self.film(cond)[:, :, None, None].chunk(2, 1)
        return self.finish(f * (1 + gamma) + beta)

    def forward(self, x, cond):
        return self.head_from(self.stem(x), cond)


class SplitNetV4Export(nn.Module):
    """The ONNX graph of a v4: the stem once for the n CTUs, the rest once per QP (cond [q, n, 8])."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, cond):
        f = self.net.stem(x)                                      # [n, C, 16, 16]
        c = cond.reshape(-1, cond.shape[-1])                      # [q*n, 8]
        f = (f.unsqueeze(0) * torch.ones_like(cond[:, :, :1, None, None])).reshape(-1, *f.shape[1:])  # [q*n, C, 16, 16]
        return self.net.head_from(f, c)


def net_for(arch, directions=0, width=16, halo=0):
    """The network of a train.py --arch (v3: v2's network on the motion-compensated feature); directions: the
    split-direction outputs (channels 9..); width: the stem's channels (16 in every committed model; MACs grow with
    its square); halo: cells (8 samples each) of the neighbouring CTUs the input window holds on each side (its
    inputs are then 128 + 16 * halo samples square; the outputs stay the CTU's 16x16 cells)."""
    if arch == "v4":
        return SplitNetV4(width, directions, halo)
    if arch == "c1":  # the chroma tree's predictor: v1's network on luma, QP and both chroma planes
        return SplitNet(width, directions, halo, planes=4)
    return SplitNet(width, directions, halo) if arch == "v1" else SplitNetV2(width, directions, halo)


def trained_directions(ck):
    """The split-direction outputs a checkpoint's training reached (train.py --dir-costs: MTT depth 0's, --dir1-costs
    depth 1's): its list, or in older checkpoints a count n (the first n)."""
    t = ck.get("trained_directions", 1 if ck.get("directions", 0) else 0)
    return list(range(t)) if isinstance(t, int) else list(t)


def load_checkpoint(path):
    """A train.py checkpoint as (network in eval mode, checkpoint dict); a bare state dict (older) is a v1's."""
    ck = torch.load(path, map_location="cpu")
    net = net_for(ck.get("arch", "v1"), ck.get("directions", 0), ck.get("width", 16), ck.get("halo", 0))
    net.load_state_dict(ck.get("state_dict", ck))
    net.eval()
    return net, ck
