#!/usr/bin/env python3
"""Write the tiny PNG fixtures that tests/VaeGen.Data.Tests/PngTests.cs decodes.

An encoder independent of the C# one (stdlib zlib + struct only), so the tests check the C#
decoder against another implementation. Pixel values follow pixel(x, y, c) below, which the
tests recompute. Row y uses filter type y % 5, so every filter is exercised.

Usage: python3 tools/data/make_png_fixtures.py
"""

import os
import struct
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "VaeGen.Data.Tests", "Fixtures")


def pixel(x, y, c):
    # Mixed gradients and a wrap-around so residuals are neither all small nor all zero.
    return (x * 37 + y * 101 + c * 59 + x * y * 13) % 256


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filtered_rows(width, height, channels, bytes_per_sample=1):
    bpp = channels * bytes_per_sample
    rows = []
    for y in range(height):
        row = []
        for x in range(width):
            for c in range(channels):
                v = pixel(x, y, c)
                row += [v >> 8 & 0xFF, v & 0xFF] if bytes_per_sample == 2 else [v]
        rows.append(row)
    out = bytearray()
    for y, row in enumerate(rows):
        f = y % 5
        prev = rows[y - 1] if y > 0 else [0] * len(row)
        out.append(f)
        for i, v in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
            out.append((v - pred) & 0xFF)
    return bytes(out)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, colour, depth=8, interlace=0, channels=None, extra_before_idat=b"", idat_parts=1):
    channels = channels or {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = filtered_rows(width, height, channels, 2 if depth == 16 else 1)
    data = zlib.compress(raw, 9)
    step = -(-len(data) // idat_parts)
    idats = b"".join(chunk(b"IDAT", data[i:i + step]) for i in range(0, len(data), step))
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra_before_idat + idats + chunk(b"IEND", b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {
        "python_gray_7x6.png": png(7, 6, 0),
        "python_rgb_5x7.png": png(5, 7, 2, extra_before_idat=chunk(b"tEXt", b"Comment\x00made by python")),
        "python_rgba_4x5.png": png(4, 5, 6, idat_parts=3),
        "python_gray_alpha_3x6.png": png(3, 6, 4),
        "python_gray16_2x2.png": png(2, 2, 0, depth=16),
        # One pixel: Adam7's first pass is the whole image, so this is a valid interlaced file.
        "python_interlaced_1x1.png": png(1, 1, 0, interlace=1),
        "python_palette_2x2.png": png(2, 2, 3, extra_before_idat=chunk(b"PLTE", bytes(range(256)) * 3)),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
