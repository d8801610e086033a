#!/usr/bin/env python3
"""Cut the committed Fashion-MNIST subset out of the Debian dataset-fashion-mnist files.

Writes data/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz holding the first
TRAIN_COUNT training and TEST_COUNT test samples, in the original IDX format, so code that reads
the full dataset reads the subset unchanged. The gzip output is byte-for-byte reproducible
(no file name, mtime 0, fixed level), so re-running the script leaves git with nothing to commit.

Usage: python3 tools/data/make_fashion_subset.py [--source DIR] [--out DIR]
Stdlib only.
"""

import argparse
import gzip
import io
import os
import struct
import sys

TRAIN_COUNT = 4000
TEST_COUNT = 1000
SPLITS = (("train", TRAIN_COUNT), ("t10k", TEST_COUNT))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_idx(path):
    """Returns (dims, payload bytes) of an unsigned-byte IDX file, raw or gzipped."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    rank = data[3]
    dims = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    payload = data[4 + 4 * rank:]
    expected = 1
    for d in dims:
        expected *= d
    if len(payload) != expected:
        sys.exit(f"{path}: header says {expected} bytes of data, file holds {len(payload)}")
    return dims, payload


def write_idx_gz(path, dims, payload):
    header = struct.pack(">BBBB", 0, 0, 0x08, len(dims)) + struct.pack(f">{len(dims)}I", *dims)
    buffer = io.BytesIO()
    # filename='' keeps the name out of the gzip header; mtime=0 keeps the clock out.
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as gz:
        gz.write(header)
        gz.write(payload)
    temp = path + ".tmp"
    with open(temp, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(temp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist",
                        help="directory with the full dataset (Debian package dataset-fashion-mnist)")
    parser.add_argument("--out", default=os.path.join(REPO, "data", "fashion-mnist"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for split, count in SPLITS:
        image_dims, pixels = read_idx(os.path.join(args.source, f"{split}-images-idx3-ubyte.gz"))
        label_dims, labels = read_idx(os.path.join(args.source, f"{split}-labels-idx1-ubyte.gz"))
        if len(image_dims) != 3 or len(label_dims) != 1 or image_dims[0] != label_dims[0]:
            sys.exit(f"{split}: unexpected shapes {image_dims} and {label_dims}")
        if image_dims[0] < count:
            sys.exit(f"{split}: only {image_dims[0]} samples, need {count}")
        rows, cols = image_dims[1], image_dims[2]
        write_idx_gz(os.path.join(args.out, f"{split}-images-idx3-ubyte.gz"),
                     (count, rows, cols), pixels[:count * rows * cols])
        write_idx_gz(os.path.join(args.out, f"{split}-labels-idx1-ubyte.gz"), (count,), labels[:count])
        print(f"{split}: {count} of {image_dims[0]} samples, {rows}x{cols}")


if __name__ == "__main__":
    main()
