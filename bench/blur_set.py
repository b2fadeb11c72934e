"""Compose the labelled photo set of the anonymisation bench (data/blur-set/, decision 0013).

    .venv/bin/python -m bench.blur_set        # rewrites data/blur-set/scenes/ and labels.json

Street-like scenes drawn with Pillow (sky, shop fronts with signs, road, cars with
Indonesian-style plates: white characters on black, "DH 1234 AB"), with the two faces of the
set's public-domain / CC0 sources (data/blur-set/sources/, README.md) pasted at several
sizes. Every box is labelled by construction: the script knows where it drew or pasted it.
The same seed gives the same files. The four source photos join the set with boxes labelled
by hand (SOURCE_LABELS).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

SET = Path(__file__).resolve().parent.parent / "data" / "blur-set"
SIZE = (1600, 1200)  # a phone photo after the app's resize; the product stores up to 2048
SCENES = 40
SEED = 28

# Boxes drawn by hand around each face (forehead to chin, ear to ear) in the sources.
SOURCE_LABELS = {
    "sources/astronaut.jpg": [{"kind": "face", "x": 178, "y": 62, "w": 96, "h": 120}],
    "sources/camera.jpg": [{"kind": "face", "x": 165, "y": 80, "w": 90, "h": 120}],
    "sources/coffee.jpg": [],
    "sources/rocket.jpg": [],
}
# The faces pasted into the scenes: (source, box of the face with some hair and neck).
FACES = [("sources/astronaut.jpg", (160, 40, 300, 200)),
         ("sources/camera.jpg", (140, 55, 270, 215))]
SIGNS = ["TOKO SINAR JAYA", "WARUNG MAKAN SEDERHANA", "APOTEK KASIH", "BENGKEL MOTOR",
         "KIOS PULSA", "RUMAH MAKAN PADANG", "LAUNDRY KILAT", "FOTOKOPI"]
PLATE_LETTERS = "ABDEFGHKLMNPRSTWZ"


def font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def plate_text(rng: random.Random) -> str:
    return (f"DH {rng.randint(1, 9999)} "
            f"{rng.choice(PLATE_LETTERS)}{rng.choice(PLATE_LETTERS)}")


def draw_car(image, draw, rng, x, y, w, labels) -> None:
    h = int(w * 0.55)
    colour = tuple(rng.randint(30, 230) for _ in range(3))
    draw.rounded_rectangle((x, y + h * 0.35, x + w, y + h), radius=w // 14, fill=colour)
    draw.rounded_rectangle((x + w * 0.15, y, x + w * 0.85, y + h * 0.45), radius=w // 12,
                           fill=colour)
    draw.rectangle((x + w * 0.2, y + h * 0.06, x + w * 0.8, y + h * 0.36), fill=(60, 80, 100))
    for wx in (x + w * 0.08, x + w * 0.72):
        draw.ellipse((wx, y + h * 0.8, wx + w * 0.2, y + h * 1.05), fill=(20, 20, 20))
    for lx in (x + w * 0.05, x + w * 0.83):
        draw.rectangle((lx, y + h * 0.45, lx + w * 0.12, y + h * 0.55), fill=(250, 240, 200))
    # The plate: white characters on black with a white rim, centred low on the body.
    pw = int(w * rng.uniform(0.30, 0.38))
    ph = int(pw * 0.27)
    px, py = int(x + (w - pw) / 2), int(y + h * 0.62)
    draw.rectangle((px, py, px + pw, py + ph), fill=(12, 12, 12), outline=(235, 235, 235),
                   width=max(1, ph // 12))
    text = plate_text(rng)
    size = max(6, int(ph * 0.62))
    f = font(size)
    tw = draw.textlength(text, font=f)
    while tw > pw * 0.9 and size > 6:
        size -= 1
        f = font(size)
        tw = draw.textlength(text, font=f)
    draw.text((px + (pw - tw) / 2, py + (ph - size) / 2 - size * 0.1), text, font=f,
              fill=(240, 240, 240))
    labels.append({"kind": "plate", "x": px, "y": py, "w": pw + 1, "h": ph + 1})


def paste_face(image, rng, sources, x, y, side, labels) -> None:
    source, box = rng.choice(FACES)
    face = sources[source].crop(box)
    flipped = rng.random() < 0.5
    if flipped:
        face = face.transpose(Image.FLIP_LEFT_RIGHT)
    face = ImageEnhance.Brightness(face).enhance(rng.uniform(0.7, 1.2))
    scale = side / face.width
    face = face.resize((side, int(face.height * scale)), Image.LANCZOS)
    mask = Image.new("L", face.size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, face.width, face.height), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, side // 30)))
    image.paste(face, (x, y), mask)
    # The label is the face inside the pasted crop (the crop has hair and neck around it).
    fx0, fy0, fx1, fy1 = box
    label = SOURCE_LABELS[source][0]
    sx, sy, sw, sh = label["x"], label["y"], label["w"], label["h"]
    lx = (fx1 - sx - sw) if flipped else (sx - fx0)
    labels.append({"kind": "face", "x": int(x + lx * scale), "y": int(y + (sy - fy0) * scale),
                   "w": int(sw * scale), "h": int(sh * scale)})


def scene(rng: random.Random, sources) -> tuple[Image.Image, list[dict]]:
    w, h = SIZE
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    sky = tuple(rng.randint(150, 215) for _ in range(2)) + (rng.randint(200, 250),)
    draw.rectangle((0, 0, w, h * 0.45), fill=sky)
    x = 0
    labels: list[dict] = []
    while x < w:  # shop fronts, each with a sign: text that is neither a face nor a plate
        bw = rng.randint(220, 420)
        top = int(h * rng.uniform(0.12, 0.3))
        colour = tuple(rng.randint(120, 240) for _ in range(3))
        draw.rectangle((x, top, x + bw, h * 0.62), fill=colour)
        draw.rectangle((x + 20, h * 0.45, x + bw - 20, h * 0.62), fill=(70, 60, 50))
        sign = rng.choice(SIGNS)
        f = font(rng.randint(22, 40))
        draw.rectangle((x + 10, top + 15, x + bw - 10, top + 75),
                       fill=rng.choice([(200, 30, 30), (20, 20, 20), (240, 240, 240)]))
        draw.text((x + 20, top + 25), sign, font=f,
                  fill=rng.choice([(255, 255, 255), (250, 220, 0)]))
        x += bw
    draw.rectangle((0, h * 0.62, w, h), fill=(95, 95, 100))
    for lane in range(0, w, 160):
        draw.rectangle((lane, h * 0.8, lane + 80, h * 0.81), fill=(230, 230, 230))
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    draw = ImageDraw.Draw(image)
    people = rng.randint(0, 3)
    for _ in range(people):
        side = rng.choice([60, 90, 130, 180, 240])
        paste_face(image, rng, sources, rng.randint(0, w - side),
                   rng.randint(int(h * 0.15), int(h * 0.5)), side, labels)
    cars = rng.randint(0, 3)
    for i in range(cars):
        cw = rng.choice([260, 340, 420, 520])
        cx = int(i * w / max(cars, 1) + rng.randint(0, 60))
        if cx + cw > w:
            cx = w - cw
        draw_car(image, draw, rng, cx, int(h * rng.uniform(0.6, 0.72)), cw, labels)
    return image, labels


def main() -> None:
    rng = random.Random(SEED)
    sources = {name: Image.open(SET / name).convert("RGB") for name in SOURCE_LABELS}
    out = SET / "scenes"
    out.mkdir(exist_ok=True)
    labels = dict(SOURCE_LABELS)
    for n in range(SCENES):
        image, boxes = scene(rng, sources)
        name = f"scenes/scene-{n:02d}.jpg"
        image.save(SET / name, "JPEG", quality=85)
        labels[name] = boxes
    (SET / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    faces = sum(b["kind"] == "face" for boxes in labels.values() for b in boxes)
    plates = sum(b["kind"] == "plate" for boxes in labels.values() for b in boxes)
    print(f"{len(labels)} photos, {faces} faces, {plates} plates")


if __name__ == "__main__":
    main()
