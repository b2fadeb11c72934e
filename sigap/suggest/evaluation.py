"""The suggester's accuracy on a pack's held-out phrasings (bench/suggest.py and the
accuracy test): trained on the demo history's descriptions and the pack's phrases, never
on the held-out lines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from django.conf import settings

from sigap.demo.history import DESCRIPTIONS
from sigap.suggest import classifier
from sigap.suggest.phrases import read_heldout, read_phrases

DATA = Path(settings.BASE_DIR) / "data"


def demo_history(pack: str, reports: int = 30_000) -> Counter:
    """Return the (description, category) counts of a demo year of `reports` reports: the
    demo writes each category's descriptions (sigap/demo/history.py) in the shares of the
    pack's demand.json."""
    demand = json.loads((DATA / pack / "demand.json").read_text(encoding="utf-8"))
    default = demand.get("default_share", 0.01)
    shares = {code: spec.get("share", default) for code, spec in demand["categories"].items()}
    out = Counter()
    for code, texts in DESCRIPTIONS.items():
        for text in texts:
            out[(text, code)] = max(1, round(reports * shares.get(code, default) / len(texts)))
    return out


def pack_phrases(pack: str) -> list[tuple[str, str]]:
    return [(text, code) for code, _lang, text in read_phrases(DATA / pack / "phrases.toml")]


def heldout(pack: str) -> list[tuple[str, str, str]]:
    return read_heldout(DATA / pack / "suggest-heldout.tsv")


def train_for(pack: str) -> dict:
    phrases = pack_phrases(pack)
    return classifier.train(classifier.documents(demo_history(pack), phrases),
                            trusted=[t for t, _c in phrases])


def measure(pack: str = "kupang") -> dict:
    """Return top-1/top-3 accuracy over the pack's held-out lines, overall and per language."""
    model = train_for(pack)
    cases = heldout(pack)
    out = classifier.accuracy(model, [(text, code) for code, _l, text in cases])
    out["by_language"] = {
        lang: {k: v for k, v in classifier.accuracy(
            model, [(t, c) for c, lg, t in cases if lg == lang]).items() if k != "missed"}
        for lang in sorted({lg for _c, lg, _t in cases})}
    out["vocabulary"] = model["vocabulary"]
    out["model_bytes"] = len(json.dumps(model))
    return out
