#!/usr/bin/env python3
"""Writes the Recon Desk app icon (256x256 RGBA PNG) using only the standard library.

A rounded blue tile with three white ledger lines and a green check mark.
Usage: python3 icons/make_icon.py [OUT.png ...]   (default: icons/icon.png and src-tauri/icons/icon.png)
"""
import math
import os
import struct
import sys
import zlib

SIZE = 256


def rounded_tile(x, y, r=48, pad=8):
    """Coverage (0..1) of a rounded square with corner radius r, anti-aliased on the edge."""
    lo, hi = pad + r, SIZE - pad - r
    cx = min(max(x, lo), hi)
    cy = min(max(y, lo), hi)
    d = math.hypot(x - cx, y - cy)
    return max(0.0, min(1.0, r - d + 0.5))


def seg_dist(px, py, ax, ay, bx, by):
    vx, vy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)))
    return math.hypot(px - (ax + t * vx), py - (ay + t * vy))


def blend(dst, src, a):
    return tuple(d * (1 - a) + s * a for d, s in zip(dst, src))


def pixel(x, y):
    px, py = x + 0.5, y + 0.5
    cov = rounded_tile(px, py)
    if cov <= 0:
        return (0, 0, 0, 0)
    # Vertical gradient from #2f6fd0 to #1b3f86.
    t = py / SIZE
    rgb = (0x2F + (0x1B - 0x2F) * t, 0x6F + (0x3F - 0x6F) * t, 0xD0 + (0x86 - 0xD0) * t)
    # Ledger lines.
    for ly, x1 in ((78, 196), (118, 196), (158, 132)):
        d = seg_dist(px, py, 60, ly, x1, ly)
        rgb = blend(rgb, (255, 255, 255), max(0.0, min(1.0, 7.5 - d)))
    # Check mark.
    d = min(seg_dist(px, py, 140, 168, 164, 192), seg_dist(px, py, 164, 192, 206, 140))
    rgb = blend(rgb, (52, 211, 120), max(0.0, min(1.0, 11 - d)))
    return tuple(int(round(c)) for c in rgb) + (int(round(255 * cov)),)


def png(width, height, rows):
    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outs = sys.argv[1:] or [os.path.join(root, "icons", "icon.png"), os.path.join(root, "src-tauri", "icons", "icon.png")]
    data = png(SIZE, SIZE, [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)])
    for out in outs:
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(data)
        print(f"wrote {out} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
