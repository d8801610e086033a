"""Minimal safetensors writer/reader (struct + json), because the `safetensors` package is not available here.

Format: 8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}},
optional "__metadata__" (str -> str), header padded with spaces to 8 bytes, then raw little-endian data.
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def save(path, tensors, metadata=None):
    """tensors: dict name -> torch.Tensor (float32 or int64), written in insertion order."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        dtype, np_dtype = _DTYPES[t.dtype]
        blob = t.detach().contiguous().cpu().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        np_dtype = {"F32": "<f4", "I64": "<i8"}[e["dtype"]]
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[8 + n + b:8 + n + end], dtype=np_dtype).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta
