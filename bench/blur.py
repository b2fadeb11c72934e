"""Measure the anonymiser on the labelled set (data/blur-set/, decision 0013).

    .venv/bin/python -m bench.blur [--out var/bench/blur.json]

For each photo of labels.json: sigap.lib.anonymise.detect, timed in CPU time (process_time;
the cascades are loaded before the first timing), then
- recall: the share of labelled faces / plates whose box the found regions cover >= 50 %;
- false blur: the share of the blurred area outside every label, and the found regions
  that cover no label at all (their count per photo);
- CPU ms per photo, p50 and p95, at the stored size (the set is 1600 × 1200, the sources
  512 px).
Prints one JSON document and writes it to --out.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from sigap.lib import anonymise

SET = Path(__file__).resolve().parent.parent / "data" / "blur-set"


def mask_of(boxes, shape) -> np.ndarray:
    mask = np.zeros(shape, bool)
    for b in boxes:
        mask[b["y"]:b["y"] + b["h"], b["x"]:b["x"] + b["w"]] = True
    return mask


def percentile(values, share) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run() -> dict:
    labels = json.loads((SET / "labels.json").read_text())
    anonymise.detect((SET / "sources/astronaut.jpg").read_bytes())  # load the cascades
    found = {"face": 0, "plate": 0}
    total = {"face": 0, "plate": 0}
    blurred_px = outside_px = stray = regions_n = 0
    cpu_ms = []
    for name, boxes in labels.items():
        data = (SET / name).read_bytes()
        started = time.process_time()
        regions = anonymise.detect(data)
        cpu_ms.append((time.process_time() - started) * 1000)
        from PIL import Image

        width, height = Image.open(SET / name).size
        blurred = mask_of(regions, (height, width))
        labelled = mask_of(boxes, (height, width))
        for box in boxes:
            area = blurred[box["y"]:box["y"] + box["h"], box["x"]:box["x"] + box["w"]]
            total[box["kind"]] += 1
            found[box["kind"]] += bool(area.size and area.mean() >= 0.5)
        blurred_px += int(blurred.sum())
        outside_px += int((blurred & ~labelled).sum())
        regions_n += len(regions)
        stray += sum(not mask_of([r], (height, width))[labelled].any() for r in regions)
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "photos": len(labels),
        "faces": total["face"], "plates": total["plate"],
        "recall_faces": round(found["face"] / max(1, total["face"]), 3),
        "recall_plates": round(found["plate"] / max(1, total["plate"]), 3),
        "regions": regions_n,
        "regions_on_no_label": stray,
        "blurred_area_outside_labels": round(outside_px / max(1, blurred_px), 3),
        "cpu_ms_p50": round(statistics.median(cpu_ms), 1),
        "cpu_ms_p95": round(percentile(cpu_ms, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="var/bench/blur.json")
    args = parser.parse_args()
    figures = run()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
