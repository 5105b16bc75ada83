# SPDX-License-Identifier: MIT
"""Files for tests/image_spec.lua, made by Debian's Python (PIL, NumPy, zlib).

  gen.py make DIR    writes DIR/good/* (valid PNG and JPEG files, every PNG
                     mode and bit depth, interlaced ones, files PIL wrote)
                     with DIR/good.txt: "name H W C dtype sum wsum" as PIL or
                     NumPy read them; and DIR/bad/* (malformed files) with
                     DIR/bad.txt: "name|text the error must contain".
  gen.py check DIR   reads the files lunar wrote into DIR with PIL and
                     prints "name ok" for each that holds what it should
                     (see expected below), else what differs.

wsum weights the flattened samples by (k mod 251) + 1, so that a transposed
or shifted image does not pass where the plain sum would.
"""
import io
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image


def checksums(a):
    flat = a.astype(np.int64).ravel()
    w = np.arange(flat.size, dtype=np.int64) % 251 + 1
    return int(flat.sum()), int((flat * w).sum())


def line(name, a):
    c = a.shape[2] if a.ndim == 3 else 1
    s, ws = checksums(a)
    return "%s %d %d %d %s %d %d" % (name, a.shape[0], a.shape[1], c, a.dtype.name, s, ws)


# {===== a PNG writer by hand: every color type and bit depth, Adam7
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def pack_rows(a, bd):
    """rows of samples (h, w*c) packed at bit depth bd, filter byte 0 each"""
    out = bytearray()
    for row in a:
        if bd == 16:
            raw = row.astype(">u2").tobytes()
        elif bd == 8:
            raw = row.astype(np.uint8).tobytes()
        else:
            per = 8 // bd
            vals = list(row) + [0] * ((-len(row)) % per)
            raw = bytes(
                sum(int(vals[i + k]) << (8 - bd * (k + 1)) for k in range(per))
                for i in range(0, len(vals), per))
        out += b"\x00" + raw
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]


def png_bytes(samples, bd, ct, interlace=0, extra=b"", ihdr=None):
    """samples: (h, w, c) stored values; extra: chunks before IDAT"""
    h, w, c = samples.shape
    if interlace:
        data = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.size:
                data += pack_rows(sub.reshape(sub.shape[0], -1), bd)
    else:
        data = pack_rows(samples.reshape(h, -1), bd)
    hdr = ihdr if ihdr is not None else struct.pack(">IIBBBBB", w, h, bd, ct, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", hdr) + extra
            + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b""))
# }=====


def pattern(h, w, c, mod, seed):
    i, j, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return ((i * 31 + j * 17 + k * 59 + seed * 7 + (i * j) % 13) % mod).astype(np.int64)


def make_good(d):
    rows = []
    os.makedirs(os.path.join(d, "good"), exist_ok=True)

    def put(name, data, expect):
        with open(os.path.join(d, "good", name), "wb") as f:
            f.write(data)
        rows.append(line(name, expect))

    h, w = 13, 17
    # gray at 1, 2, 4 bits: libpng scales to 8 bits (x255, x85, x17)
    for bd, scale in ((1, 255), (2, 85), (4, 17)):
        s = pattern(h, w, 1, 1 << bd, bd)
        for il in (0, 1):
            put("gray%d%s.png" % (bd, "i" if il else ""), png_bytes(s, bd, 0, il),
                (s[:, :, 0] * scale).astype(np.uint8))
    # gray, gray+alpha, RGB, RGBA at 8 and 16 bits, plain and interlaced
    for ct, c, nm in ((0, 1, "gray"), (4, 2, "ga"), (2, 3, "rgb"), (6, 4, "rgba")):
        for bd in (8, 16):
            s = pattern(h, w, c, 1 << bd, c + bd)
            if bd == 16:
                s = (s * 4099) % 65536
            exp = s.astype(np.uint8 if bd == 8 else np.uint16)
            if c == 1:
                exp = exp[:, :, 0]
            for il in (0, 1):
                put("%s%d%s.png" % (nm, bd, "i" if il else ""), png_bytes(s, bd, ct, il), exp)
    # palette: 4-bit without tRNS (RGB), 8-bit with a short tRNS (RGBA)
    pal = np.array([[(k * 37) % 256, (k * 91) % 256, (255 - k * 5) % 256] for k in range(256)])
    for bd, trns in ((4, False), (8, True), (2, False)):
        n = 1 << bd
        idx = pattern(h, w, 1, n, 11)
        extra = chunk(b"PLTE", pal[:n].astype(np.uint8).tobytes())
        exp = pal[idx[:, :, 0]]
        if trns:
            alpha = np.full(256, 255)
            alpha[:5] = [0, 10, 20, 30, 40]
            extra += chunk(b"tRNS", alpha[:5].astype(np.uint8).tobytes())
            exp = np.concatenate([exp, alpha[idx[:, :, 0]][:, :, None]], axis=2)
        put("pal%d%s.png" % (bd, "t" if trns else ""), png_bytes(idx, bd, 3, 0, extra),
            exp.astype(np.uint8))
    # gray and RGB with a tRNS color: no alpha channel added (as PIL)
    s = pattern(h, w, 1, 256, 12)
    put("graytrns.png", png_bytes(s, 8, 0, 0, chunk(b"tRNS", b"\x00\x07")), s[:, :, 0].astype(np.uint8))
    s = pattern(h, w, 3, 256, 13)
    put("rgbtrns.png", png_bytes(s, 8, 2, 0, chunk(b"tRNS", b"\x00\x07\x00\x08\x00\x09")),
        s.astype(np.uint8))
    # wider than libpng's default limit of a million pixels a side
    s = (np.arange(1200000) % 251).reshape(1, 1200000, 1)
    put("wide.png", png_bytes(s, 8, 0), s[:, :, 0].astype(np.uint8))
    # one row, one column
    s = pattern(1, 40, 3, 256, 3)
    put("row.png", png_bytes(s, 8, 2), s.astype(np.uint8))
    s = pattern(40, 1, 1, 256, 4)
    put("col.png", png_bytes(s, 8, 0, 1), s[:, :, 0].astype(np.uint8))
    # files PIL wrote, read back by PIL for the expected values
    for mode, c in (("L", 1), ("RGB", 3), ("RGBA", 4), ("LA", 2)):
        a = pattern(21, 19, c, 256, 5).astype(np.uint8)
        im = Image.fromarray(a[:, :, 0] if c == 1 else a, mode)
        b = io.BytesIO()
        im.save(b, "PNG")
        put("pil_%s.png" % mode, b.getvalue(), np.asarray(Image.open(io.BytesIO(b.getvalue()))))
    a16 = (pattern(9, 11, 1, 65536, 6)[:, :, 0] * 3001 % 65536).astype(np.uint16)
    b = io.BytesIO()
    Image.fromarray(a16, "I;16").save(b, "PNG")
    put("pil_I16.png", b.getvalue(), a16)
    for mode, c, q, prog in (("L", 1, 95, False), ("RGB", 3, 90, False), ("RGB", 3, 80, True)):
        a = pattern(24, 40, c, 256, 8).astype(np.uint8)
        b = io.BytesIO()
        Image.fromarray(a[:, :, 0] if c == 1 else a, mode).save(b, "JPEG", quality=q,
                                                                 progressive=prog)
        put("pil_%s_q%d%s.jpg" % (mode, q, "p" if prog else ""), b.getvalue(),
            np.asarray(Image.open(io.BytesIO(b.getvalue()))))
    a = pattern(16, 24, 4, 256, 3).astype(np.uint8)
    b = io.BytesIO()
    Image.fromarray(a, "CMYK").save(b, "JPEG", quality=95)
    put("pil_CMYK.jpg", b.getvalue(), np.asarray(Image.open(io.BytesIO(b.getvalue()))))
    with open(os.path.join(d, "good.txt"), "w") as f:
        f.write("\n".join(rows) + "\n")


# {===== malformed files
def set_ihdr(png, **kw):
    """png with IHDR fields replaced (CRC fixed)"""
    w, h, bd, ct, cm, fm, il = struct.unpack(">IIBBBBB", png[16:29])
    f = dict(w=w, h=h, bd=bd, ct=ct, cm=cm, fm=fm, il=il)
    f.update(kw)
    hdr = struct.pack(">IIBBBBB", f["w"], f["h"], f["bd"], f["ct"], f["cm"], f["fm"], f["il"])
    return png[:8] + chunk(b"IHDR", hdr) + png[33:]


def jpeg_segments(data):
    """(marker, start, end) of each segment before the scan data"""
    segs, i = [], 2
    while i < len(data) - 4:
        m = data[i + 1]
        ln = struct.unpack(">H", data[i + 2:i + 4])[0]
        segs.append((m, i, i + 2 + ln))
        if m == 0xDA:
            break
        i += 2 + ln
    return segs


def make_bad(d):
    os.makedirs(os.path.join(d, "bad"), exist_ok=True)
    rows = []

    def put(name, data, text):
        with open(os.path.join(d, "bad", name), "wb") as f:
            f.write(data)
        rows.append("%s|%s" % (name, text))

    rgb = pattern(16, 16, 3, 256, 9)
    good = png_bytes(rgb, 8, 2)
    idat = good.find(b"IDAT") - 4
    iend = good.find(b"IEND") - 4
    NOTPNG = "is not a valid PNG file"
    put("empty.png", b"", "neither a PNG nor a JPEG file")
    put("magic1.png", b"\x88" + good[1:], "neither a PNG nor a JPEG file")
    put("magic2.png", good[:4] + b"\r\r" + good[6:], "neither a PNG nor a JPEG file")
    put("text.png", b"hello, this is not an image\n" * 10, "neither a PNG nor a JPEG file")
    put("gif.png", b"GIF89a" + good[6:], "neither a PNG nor a JPEG file")
    # truncations: in the signature, IHDR, between chunks, in IDAT, IEND
    for n in (7, 8, 12, 20, 32, 33, idat + 4, idat + 20, idat + 60, idat + 200, iend - 1, iend,
              iend + 8, len(good) - 1):
        txt = "neither a PNG nor a JPEG file" if n < 8 else NOTPNG
        put("trunc%d.png" % n, good[:n], txt)
    # damaged CRCs
    b = bytearray(good)
    b[29] ^= 0xFF
    put("crc_ihdr.png", bytes(b), "CRC error")
    b = bytearray(good)
    b[iend - 1] ^= 0x01
    put("crc_idat.png", bytes(b), "CRC error")
    b = bytearray(good)
    b[idat + 10] ^= 0x55
    put("data_idat.png", bytes(b), NOTPNG)
    # bad IHDR fields
    for nm, kw in (("w0", dict(w=0)), ("h0", dict(h=0)), ("bd3", dict(bd=3)),
                   ("bd16pal", dict(bd=16, ct=3)), ("ct1", dict(ct=1)), ("ct5", dict(ct=5)),
                   ("ct7", dict(ct=7)), ("cm1", dict(cm=1)), ("fm1", dict(fm=1)),
                   ("il2", dict(il=2)), ("bd1rgb", dict(bd=1)), ("wneg", dict(w=0x80000000))):
        put("ihdr_%s.png" % nm, set_ihdr(good, **kw), NOTPNG)
    put("ihdr_len.png", good[:8] + chunk(b"IHDR", good[16:29] + b"\0") + good[33:], NOTPNG)
    # huge declared sizes: refused before allocating
    put("huge_max.png", set_ihdr(good, w=0x7FFFFFFF, h=0x7FFFFFFF), "more than max_pixels")
    put("huge_over.png", set_ihdr(good, w=0x80000000, h=0x80000000), NOTPNG)
    put("huge_1e6.png", set_ihdr(good, w=1000000, h=1000000), "more than max_pixels")
    put("huge_1e5.png", set_ihdr(good, w=100000, h=100000), "more than max_pixels")
    put("huge_16k.png", set_ihdr(good, w=16000, h=16000, ct=0), "holds only")
    put("huge_rgba16.png", set_ihdr(good, w=8000, h=8000, ct=6, bd=16), "holds only")
    put("huge_cols.png", set_ihdr(good, w=1000000, h=1, ct=6, bd=16), "holds only")
    # chunk structure
    put("no_idat.png", good[:33] + chunk(b"IEND", b""), NOTPNG)
    put("no_plte.png", set_ihdr(good, ct=3), NOTPNG)
    put("idat_len.png", good[:idat] + b"\x7f\xff\xff\xff" + good[idat + 4:], NOTPNG)
    put("idat_len2.png", good[:idat] + b"\xff\xff\xff\xff" + good[idat + 4:], NOTPNG)
    put("zlib_junk.png", good[:idat] + chunk(b"IDAT", b"\x12\x34" * 40) + chunk(b"IEND", b""),
        NOTPNG)
    short = zlib.compress(pack_rows(rgb.reshape(16, -1), 8)[:100])
    put("idat_short.png", good[:idat] + chunk(b"IDAT", short) + chunk(b"IEND", b""), NOTPNG)
    raw = bytearray(pack_rows(rgb.reshape(16, -1), 8))
    raw[0] = 9
    put("bad_filter.png", good[:idat] + chunk(b"IDAT", zlib.compress(bytes(raw)))
        + chunk(b"IEND", b""), NOTPNG)
    pal = set_ihdr(good, ct=3, bd=8)
    put("plte_long.png", pal[:33] + chunk(b"PLTE", b"\1" * 3 * 257) + pal[33:], NOTPNG)
    put("plte_odd.png", pal[:33] + chunk(b"PLTE", b"\1" * 10) + pal[33:], NOTPNG)

    # JPEG
    a = pattern(48, 64, 3, 256, 10).astype(np.uint8)
    bb = io.BytesIO()
    Image.fromarray(a, "RGB").save(bb, "JPEG", quality=90)
    jpg = bb.getvalue()
    bb = io.BytesIO()
    Image.fromarray(a, "RGB").save(bb, "JPEG", quality=90, progressive=True)
    pjpg = bb.getvalue()
    NOTJPG = "is not a valid JPEG file"
    segs = jpeg_segments(jpg)
    sof = [s for s in segs if s[0] == 0xC0][0]
    sos = [s for s in segs if s[0] == 0xDA][0]
    for n in (3, 4, 10, 30, sof[1] + 5, sos[1] + 4, sos[2] + 10, (sos[2] + len(jpg)) // 2,
              len(jpg) - 30, len(jpg) - 2):
        put("trunc%d.jpg" % n, jpg[:n], NOTJPG)
    for n in (len(pjpg) // 3, len(pjpg) // 2, len(pjpg) - 3):
        put("ptrunc%d.jpg" % n, pjpg[:n], NOTJPG)

    def sof_with(data, s, **kw):
        p, h, w, nc = struct.unpack(">BHHB", data[s[1] + 4:s[1] + 10])
        f = dict(p=p, h=h, w=w, nc=nc)
        f.update(kw)
        return (data[:s[1] + 4] + struct.pack(">BHHB", f["p"], f["h"], f["w"], f["nc"])
                + data[s[1] + 10:])
    put("sof_huge.jpg", sof_with(jpg, sof, h=65500, w=65500), "more than max_pixels")
    psof = [s for s in jpeg_segments(pjpg) if s[0] == 0xC2][0]
    put("psof_huge.jpg", sof_with(pjpg, psof, h=60000, w=60000), "more than max_pixels")
    put("sof_w0.jpg", sof_with(jpg, sof, w=0), NOTJPG)
    put("sof_h0.jpg", sof_with(jpg, sof, h=0), NOTJPG)
    put("sof_p12.jpg", sof_with(jpg, sof, p=12), NOTJPG)
    put("sof_nc0.jpg", sof_with(jpg, sof, nc=0), NOTJPG)
    put("sof_nc9.jpg", sof_with(jpg, sof, nc=9), NOTJPG)
    put("sof_big_trunc.jpg", sof_with(jpg, sof, h=8000, w=8000), NOTJPG)
    put("soi_eoi.jpg", b"\xff\xd8\xff\xd9", NOTJPG)
    dqt = [s for s in segs if s[0] == 0xDB]
    put("no_dqt.jpg", jpg[:dqt[0][1]] + jpg[dqt[-1][2]:], NOTJPG)
    b = bytearray(jpg)
    b[dqt[0][1] + 2:dqt[0][1] + 4] = b"\x00\x01"
    put("dqt_len.jpg", bytes(b), NOTJPG)
    b = bytearray(jpg)
    b[sos[1] + 1] = 0x01
    put("bad_marker.jpg", bytes(b), NOTJPG)
    put("junk_after_soi.jpg", b"\xff\xd8\xff" + b"\x00" * 200, NOTJPG)
    with open(os.path.join(d, "bad.txt"), "w") as f:
        f.write("\n".join(rows) + "\n")
# }=====


# the files tests/image_spec.lua writes: w_cC_B.png (C channels, 0 for an
# (H, W) array; B bits) hold pattern(13, 17, C, 2^B, 2C + B), 16-bit ones
# times 4099 mod 2^16; w_*.jpg an RGB or gray pattern at quality 100
def expected(name):
    if name.startswith("w_c") and name.endswith(".png"):
        c, bd = int(name[3]), int(name[5:-4])
        s = pattern(13, 17, max(c, 1), 1 << bd, 2 * c + bd)
        if bd == 16:
            s = (s * 4099) % 65536
        exp = s.astype(np.uint8 if bd == 8 else np.uint16)
        return exp[:, :, 0] if c <= 1 else exp
    if name.startswith("w_") and name.endswith(".jpg"):
        c = 1 if "gray" in name else 3
        i, j, k = np.meshgrid(np.arange(32), np.arange(48), np.arange(c), indexing="ij")
        s = (i * 3 + j * 2 + k * 30).astype(np.uint8)
        return s[:, :, 0] if c == 1 else s
    return None


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def read_png(path):
    """a non-interlaced PNG decoded with zlib and NumPy (PIL reduces 16-bit
    color to 8 bits): CRCs checked, the five filters undone"""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, "CRC of " + kind.decode()
        if kind == b"IHDR":
            w, h, bd, ct, _, _, il = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    assert il == 0 and bd in (8, 16)
    c = {0: 1, 4: 2, 2: 3, 6: 4}[ct]
    bpp, stride = c * bd // 8, w * c * bd // 8
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, stride + 1)
    out = np.zeros((h, stride), np.int64)
    for y in range(h):
        f, row = raw[y, 0], raw[y, 1:].astype(np.int64)
        up = out[y - 1] if y else np.zeros(stride, np.int64)
        if f == 0:
            out[y] = row
        elif f == 2:
            out[y] = (row + up) % 256
        else:
            cur = np.zeros(stride, np.int64)
            for x in range(stride):
                left = cur[x - bpp] if x >= bpp else 0
                ul = up[x - bpp] if x >= bpp else 0
                pred = {1: left, 3: (left + up[x]) // 2, 4: paeth(left, up[x], ul)}[f]
                cur[x] = (row[x] + pred) % 256
            out[y] = cur
    b = out.astype(np.uint8)
    a = b.view(">u2").astype(np.uint16) if bd == 16 else b
    a = a.reshape(h, w, c)
    return a[:, :, 0] if c == 1 else a


def check(d):
    """'name ok' when PIL (JPEG, 8-bit PNG) and read_png (PNG) read what
    lunar wrote as expected"""
    for name in sorted(os.listdir(d)):
        im = Image.open(os.path.join(d, name))
        a = np.asarray(im)
        if im.mode in ("I;16", "I;16B", "I"):
            a = a.astype(np.uint16)
        e = expected(name)
        if name.endswith(".png"):
            r = read_png(os.path.join(d, name))
            if a.dtype == r.dtype == np.uint8 and not np.array_equal(a, r):
                print(name, "PIL and read_png differ")
                continue
            a = r
        if e is None:
            print(name, "unexpected file")
        elif a.shape != e.shape or (a.dtype != e.dtype and not name.endswith(".jpg")):
            print(name, "read as", a.shape, a.dtype, "expected", e.shape, e.dtype)
        elif name.endswith(".jpg"):
            err = np.abs(a.astype(np.int64) - e).mean()
            print(name, "ok" if err < 2 else "mean error %g" % err)
        else:
            print(name, "ok" if np.array_equal(a, e) else "different samples")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make_good(sys.argv[2])
        make_bad(sys.argv[2])
    else:
        check(sys.argv[2])
