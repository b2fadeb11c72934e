"""Forgiving matching of what people type to categories and places (pure functions).

People type "sampa", "LAMPU MERAH mati", "kel. oebobo", "dkt pasar oeba": lower-case, strip
punctuation and the usual prefixes, then compare words with difflib's ratio so that a letter
missing or swapped still matches, and prefer the longest, closest name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

PREFIXES = {"kel", "kelurahan", "desa", "kec", "kecamatan", "di", "dekat", "dkt", "depan",
            "jl", "jalan", "sekitar", "samping", "belakang", "gang", "gg", "rt", "rw", "kota"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def words(text: str) -> list[str]:
    return [w for w in normalise(text).split() if w not in PREFIXES]


def _word_score(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)):
        return 0.9
    return difflib.SequenceMatcher(None, a, b).ratio()


def score(typed: str, name: str) -> float:
    """Return how well `typed` names `name` (0..1): every word of the name must appear."""
    typed_words = words(typed)
    name_words = words(name) or normalise(name).split()
    if not typed_words or not name_words:
        return 0.0
    total = 0.0
    for nw in name_words:
        total += max(_word_score(tw, nw) for tw in typed_words)
    return total / len(name_words)


def best(typed: str, options: list[tuple[str, list[str]]], *, threshold: float = 0.8):
    """Return the key of the option whose names match `typed` best, or None.

    `options` are (key, names) pairs: a category's names and keywords, an area's name.
    """
    found, found_score = None, threshold
    for key, names in options:
        for name in names:
            if not name:
                continue
            s = score(typed, name) + 0.001 * len(words(name))  # longer names win ties
            if s > found_score:
                found, found_score = key, s
    return found
