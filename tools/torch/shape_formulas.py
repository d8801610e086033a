"""Prints PyTorch output shapes for the configurations in ShapeFormulaTests.cs (expected values recorded there).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/shape_formulas.py
"""
import torch
import torch.nn as nn

CONV = [  # (in_hw, kernel, stride, padding, dilation)
    ((28, 28), 3, 1, 1, 1), ((28, 28), 4, 2, 1, 1), ((7, 9), (3, 2), (2, 1), (1, 2), (1, 2)),
    ((5, 5), 5, 1, 0, 1), ((10, 11), 3, 3, 0, 2), ((64, 48), 5, 2, 2, 1),
]
CONVT = [  # (in_hw, kernel, stride, padding, output_padding, dilation)
    ((7, 7), 4, 2, 1, 0, 1), ((4, 3), (3, 4), (2, 3), 1, (1, 2), 1), ((4, 5), 3, 1, 1, 1, 2),
    ((14, 14), 3, 2, 1, 1, 1), ((1, 1), 4, 1, 0, 0, 1), ((5, 6), 5, 3, 2, 2, 1),
]
POOL = [  # (in_hw, kernel, stride, padding, dilation, ceil_mode)
    ((8, 9), 3, 2, 1, 1, True), ((8, 9), 3, 2, 1, 1, False), ((7, 7), 2, 2, 0, 1, True), ((7, 7), 2, 2, 0, 1, False),
    ((6, 6), 3, 3, 1, 1, True), ((5, 5), 2, 2, 1, 1, True), ((10, 10), 3, 2, 1, 2, True), ((28, 28), 2, 2, 0, 1, False),
    ((4, 4), 3, 2, 1, 1, True), ((3, 3), 2, 2, 1, 1, True),
]

for hw, k, s, p, d in CONV:
    y = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(torch.zeros(1, 1, *hw))
    print("conv", hw, k, s, p, d, "->", tuple(y.shape[2:]))
for hw, k, s, p, op, d in CONVT:
    y = nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op, dilation=d)(torch.zeros(1, 1, *hw))
    print("convT", hw, k, s, p, op, d, "->", tuple(y.shape[2:]))
for hw, k, s, p, d, ceil in POOL:
    ym = nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil)(torch.zeros(1, 1, *hw))
    line = f"maxpool {hw} {k} {s} {p} {d} {ceil} -> {tuple(ym.shape[2:])}"
    if d == 1:
        ya = nn.AvgPool2d(k, stride=s, padding=p, ceil_mode=ceil)(torch.zeros(1, 1, *hw))
        line += f" avgpool -> {tuple(ya.shape[2:])}"
    print(line)
for hw, scale in (((3, 4), 2), ((4, 5), 1.5), ((5, 5), 0.5), ((7, 3), 2.5)):
    y = nn.Upsample(scale_factor=scale, mode="nearest")(torch.zeros(1, 1, *hw))
    print("upsample", hw, scale, "->", tuple(y.shape[2:]))

# Default-init bounds (Linear, Conv2d, ConvTranspose2d) as reset_parameters computes them.
import math
for name, w in (("linear", torch.empty(3, 5)), ("conv", torch.empty(4, 3, 3, 2)), ("convT", torch.empty(3, 2, 3, 4))):
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(w)
    gain = nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    std = gain / math.sqrt(fan_in)  # the order of operations in torch.nn.init.kaiming_uniform_
    bound = math.sqrt(3.0) * std
    print("init", name, fan_in, repr(bound), repr(1 / math.sqrt(fan_in)))
