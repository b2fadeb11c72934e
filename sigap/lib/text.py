"""Text that arrives from outside: control characters are refused at the edge.

PostgreSQL cannot store NUL in text or JSON and SQLite can, so without one rule at the edge
the same request would be a 500 on one database and stored on the other. Tab, line feed and
carriage return are ordinary text; every other C0 control character and DEL is refused.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(value: str) -> bool:
    """Return whether `value` holds a control character other than tab and line breaks."""
    return bool(CONTROL.search(value))


def strip_control(value: str) -> str:
    """Return `value` without control characters (for values kept only as a hint)."""
    return CONTROL.sub("", value)


def first_control(value) -> str | None:
    """Return the first key path holding a control character in nested data, or None.

    `value` may be a string, a list, a dict, or a Django QueryDict/MultiValueDict (all its
    values, keys included, are looked at).
    """
    if isinstance(value, str):
        return "" if has_control(value) else None
    if hasattr(value, "lists"):  # QueryDict / MultiValueDict
        for key, values in value.lists():
            if has_control(str(key)):
                return str(key)
            for item in values:
                if isinstance(item, str) and has_control(item):
                    return str(key)
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_control(key):
                return key
            found = first_control(item)
            if found is not None:
                return f"{key}.{found}" if found else str(key)
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = first_control(item)
            if found is not None:
                return f"{index}.{found}" if found else str(index)
    return None


MAX_ID = 2**63 - 1  # the largest primary key either database stores
_DIGITS = re.compile(r"[0-9]{1,30}")


def as_id(value, *, refuse_too_large: bool = False) -> int | None:
    """Return the primary key a query-string value names, or None when it names none.

    Only ASCII digits ("²".isdigit() is true, and int() refuses it) and only what a 64-bit
    key can hold (a larger number overflows SQLite and PostgreSQL alike); with
    `refuse_too_large`, a larger number raises ValueError instead, for a page that says so.
    """
    value = (value or "").strip() if isinstance(value, str) else ""
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    if number > MAX_ID:
        if refuse_too_large:
            raise ValueError("number too large for an id")
        return None
    return number


LOCKOUT_USERNAME_MAX = 150  # Django's username length; django-axes keeps 255


def lockout_username(request, credentials) -> str | None:
    """Return the username django-axes counts failures under (AXES_USERNAME_CALLABLE).

    What was typed, without control characters and cut to a username's length: a typed
    6,000-character or NUL-holding name is a failed sign-in, never a database error.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username") if hasattr(request, "POST") else None
    if value is None:
        return None
    return strip_control(str(value))[:LOCKOUT_USERNAME_MAX]
