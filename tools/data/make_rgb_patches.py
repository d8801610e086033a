#!/usr/bin/env python3
"""Cut 64x64 RGB patches out of the public-domain / CC0 photographs shipped by scikit-image.

Writes data/photos64/<photo>_s<scale>_y<row>_x<col>.png (8-bit RGB, non-interlaced) for the
RGB specs (specs/seed002_rgb64.vae.yaml). Patches lie on a fixed grid at full resolution and at
half resolution (2x2 box filter), so the set covers both fine texture and larger shapes, and is
the same on every run. Stdlib only: the photos are 8-bit RGB PNGs, decoded here with zlib.

Usage:
  apt-get install python3-skimage      # or, without its dependencies:
  #   apt-get download python3-skimage && dpkg-deb -x python3-skimage_*.deb /tmp/skimage
  python3 tools/data/make_rgb_patches.py [--source DIR] [--out DIR]
"""

import argparse
import glob
import os
import struct
import sys
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = "/usr/lib/python3/dist-packages/skimage/data"
SIZE = 64

# (file, full-resolution stride, half-resolution stride); licences in data/photos64/README.md.
PHOTOS = (
    ("astronaut.png", 64, 32),  # NASA, public domain
    ("coffee.png", 64, 32),     # Rachel Michetti, CC0
    ("chelsea.png", 48, 32),    # Stefan van der Walt, CC0
)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_rgb_png(path):
    """Returns (width, height, rows) with rows a list of bytearrays of width*3 bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG file")
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] != zlib.crc32(kind + body):
            sys.exit(f"{path}: CRC mismatch in {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if (depth, colour, interlace) != (8, 2, 0):
        sys.exit(f"{path}: need 8-bit RGB non-interlaced, got depth {depth} colour {colour} interlace {interlace}")
    raw = zlib.decompress(bytes(idat))
    stride, rows, prev = width * 3, [], bytearray(width * 3)
    for y in range(height):
        f = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = row[x - 3] if x >= 3 else 0
            b = prev[x]
            c = prev[x - 3] if x >= 3 else 0
            row[x] = (row[x] + [0, a, b, (a + b) // 2, paeth(a, b, c)][f]) & 0xFF
        rows.append(row)
        prev = row
    return width, height, rows


def halve(width, height, rows):
    """2x2 box filter, rounding half up; an odd last row or column is dropped."""
    w, h = width // 2, height // 2
    out = []
    for y in range(h):
        r0, r1, row = rows[2 * y], rows[2 * y + 1], bytearray(w * 3)
        for x in range(w):
            for c in range(3):
                i = 6 * x + c
                row[3 * x + c] = (r0[i] + r0[i + 3] + r1[i] + r1[i + 3] + 2) // 4
        out.append(row)
    return w, h, out


def png_bytes(rows):
    """8-bit RGB PNG, filter Paeth on every row (good for photographs), zlib level 9."""
    height, stride = len(rows), len(rows[0])
    raw, prev = bytearray(), bytearray(stride)
    for row in rows:
        raw.append(4)
        for x in range(stride):
            a = row[x - 3] if x >= 3 else 0
            c = prev[x - 3] if x >= 3 else 0
            raw.append((row[x] - paeth(a, prev[x], c)) & 0xFF)
        prev = row

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", stride // 3, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=SOURCE, help="scikit-image's data directory")
    parser.add_argument("--out", default=os.path.join(REPO, "data", "photos64"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for old in glob.glob(os.path.join(args.out, "*.png")):
        os.remove(old)
    total, count = 0, 0
    for name, full_stride, half_stride in PHOTOS:
        image = read_rgb_png(os.path.join(args.source, name))
        for scale, stride, (width, height, rows) in ((1, full_stride, image), (2, half_stride, halve(*image))):
            made = 0
            for y in range(0, height - SIZE + 1, stride):
                for x in range(0, width - SIZE + 1, stride):
                    patch = [row[3 * x:3 * (x + SIZE)] for row in rows[y:y + SIZE]]
                    data = png_bytes(patch)
                    stem = os.path.splitext(name)[0]
                    with open(os.path.join(args.out, f"{stem}_s{scale}_y{y:03d}_x{x:03d}.png"), "wb") as f:
                        f.write(data)
                    total += len(data)
                    made += 1
            print(f"{name} at 1/{scale} ({width}x{height}): {made} patches")
            count += made
    print(f"{count} patches, {total:,} bytes")


if __name__ == "__main__":
    main()
