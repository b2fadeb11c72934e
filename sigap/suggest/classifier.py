"""Which category a citizen's words describe: a multinomial naive Bayes over word and
character n-grams, pure Python, no models imported (docs/decisions/0014).

`train(documents)` turns (text, category code, weight) triples into a plain dict that
JSON stores as it is (the worker keeps it in the database); `rank(model, text)` answers the
categories best first with their probabilities. Short texts in three registers (Indonesian,
English, Kupang Malay), misspelt and abbreviated: character n-grams inside each word match
"tersumbat" to "sumbat" and "lampuu" to "lampu"; word pairs tell "lampu merah" (a traffic
light) from "lampu jalan" (a street light).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from typing import Iterable

FORMAT = 1
# Texts longer than this are cut before the features are counted: a description is at most
# 4,000 characters, the first part says what the problem is, and the cost stays bounded.
MAX_CHARS = 600
CHAR_NGRAMS = (3, 4, 5)
# A feature seen in fewer of the city's reports than this is dropped: a name, a telephone
# number or a house number said once cannot be read back out of the stored model.
MIN_REPORTS = 2
MAX_FEATURES = 60_000
ALPHA = 0.1  # additive smoothing of the per-category feature counts

# Spellings of everyday chat Indonesian, written the long way before counting (the language,
# not a city: each city's own words are phrases in its pack).
SHORT_FORMS = {
    "jl": "jalan", "jln": "jalan", "tdk": "tidak", "tak": "tidak", "gak": "tidak",
    "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak", "yg": "yang",
    "dgn": "dengan", "dg": "dengan", "sdh": "sudah", "udh": "sudah", "udah": "sudah",
    "blm": "belum", "krn": "karena", "utk": "untuk", "bgt": "sekali", "dr": "dari",
    "dpn": "depan", "dkt": "dekat", "tp": "tapi", "jg": "juga", "org": "orang",
    "hrs": "harus", "sy": "saya", "kmrn": "kemarin", "skrg": "sekarang", "bnyk": "banyak",
    "lg": "lagi", "sm": "sama", "pjr": "pojok", "rmh": "rumah",
}
_WORD = re.compile(r"[a-z0-9]+")
_REDUPLICATED = re.compile(r"\b([a-z]+)2\b")


def normalise(text: str) -> list[str]:
    """Return the words of `text`: lower case, accents and punctuation gone, "lampu2" as
    "lampu lampu", common chat short forms written out."""
    text = unicodedata.normalize("NFKD", (text or "")[:MAX_CHARS].lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _REDUPLICATED.sub(r"\1 \1", text)
    return [SHORT_FORMS.get(w, w) for w in _WORD.findall(text)]


def features(text: str) -> set[str]:
    """Return the text's features: its words, its word pairs and the character n-grams of
    each word with its edges marked (present or not: a word said twice counts once)."""
    words = normalise(text)
    out = {"w:" + w for w in words}
    out.update(f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False))
    for w in words:
        padded = f" {w} "
        for n in CHAR_NGRAMS:
            out.update("c:" + padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def train(documents: Iterable[tuple[str, str, float]], *, trusted: Iterable[str] = ()) -> dict:
    """Return a model learnt from (text, category code, weight) triples.

    A feature must occur in MIN_REPORTS documents unless one of them is `trusted` (a pack's
    example phrase, which names no one), and at most MAX_FEATURES features, the most frequent,
    are kept. Each category's prior is its share of the weight, so a city's frequent problems
    win a tie.
    """
    trusted_texts = set(trusted)
    by_category: dict[str, Counter] = defaultdict(Counter)
    prior: Counter = Counter()
    seen_in: Counter = Counter()
    vouched: set[str] = set()
    for text, code, weight in documents:
        feats = features(text)
        if not feats or weight <= 0:
            continue
        prior[code] += weight
        by_category[code].update(dict.fromkeys(feats, weight))
        seen_in.update(feats)
        if text in trusted_texts:
            vouched.update(feats)
    kept = [f for f, n in seen_in.items() if n >= MIN_REPORTS or f in vouched]
    kept.sort(key=lambda f: (-seen_in[f], f))
    vocabulary = set(kept[:MAX_FEATURES])
    total_prior = sum(prior.values())
    categories = {}
    for code, counts in sorted(by_category.items()):
        mass = sum(n for f, n in counts.items() if f in vocabulary)
        denominator = mass + ALPHA * len(vocabulary)
        categories[code] = {
            "prior": math.log(prior[code] / total_prior),
            "unseen": math.log(ALPHA / denominator),
            "weights": {f: round(math.log((n + ALPHA) / denominator), 4)
                        for f, n in counts.items() if f in vocabulary},
        }
    return {"format": FORMAT, "vocabulary": len(vocabulary), "categories": categories}


def rank(model: dict, text: str, *, among: Iterable[str] | None = None,
         limit: int = 3) -> list[tuple[str, float]]:
    """Return up to `limit` (category code, probability) pairs for `text`, best first, over
    the categories `among` (default: all the model knows). Empty when no word of the text is
    known to the model: a guess from the priors alone would only repeat the commonest."""
    categories = model["categories"]
    codes = [c for c in (among if among is not None else categories) if c in categories]
    if not codes:
        return []
    feats = features(text)
    known = [f for f in feats if any(f in categories[c]["weights"] for c in codes)]
    if not known:
        return []
    scores = {}
    for code in codes:
        cat = categories[code]
        weights, unseen = cat["weights"], cat["unseen"]
        scores[code] = cat["prior"] + sum(weights.get(f, unseen) for f in known)
    top = max(scores.values())
    exp = {code: math.exp(s - top) for code, s in scores.items()}
    total = sum(exp.values())
    ranked = sorted(exp.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(code, round(value / total, 3)) for code, value in ranked]


# Each pack phrase weighs as much as a description seen this many times in the history: the
# phrases speak for a city before it has any, and a long history still outweighs them.
PHRASE_WEIGHT = 4.0


def documents(history: dict[tuple[str, str], int], phrases: Iterable[tuple[str, str]]):
    """Yield (text, category code, weight) triples for `train`: each distinct description of
    the history once, weighing 1 + ln(times seen) (a template the city's form offers, typed
    a thousand times, does not drown everything else), then each phrase at PHRASE_WEIGHT."""
    for (text, code), times in history.items():
        yield text, code, 1.0 + math.log(times)
    for text, code in phrases:
        yield text, code, PHRASE_WEIGHT


def accuracy(model: dict, cases: Iterable[tuple[str, str]], *, among=None) -> dict:
    """Return top-1 and top-3 accuracy of `model` over (text, expected code) cases, and the
    cases it missed at top 1 with what it answered."""
    n = top1 = top3 = 0
    missed = []
    for text, expected in cases:
        codes = [code for code, _p in rank(model, text, among=among, limit=3)]
        n += 1
        top1 += bool(codes) and codes[0] == expected
        top3 += expected in codes
        if not codes or codes[0] != expected:
            missed.append((text, expected, codes))
    return {"cases": n, "top1": top1 / n if n else 0.0, "top3": top3 / n if n else 0.0,
            "missed": missed}
