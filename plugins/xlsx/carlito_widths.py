#!/usr/bin/python3
"""carlito_widths.py — prints the advance-width table of plugins/xlsx/heights.c
from Carlito Regular, the metric-compatible stand-in for Calibri that
LibreOffice uses (Debian: fonts-crosextra-carlito).  Run it again, and paste
its output over the table, only if the table's ranges change.

    plugins/xlsx/carlito_widths.py /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf

Widths are in 1/128 em, rounded up (a row is never made too short by the
rounding); 255 marks a character Carlito lacks (LibreOffice draws it in a
fallback font, whose width is unknown here).  Only the standard library:
reads the TrueType 'cmap' (format 4) and 'hmtx' tables itself."""

import struct
import sys

RANGES = [(0x0020, 0x0260), (0x0400, 0x0460), (0x2010, 0x2040)]  # [from, to)


def font_widths(path):
    d = open(path, "rb").read()
    tables = {}
    for i in range(struct.unpack(">H", d[4:6])[0]):
        tag, _, off, ln = struct.unpack(">4sIII", d[12 + 16 * i:28 + 16 * i])
        tables[tag.decode("latin-1")] = off
    upem = struct.unpack(">H", d[tables["head"] + 18:tables["head"] + 20])[0]
    hhea = tables["hhea"]
    n_metrics = struct.unpack(">H", d[hhea + 34:hhea + 36])[0]
    hmtx = tables["hmtx"]
    adv = [struct.unpack(">H", d[hmtx + 4 * i:hmtx + 4 * i + 2])[0] for i in range(n_metrics)]
    cmap, glyph = tables["cmap"], {}
    for i in range(struct.unpack(">H", d[cmap + 2:cmap + 4])[0]):
        pid, _, off = struct.unpack(">HHI", d[cmap + 4 + 8 * i:cmap + 12 + 8 * i])
        sub = cmap + off
        if pid != 3 or struct.unpack(">H", d[sub:sub + 2])[0] != 4:
            continue
        seg2 = struct.unpack(">H", d[sub + 6:sub + 8])[0]
        n = seg2 // 2
        ends = struct.unpack(">%dH" % n, d[sub + 14:sub + 14 + seg2])
        at = sub + 16 + seg2
        starts = struct.unpack(">%dH" % n, d[at:at + seg2])
        deltas = struct.unpack(">%dh" % n, d[at + seg2:at + 2 * seg2])
        ro = at + 2 * seg2
        offsets = struct.unpack(">%dH" % n, d[ro:ro + seg2])
        for k in range(n):
            for c in range(starts[k], min(ends[k], 0xFFFE) + 1):
                if offsets[k] == 0:
                    g = (c + deltas[k]) & 0xFFFF
                else:
                    a = ro + 2 * k + offsets[k] + 2 * (c - starts[k])
                    g = struct.unpack(">H", d[a:a + 2])[0]
                    g = (g + deltas[k]) & 0xFFFF if g else 0
                if g:
                    glyph[c] = g
    return lambda c: None if c not in glyph else -(-adv[min(glyph[c], n_metrics - 1)] * 128 // upem)


def main():
    width = font_widths(sys.argv[1])
    for lo, hi in RANGES:
        print(f"    /* U+{lo:04X}..U+{hi - 1:04X} */")
        row = []
        for c in range(lo, hi):
            w = width(c)
            row.append(255 if w is None else w)
            if len(row) == 16:
                print("    " + ", ".join(f"{v:3d}" for v in row) + ",")
                row = []
        if row:
            print("    " + ", ".join(f"{v:3d}" for v in row) + ",")


if __name__ == "__main__":
    main()
