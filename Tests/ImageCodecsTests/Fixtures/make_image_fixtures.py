#!/usr/bin/env python3
"""Make the image fixtures for ImageCodecsTests, with OpenCV as the reference.

Deterministic: fixed seeds, no timestamps. Run from anywhere:

    python3 make_image_fixtures.py

Writes next to this script:
  * encoded inputs (*.jpg, *.png, *.bin),
  * `<name>.bgr`: raw HWC BGR uint8 bytes of `cv2.imdecode(buf, cv2.IMREAD_COLOR)`,
  * `resize_*.png`: `cv2.resize(src, (w, h))` (INTER_LINEAR) results, stored as
    lossless PNG to keep the fixtures small (the PNG decoder is checked bit-exact
    against raw `.bgr` references separately),
  * `manifest.json`: every case with its expected shape, or `null` where OpenCV
    refuses the input ("opencv" says how: returns None, or raises cv2.error).
"""
import ctypes
import ctypes.util
import json
import os
import struct
import zlib

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width, height, color_type, depth, scanlines, extra=(), ihdr_interlace=0):
    """A minimal PNG writer: `scanlines` is the unfiltered image data (filter
    byte 0 already included), `extra` the (type, data) chunks before IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, ihdr_interlace)
    body = b"".join(png_chunk(k, d) for k, d in extra)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + body
            + png_chunk(b"IDAT", zlib.compress(scanlines, 9)) + png_chunk(b"IEND", b""))


def rows_of(pixels):
    """Filter-type-0 scanlines of a uint8/uint16 HWC or HW array (big endian)."""
    arr = pixels.astype(">u2") if pixels.dtype == np.uint16 else pixels
    return b"".join(b"\x00" + row.tobytes() for row in arr)


def adam7_scanlines(pixels):
    """Scanlines for an Adam7-interlaced 8-bit image: the seven reduced images in order."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
              (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    data = b""
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.shape[0] and sub.shape[1]:
            data += rows_of(sub)
    return data


def exif_tiff(orientation):
    """A little-endian TIFF header with one IFD holding just the Orientation tag."""
    return (b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
            + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0))


def with_exif_app1(jpeg, orientation):
    app1 = b"Exif\x00\x00" + exif_tiff(orientation)
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


def cmyk_jpeg(cmyk, quality=92):
    """OpenCV cannot write CMYK JPEGs; libturbojpeg (via ctypes) can. Returns None without it."""
    path = ctypes.util.find_library("turbojpeg")
    if path is None:
        return None
    tj = ctypes.CDLL(path)
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = ctypes.c_void_p(tj.tjInitCompress())
    buf, size = ctypes.POINTER(ctypes.c_ubyte)(), ctypes.c_ulong(0)
    h, w, _ = cmyk.shape
    TJPF_CMYK, TJSAMP_444 = 11, 0
    rc = tj.tjCompress2(handle, cmyk.tobytes(), w, 0, h, TJPF_CMYK,
                        ctypes.byref(buf), ctypes.byref(size), TJSAMP_444, quality, 0)
    data = ctypes.string_at(buf, size.value) if rc == 0 else None
    tj.tjFree(buf)
    tj.tjDestroy(handle)
    return data


def encode(ext, img, params=()):
    ok, buf = cv2.imencode(ext, img, list(params))
    assert ok
    return buf.tobytes()


def main():
    rs = np.random.RandomState(20240521)
    y, x = np.mgrid[0:23, 0:37]
    colour = np.stack([x * 6, y * 10, 255 - x * 3 - y * 4], -1) + rs.normal(0, 18, (23, 37, 3))
    colour = np.clip(colour, 0, 255).astype(np.uint8)              # 37x23 BGR
    y8, x8 = np.mgrid[0:8, 0:8]                                    # for 8x8 -> 224x224
    small = np.clip(np.stack([x8 * 30, y8 * 30, 200 - x8 * 10 - y8 * 10], -1)
                    + rs.normal(0, 8, (8, 8, 3)), 0, 255).astype(np.uint8)
    y2, x2 = np.mgrid[0:18, 0:24]                                  # 24x18 BGR, for the PNGs
    rgb24 = np.clip(np.stack([x2 * 10, y2 * 13, 128 + (x2 - y2) * 5], -1)
                    + rs.normal(0, 10, (18, 24, 3)), 0, 255).astype(np.uint8)
    alpha = rs.randint(0, 256, (18, 24, 1)).astype(np.uint8)
    grey = cv2.cvtColor(rgb24, cv2.COLOR_BGR2GRAY)

    jpeg = encode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, 90])
    scan_start = jpeg.index(b"\xff\xda")                 # SOS: entropy-coded data follows
    dqt = jpeg.index(b"\xff\xdb")
    flipped = bytearray(jpeg)
    flipped[scan_start + (len(jpeg) - scan_start) // 3] ^= 0xFF  # bad entropy data: libjpeg warns
    png_rgb = encode(".png", rgb24)
    cases = {
        "jpeg_color_420.jpg": jpeg,
        "jpeg_color_444.jpg": encode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, 90,
                                     cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444]),
        "jpeg_color_422.jpg": encode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, 80,
                                     cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_422]),
        "jpeg_grey.jpg": encode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, 90]),
        "jpeg_progressive.jpg": encode(".jpg", colour, [cv2.IMWRITE_JPEG_QUALITY, 85,
                                       cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
        "jpeg_exif_orientation6.jpg": with_exif_app1(jpeg, 6),
        "jpeg_corrupt_entropy.jpg": bytes(flipped),
        # junk before DQT (libjpeg warns first about that), then cut inside the scan
        "jpeg_corrupt_then_truncated.jpg": (jpeg[:dqt] + b"\x12\x34\x56" + jpeg[dqt:])[: scan_start + 200],
        "jpeg_truncated.jpg": jpeg[: scan_start + (len(jpeg) - scan_start) // 2],
        "jpeg_truncated_header.jpg": jpeg[:scan_start // 2],
        "jpeg_missing_eoi.jpg": jpeg[:-2],
        "png_rgb.png": png_rgb,
        "png_rgba.png": encode(".png", np.concatenate([rgb24, alpha], -1)),
        "png_grey.png": encode(".png", grey),
        "png_grey_alpha.png": png_bytes(24, 18, 4, 8, rows_of(np.concatenate([grey[..., None], alpha], -1))),
        "png_16bit.png": encode(".png", (rgb24.astype(np.uint16) * 256 + rs.randint(0, 256, rgb24.shape)).astype(np.uint16)),
        "png_rgba_16bit.png": encode(".png", rs.randint(0, 65536, (9, 11, 4)).astype(np.uint16)),
        "png_palette_4bit_trns.png": png_bytes(
            13, 7, 3, 4,
            b"".join(b"\x00" + bytes((row[i] << 4) | (row[i + 1] if i + 1 < 13 else 0) for i in range(0, 13, 2))
                     for row in rs.randint(0, 16, (7, 13)).tolist()),
            extra=[(b"PLTE", rs.randint(0, 256, 48).astype(np.uint8).tobytes()),
                   (b"tRNS", bytes([0, 128, 255, 7]))]),
        "png_grey_2bit.png": png_bytes(
            9, 5, 0, 2,
            b"".join(b"\x00" + bytes(sum(v << (6 - 2 * k) for k, v in enumerate((row + [0] * 3)[i:i + 4]))
                                     for i in range(0, 9, 4))
                     for row in rs.randint(0, 4, (5, 9)).tolist())),
        "png_interlaced.png": png_bytes(24, 18, 2, 8, adam7_scanlines(rgb24[..., ::-1]), ihdr_interlace=1),
        "png_gamma_ignored.png": png_bytes(24, 18, 2, 8, rows_of(rgb24[..., ::-1]),
                                           extra=[(b"gAMA", struct.pack(">I", 100000))]),
        "png_exif_orientation8.png": png_bytes(24, 18, 2, 8, rows_of(rgb24[..., ::-1]),
                                               extra=[(b"eXIf", exif_tiff(8))]),
        "png_truncated.png": png_rgb[: len(png_rgb) * 2 // 3],
        "png_huge_header.png": png_bytes(100000, 100000, 2, 8, b"\x00" * 16),
        "random.bin": rs.randint(0, 256, 300).astype(np.uint8).tobytes(),
    }
    cmyk = cmyk_jpeg(rs.randint(0, 256, (11, 17, 4)).astype(np.uint8))
    if cmyk is not None:
        cases["jpeg_cmyk.jpg"] = cmyk

    manifest = {"decode": [], "resize": []}
    for name, data in sorted(cases.items()):
        out(name, data)
        try:
            img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            entry = {"file": name, "expected": None, "opencv": "image" if img is not None else "None"}
        except cv2.error:  # e.g. the size limit (CV_IO_MAX_IMAGE_PIXELS) asserts
            img, entry = None, {"file": name, "expected": None, "opencv": "cv2.error"}
        if img is not None:
            ref = name.rsplit(".", 1)[0] + ".bgr"
            out(ref, img.tobytes())
            entry["expected"] = {"height": img.shape[0], "width": img.shape[1], "pixels": ref}
        manifest["decode"].append(entry)

    out("src_8x8.bgr", small.tobytes())
    sources = {"jpeg_color_420.bgr": cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR),
               "png_rgb.bgr": rgb24, "src_8x8.bgr": small}
    targets = [("jpeg_color_420.bgr", 224, 224), ("jpeg_color_420.bgr", 16, 9),
               ("jpeg_color_420.bgr", 37, 46), ("jpeg_color_420.bgr", 19, 12),
               ("jpeg_color_420.bgr", 100, 5), ("png_rgb.bgr", 12, 9),
               ("png_rgb.bgr", 13, 29), ("src_8x8.bgr", 224, 224)]
    for src_name, w, h in targets:
        src = sources[src_name]
        ref = "resize_%s_%dx%d.png" % (src_name.rsplit(".", 1)[0], w, h)
        out(ref, encode(".png", cv2.resize(src, (w, h)), [cv2.IMWRITE_PNG_COMPRESSION, 9]))
        manifest["resize"].append({"source": src_name, "sourceWidth": src.shape[1],
                                   "sourceHeight": src.shape[0], "width": w, "height": h,
                                   "reference": ref})
    out("manifest.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())


if __name__ == "__main__":
    main()
