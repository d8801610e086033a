"""TensorFlow's padding="same" in PyTorch, for the checker's shape tests (SamePaddingTests.cs).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/same_padding.py H,W,KH,KW,SH,SW,DH,DW ...

For each case prints one JSON line: the pads spec_model.same_padding gives, [left, right, top, bottom];
the output size of a Conv2d run after F.pad with those pads; and TensorFlow's documented size,
ceil(in / stride), which it must equal. At stride 1 the padded conv's values are also compared with
PyTorch's own padding="same" (which pads the same way), so the pads are not just the right count.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec_model  # noqa: E402

torch.manual_seed(0)
for case in sys.argv[1:]:
    h, w, kh, kw, sh, sw, dh, dw = (int(v) for v in case.split(","))
    top, bottom = spec_model.same_padding(h, kh, sh, dh)
    left, right = spec_model.same_padding(w, kw, sw, dw)
    conv = torch.nn.Conv2d(2, 3, (kh, kw), stride=(sh, sw), dilation=(dh, dw))
    x = torch.randn(1, 2, h, w)
    y = conv(F.pad(x, [left, right, top, bottom]))
    result = {"case": case, "pads": [left, right, top, bottom], "output": list(y.shape[2:]),
              "tensorflow": [math.ceil(h / sh), math.ceil(w / sw)]}
    if sh == 1 and sw == 1:
        same = F.conv2d(x, conv.weight, conv.bias, padding="same", dilation=(dh, dw))
        result["matches_torch_same"] = bool(torch.allclose(same, y, atol=1e-6))
    print(json.dumps(result))
