"""Category suggestion: accuracy on the held-out phrasings and the endpoint's latency.

Run: .venv/bin/python bench/suggest.py [--pack kupang] [--requests 500]

Accuracy: trains the suggester (sigap/suggest/classifier.py) on the demo history's
descriptions, in the shares of the pack's demand.json, and the pack's phrases
(data/<pack>/phrases.toml), never on the held-out lines (data/<pack>/suggest-heldout.tsv,
written by the developers), and reports top-1 and top-3 accuracy, per language too.

Latency: in a throwaway SQLite database, loads the pack, trains and stores the model, then
times GET /api/v1/categories/suggest/ through Django's test client (the whole stack but the
network: middleware, DRF, the serializer, the model's ranking) for `--requests` requests
with the held-out texts, after one warm-up request that loads the model. p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", default="kupang")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sigap-suggest-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from sigap.cities.citypack import load_pack
    from sigap.cities.models import City
    from sigap.suggest import evaluation, training

    result = evaluation.measure(args.pack)
    print(f"pack {args.pack}: {result['cases']} held-out lines, vocabulary "
          f"{result['vocabulary']} features, model {result['model_bytes'] / 1024:.0f} KB")
    print(f"top-1 {result['top1']:.3f}  top-3 {result['top3']:.3f}")
    for lang, r in result["by_language"].items():
        print(f"  {lang}: {r['cases']} lines, top-1 {r['top1']:.3f}, top-3 {r['top3']:.3f}")

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    load_pack(args.pack)
    city = City.objects.get(code=args.pack)
    started = time.perf_counter()
    stored = training.retrain(city, now=timezone.now())
    print(f"training (pack phrases, no history) {1000 * (time.perf_counter() - started):.0f} ms,"
          f" version {stored.version}")
    client = Client()
    texts = [text for _c, _l, text in evaluation.heldout(args.pack)]
    url = "/api/v1/categories/suggest/"
    first = time.perf_counter()
    assert client.get(url, {"text": texts[0], "city": args.pack}).status_code == 200
    print(f"first request (loads the model) {1000 * (time.perf_counter() - first):.1f} ms")
    times = []
    for i in range(args.requests):
        t0 = time.perf_counter()
        response = client.get(url, {"text": texts[i % len(texts)], "city": args.pack})
        times.append(1000 * (time.perf_counter() - t0))
        assert response.status_code == 200, response.content
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    print(f"{args.requests} requests: p50 {statistics.median(times):.2f} ms, "
          f"p95 {p95:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
