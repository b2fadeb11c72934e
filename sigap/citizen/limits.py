"""How many reports the web form takes, designed for Indonesian mobile networks.

Many subscribers share one public address behind carrier-grade NAT, so the address only
carries a generous ceiling; the real limit is per device (the browser's session, given when
the form is shown). A retry of a report already stored (same idempotency key) is a replay
and costs nothing; a refused attempt costs nothing either (only stored reports are counted),
so the offline outbox can keep retrying a refused report until its window opens. One spam
heuristic: the same long text sent from many devices within an hour.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from sigap.lib import ratelimit
from sigap.lib.clientip import client_ip

SESSION_DEVICE = "sigap_device"
SAME_TEXT_MIN_LENGTH = 30


def device_id(request, *, create: bool = True) -> str:
    """Return this browser's device id, kept in its session (made when the form is shown)."""
    device = request.session.get(SESSION_DEVICE, "")
    if not device and create:
        device = secrets.token_hex(12)
        request.session[SESSION_DEVICE] = device
    return device


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int


def _rates(name: str) -> list[ratelimit.Rate]:
    return [ratelimit.parse(r) for r in getattr(settings, name)]


def _text_key(description: str) -> str | None:
    words = re.sub(r"\W+", " ", description.lower()).strip()
    if len(words) < SAME_TEXT_MIN_LENGTH:
        return None
    return hashlib.sha256(words.encode()).hexdigest()[:32]


def _idents(request, device: str, description: str):
    # A post from a browser that was never shown the form (a script without cookies) has no
    # device: all such posts from one address share one device's limit.
    device = device or f"none:{client_ip(request)}"
    yield "web-device", device, _rates("SIGAP_WEB_REPORTS_PER_DEVICE")
    yield "web-address", client_ip(request), _rates("SIGAP_WEB_REPORTS_PER_ADDRESS")
    text = _text_key(description)
    if text:
        yield "web-text", text, _rates("SIGAP_WEB_SAME_TEXT")


def refusal(request, device: str, description: str, *, now: float) -> Refusal | None:
    """Return why this new report from `device` (or none) is refused now, or None."""
    for name, ident, rates in _idents(request, device, description):
        wait = ratelimit.retry_after(name, ident, rates, now)
        if wait is None:
            continue
        if name == "web-text":
            message = _("Laporan dengan teks yang sama sudah diterima berkali-kali dari "
                        "perangkat lain. Jika ini masalah yang sama, dukung laporan yang ada.")
        else:
            message = _("Terlalu banyak laporan dari perangkat atau jaringan ini. Laporan Anda "
                        "disimpan dan dikirim otomatis dalam %(minutes)d menit.") % {
                "minutes": max(1, (wait + 59) // 60)}
        return Refusal(message, wait)
    return None


def count(request, device: str, description: str, *, now: float) -> None:
    """Count one stored report against this device, address and text."""
    for name, ident, rates in _idents(request, device, description):
        ratelimit.count(name, ident, rates, now)


def _flag_rates() -> list[ratelimit.Rate]:
    return _rates("SIGAP_FLAGS_PER_ADDRESS")


def flag_refusal(request, *, now: float) -> Refusal | None:
    """Return why a visitor's flag (no account) is refused now, or None."""
    wait = ratelimit.retry_after("flag-address", client_ip(request), _flag_rates(), now)
    if wait is None:
        return None
    return Refusal(_("Terlalu banyak laporan konten dari jaringan ini. Coba lagi dalam "
                     "%(minutes)d menit.") % {"minutes": max(1, (wait + 59) // 60)}, wait)


def count_flag(request, *, now: float) -> None:
    """Count one visitor's flag against their address."""
    ratelimit.count("flag-address", client_ip(request), _flag_rates(), now)
