"""Checks VaeGen's ONNX exports and writes PyTorch's own ONNX exports of the same weights.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/onnx_reference.py SPEC FOLDER [SPEC FOLDER ...]

One process for many models (a Python start with torch and onnx costs seconds). For each pair,
FOLDER holds VaeGen's encoder.onnx, decoder.onnx, vae.onnx and the weights model.safetensors. This
script writes into FOLDER:

  check.json        {"encoder.onnx": "ok" | the checker's message, ... for all six graphs below}:
                    onnx.checker.check_model(path, full_check=True) (ONNX 1.12: structure, opset 17
                    schemas, strict shape inference)
  torch/encoder.onnx, torch/decoder.onnx, torch/vae.onnx
                    torch.onnx.export (PyTorch 1.13, opset 17, dynamic batch) of the spec's model from
                    spec_model.py with the same weights in eval mode, with the same inputs and outputs
                    as VaeGen's graphs (x in the declared layout and range; the reconstruction through
                    a sigmoid for bce_logits; a conditional spec's graphs take int64 labels after x or z)

The tests run both sets of graphs in ONNX Runtime and compare.
"""
import json
import os
import sys

import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import spec_model  # noqa: E402

OPSET = 17
GRAPHS = ("encoder.onnx", "decoder.onnx", "vae.onnx")


class Reshape(nn.Module):
    """nn.Unflatten(1, sizes) as a reshape: PyTorch 1.13 cannot export aten::unflatten to ONNX."""

    def __init__(self, sizes):
        super().__init__()
        self.sizes = tuple(sizes)

    def forward(self, x):
        return x.reshape((-1,) + self.sizes)


def exportable(model):
    """The same model (same modules, same state_dict) with every nn.Unflatten, at any depth, replaced by Reshape."""
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.Unflatten):
                setattr(module, name, Reshape(child.unflattened_size))


class Encoder(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, x, labels=None):
        return self.vae.encode(x, labels)


class Decoder(nn.Module):
    def __init__(self, vae, logits):
        super().__init__()
        self.vae = vae
        self.logits = logits

    def forward(self, z, labels=None):
        y = self.vae.decode_nchw(z, labels)
        if self.logits:
            y = torch.sigmoid(y)
        return y.permute(0, 2, 3, 1) if self.vae.nhwc else y


class Vae(nn.Module):
    """x, eps -> reconstruction, mu, logvar; a conditional spec's takes x, labels, eps (the order of VaeGen's inputs)."""

    def __init__(self, vae, logits):
        super().__init__()
        self.vae = vae
        self.decode = Decoder(vae, logits)

    def forward(self, x, *rest):
        labels, eps = rest if len(rest) == 2 else (None, rest[0])
        mu, logvar = self.vae.encode(x, labels)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decode(z, labels), mu, logvar


def check(path):
    try:
        onnx.checker.check_model(path, full_check=True)
        return "ok"
    except Exception as e:  # noqa: BLE001 - the message is the result
        return type(e).__name__ + ": " + str(e).strip()


def export_torch(spec_path, folder):
    spec = spec_model.load_spec(spec_path)
    model = spec_model.build_model(spec)
    state, _ = safetensors_io.load(os.path.join(folder, "model.safetensors"))
    model.load_state_dict(state)
    model.eval()
    exportable(model)
    logits = spec.get("reconstruction", "mse") == "bce_logits"
    latent = int(spec["latent"])
    x = torch.zeros((2,) + tuple(int(d) for d in spec["input"]["shape"]))
    z = torch.zeros(2, latent)
    out = os.path.join(folder, "torch")
    os.makedirs(out, exist_ok=True)
    batch = {0: "batch"}
    if model.classes:
        labels = torch.zeros(2, dtype=torch.int64)
        cases = [
            ("encoder.onnx", Encoder(model), (x, labels), ["x", "labels"], ["mu", "logvar"]),
            ("decoder.onnx", Decoder(model, logits), (z, labels), ["z", "labels"], ["reconstruction"]),
            ("vae.onnx", Vae(model, logits), (x, labels, z), ["x", "labels", "eps"], ["reconstruction", "mu", "logvar"]),
        ]
    else:
        cases = [
            ("encoder.onnx", Encoder(model), (x,), ["x"], ["mu", "logvar"]),
            ("decoder.onnx", Decoder(model, logits), (z,), ["z"], ["reconstruction"]),
            ("vae.onnx", Vae(model, logits), (x, z), ["x", "eps"], ["reconstruction", "mu", "logvar"]),
        ]
    for name, module, args, inputs, outputs in cases:
        module.eval()
        torch.onnx.export(module, args, os.path.join(out, name), opset_version=OPSET,
                          input_names=inputs, output_names=outputs,
                          dynamic_axes={n: batch for n in inputs + outputs},
                          training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)


def main():
    torch.set_num_threads(1)
    pairs = sys.argv[1:]
    if not pairs or len(pairs) % 2:
        sys.exit("usage: onnx_reference.py SPEC FOLDER [SPEC FOLDER ...]")
    for spec_path, folder in zip(pairs[0::2], pairs[1::2]):
        export_torch(spec_path, folder)
        result = {name: check(os.path.join(folder, name)) for name in GRAPHS}
        result.update({"torch/" + name: check(os.path.join(folder, "torch", name)) for name in GRAPHS})
        with open(os.path.join(folder, "check.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
        print(folder, json.dumps(result))


if __name__ == "__main__":
    main()
