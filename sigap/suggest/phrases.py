"""A city pack's example phrases (data/<city>/phrases.toml) and held-out sets, read from
files; no models imported (the pack loader and the bench both read them)."""

from __future__ import annotations

import tomllib
from pathlib import Path

# Indonesian, English, Kupang Malay, Papuan Malay (ISO 639-1 or 639-3 codes).
LANGUAGES = ("id", "en", "mkn", "pmy")


def read_phrases(path: Path) -> list[tuple[str, str, str]]:
    """Return (category code, language, text) triples from a phrases.toml (none if absent)."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for code, by_language in data.items():
        for language, texts in by_language.items():
            if language not in LANGUAGES:
                raise ValueError(f"{path}: [{code}] has an unknown language {language!r}")
            out.extend((code, language, text.strip()) for text in texts if text.strip())
    return out


def read_heldout(path: Path) -> list[tuple[str, str, str]]:
    """Return (expected category code, language, text) triples of a held-out TSV file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, language, text = line.split("\t", 2)
        out.append((code, language, text.strip()))
    return out
