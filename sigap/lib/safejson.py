"""JSON from outside, read with a nesting limit.

Python's json module recurses once per level of nesting, so `"[" * 5000 + "]" * 5000`
raises RecursionError (a 500) instead of a parse error. Every JSON that arrives from
outside (the REST API's parser, multipart `answers`, the WhatsApp and SMS webhooks) is read
by `loads`, which measures the nesting first, in one pass of the regular-expression engine,
and refuses more than MAX_DEPTH levels as ordinary bad JSON (a ValueError).
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32  # Sigap's deepest document (a WhatsApp update) nests 7 levels

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class TooDeep(ValueError):
    pass


def depth(text: str) -> int:
    """Return how deeply arrays and objects nest in `text` (strings skipped)."""
    level = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            level += 1
            deepest = max(deepest, level)
        elif token in "]}":
            level -= 1
    return deepest


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH, **kwargs):
    """Return the parsed JSON; raise ValueError when it is malformed or nested too deeply."""
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if depth(data) > max_depth:
        raise TooDeep(f"JSON nested more than {max_depth} levels")
    return json.loads(data, **kwargs)
