"""Statistics of torch.nn.init's draws for spec 1.1's `init` schemes, to hold the runtime's draws to.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/init_statistics.py SHAPE [SHAPE ...]

SHAPE is a weight shape as stored, e.g. 256x512 (linear [out, in]), 64x32x3x3 (conv2d [out, in, kh, kw])
or 32x64x4x4 (conv_transpose2d [in, out, kh, kw]: fan_in and fan_out follow PyTorch's rule as it is).
stdout: JSON {scheme: {shape: {"fan_in", "fan_out", "std", "absmax", "mean"}}}: the fans PyTorch
computes and the empirical std, max |w| and mean of one draw (seed 0) from the scheme's function.
"""
import json
import sys

import torch
import torch.nn as nn

SCHEMES = {
    "xavier_uniform": lambda w: nn.init.xavier_uniform_(w, gain=1.0),
    "xavier_normal": lambda w: nn.init.xavier_normal_(w, gain=1.0),
    "kaiming_uniform": lambda w: nn.init.kaiming_uniform_(w, a=0, mode="fan_in", nonlinearity="relu"),
    "kaiming_normal": lambda w: nn.init.kaiming_normal_(w, a=0, mode="fan_in", nonlinearity="relu"),
}


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    result = {}
    for scheme, draw in SCHEMES.items():
        result[scheme] = {}
        for text in sys.argv[1:]:
            shape = tuple(int(d) for d in text.split("x"))
            w = torch.empty(shape, dtype=torch.float64)
            draw(w)
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
            result[scheme][text] = {"fan_in": fan_in, "fan_out": fan_out, "std": w.std().item(),
                                    "absmax": w.abs().max().item(), "mean": w.mean().item()}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
