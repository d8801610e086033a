"""Loads a safetensors state_dict written by another implementation into the PyTorch model of a spec
(load_state_dict, strict: every name and shape must match) and encodes and decodes a given batch, so
a test can check that weights saved by the TorchSharp or managed class mean the same thing in PyTorch.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/encode_with_weights.py SPEC WEIGHTS INPUT OUTPUT

INPUT   safetensors with x (the spec's layout and range) and z [N, latent]
OUTPUT  safetensors with mu, logvar (Encode of x) and decoded (Decode of z, the spec's layout),
        all in evaluation mode
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import spec_model  # noqa: E402


def main():
    spec_path, weights, inputs, output = sys.argv[1:5]
    torch.set_num_threads(1)
    model = spec_model.build_model(spec_model.load_spec(spec_path))
    state, _ = safetensors_io.load(weights)
    model.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()}, strict=True)
    model.eval()
    given, _ = safetensors_io.load(inputs)
    with torch.no_grad():
        mu, logvar = model.encode(torch.as_tensor(given["x"]))
        decoded = model.decode(torch.as_tensor(given["z"]))
    safetensors_io.save(output, {"mu": mu, "logvar": logvar, "decoded": decoded})


if __name__ == "__main__":
    main()
