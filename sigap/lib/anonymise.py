"""Faces and number plates in a photo: find them, and blur them in the public copy.

The detectors are OpenCV's Haar cascades shipped inside the opencv-python-headless wheel
(nothing is downloaded at run time; decision 0013): frontal and profile faces, and the plate
cascade run on the photo and on its negative, since Indonesian plates are white on black
while the cascade learnt dark characters on a light plate. Only the worker calls this:
cv2 is imported inside the functions, so a web process never loads it.

A region is a dict in the stored image's pixels: {"x", "y", "w", "h", "kind", "source"},
kind "face", "plate" or "other", source "auto" (found here) or "hand" (a dispatcher's).
"""

from __future__ import annotations

import functools
import io

import numpy as np

from PIL import Image, ImageFilter

KINDS = ("face", "plate", "other")
SOURCES = ("auto", "hand")
MAX_REGIONS = 60
MIN_SIDE = 4

# The photo is searched at most this large (stored photos are up to 2048 px): a face or a
# plate too small to find at this size is too small to recognise in the public copy.
DETECT_SIDE = 1280
# Faces are found by their eyes-nose-mouth square; the blur also covers hair, ears and chin.
FACE_PAD = 0.25
PLATE_PAD = 0.12


def _cv2():
    import cv2  # noqa: PLC0415 - the worker alone pays for OpenCV (see the module's docstring)

    return cv2


@functools.cache
def _cascade(name: str):
    cv2 = _cv2()
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():
        raise RuntimeError(f"OpenCV cascade {name} could not be loaded")
    return cascade


def _boxes(cascade, gray, *, scale_factor, neighbours, min_size):
    found = cascade.detectMultiScale(gray, scaleFactor=scale_factor, minNeighbors=neighbours,
                                     minSize=min_size)
    return [tuple(int(v) for v in box) for box in found]


def detect(jpeg: bytes) -> list[dict]:
    """Return the faces and plates found in a JPEG as regions (source "auto")."""
    cv2 = _cv2()
    colour = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if colour is None:
        raise ValueError("not a decodable image")
    height, width = colour.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(height, width))
    if scale < 1.0:
        colour = cv2.resize(colour, (round(width * scale), round(height * scale)),
                            interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(colour, cv2.COLOR_BGR2HSV)
    gray = cv2.equalizeHist(cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY))
    small_w = gray.shape[1]

    faces = _boxes(_cascade("haarcascade_frontalface_default.xml"), gray,
                   scale_factor=1.1, neighbours=4, min_size=(18, 18))
    profile = _cascade("haarcascade_profileface.xml")
    faces += _boxes(profile, gray, scale_factor=1.1, neighbours=4, min_size=(18, 18))
    faces += [(small_w - x - w, y, w, h) for x, y, w, h in
              _boxes(profile, cv2.flip(gray, 1), scale_factor=1.1, neighbours=4,
                     min_size=(18, 18))]
    plate = _cascade("haarcascade_russian_plate_number.xml")
    plates = []
    for picture in (gray, 255 - gray):
        plates += [box for box in _boxes(plate, picture, scale_factor=1.08, neighbours=4,
                                         min_size=(36, 10))
                   if _plate_coloured(hsv, box)]

    regions = [_region(box, scale, FACE_PAD, "face", width, height) for box in faces]
    regions += [_region(box, scale, PLATE_PAD, "plate", width, height) for box in plates]
    return merge(regions)[:MAX_REGIONS]


def _plate_coloured(hsv, box) -> bool:
    """Return whether the box is coloured as a plate may be: black, white or grey (private
    cars, white on black or black on white) or yellow (public transport). Shop signs in
    strong colours, the cascade's commonest mistake, are not."""
    x, y, w, h = box
    part = hsv[y + h // 4:y + h - h // 4, x + w // 4:x + w - w // 4]  # the plate, not the car
    saturation = float(np.median(part[:, :, 1]))
    hue = float(np.median(part[:, :, 0]))
    return saturation < 70 or 18 <= hue <= 35


def _region(box, scale, pad, kind, width, height) -> dict:
    x, y, w, h = (v / scale for v in box)
    return clamp({"x": x - w * pad, "y": y - h * pad, "w": w * (1 + 2 * pad),
                  "h": h * (1 + 2 * pad), "kind": kind, "source": "auto"}, width, height)


def clamp(region: dict, width: int, height: int) -> dict:
    """Return the region in whole pixels, inside a width × height image."""
    x0 = max(0, min(width, round(region["x"])))
    y0 = max(0, min(height, round(region["y"])))
    x1 = max(0, min(width, round(region["x"] + region["w"])))
    y1 = max(0, min(height, round(region["y"] + region["h"])))
    return {**region, "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}


def _overlap(a: dict, b: dict) -> float:
    """Return the share of the smaller box that the two boxes have in common."""
    ix = max(0, min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]))
    iy = max(0, min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]))
    smaller = min(a["w"] * a["h"], b["w"] * b["h"]) or 1
    return ix * iy / smaller


def merge(regions: list[dict]) -> list[dict]:
    """Return the regions with each group of boxes of one kind that mostly overlap made one
    (the cascades find a face from the front and in profile, a plate in both pictures),
    largest first."""
    merged: list[dict] = []
    for region in sorted(regions, key=lambda r: -r["w"] * r["h"]):
        for kept in merged:
            if kept["kind"] == region["kind"] and _overlap(kept, region) > 0.5:
                x0, y0 = min(kept["x"], region["x"]), min(kept["y"], region["y"])
                x1 = max(kept["x"] + kept["w"], region["x"] + region["w"])
                y1 = max(kept["y"] + kept["h"], region["y"] + region["h"])
                kept.update(x=x0, y=y0, w=x1 - x0, h=y1 - y0)
                break
        else:
            merged.append(dict(region))
    return [r for r in merged if r["w"] >= MIN_SIDE and r["h"] >= MIN_SIDE]


def blur(jpeg: bytes, regions: list[dict], *, quality: int = 82) -> tuple[bytes, int, int]:
    """Return the JPEG with every region made unrecognisable (pixelated to about eight
    blocks across, then smoothed), and its size. The same input gives the same bytes."""
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    image = image.convert("RGB")
    for region in regions:
        r = clamp(region, image.width, image.height)
        if r["w"] < 1 or r["h"] < 1:
            continue
        box = (r["x"], r["y"], r["x"] + r["w"], r["y"] + r["h"])
        part = image.crop(box)
        block = max(2, max(r["w"], r["h"]) // 8)
        tiny = part.resize((max(1, r["w"] // block), max(1, r["h"] // block)), Image.BILINEAR)
        part = tiny.resize(part.size, Image.NEAREST).filter(
            ImageFilter.GaussianBlur(max(1, block // 2)))
        image.paste(part, box)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue(), image.width, image.height
