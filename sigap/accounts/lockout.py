"""Failed passwords: who is locked, who is slowed down, and how a locked person gets back in.

django-axes counts the failures (settings.AXES_*). Issue 24 (defect 6) found the old rule a
denial of service: ten wrong passwords locked a named account (usernames are guessable) and
everyone behind the same address (a carrier's NAT) for half an hour. So:

- a lockout is for the **account and address together** (AXES_LOCKOUT_PARAMETERS): the same
  person from another address, and everyone else behind that address, still sign in;
- an **address** that fails more than SIGAP_LOCKOUT_ADDRESS_FREE times within the cool-off is
  only **slowed down** (`address_wait`): each further try waits 1, 2, 4 … up to
  SIGAP_LOCKOUT_ADDRESS_MAX_WAIT seconds after its last failure, and no account is locked by it;
- the sign-in page says how many tries are left (`tries_left`);
- a locked person unlocks at once with a code sent to their own phone number or e-mail
  (`request_unlock`, `unlock`), the one-time-code machinery of accounts.services.
"""

from __future__ import annotations

import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts import services
from sigap.accounts.models import User
from sigap.lib.clientip import client_ip


def address_wait(ip: str | None, now: datetime) -> int:
    """Return how many seconds the address must still wait before its next try (0: none)."""
    free = settings.SIGAP_LOCKOUT_ADDRESS_FREE
    if not ip:
        return 0
    since = now - settings.AXES_COOLOFF_TIME
    seen = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time"))
    over = (seen["failures"] or 0) - free
    if over <= 0:
        return 0
    delay = min(2 ** (over - 1), settings.SIGAP_LOCKOUT_ADDRESS_MAX_WAIT)
    return max(0, math.ceil(delay - (now - seen["last"]).total_seconds()))


class Handler(AxesDatabaseHandler):
    """django-axes' database handler, plus the per-address slow-down."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        wait = address_wait(client_ip(request) or None, now)
        if wait:
            request.sigap_wait = wait  # slowed down, not locked: the answer says so
            return True
        return False


def tries_left(request) -> int | None:
    """Return the tries left for this account from this address after a failed password
    (django-axes has just counted it), or None when it was not counted."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return None
    return max(0, get_failure_limit(request, getattr(request, "axes_credentials", None))
               - failures)


def locked_out(request, original_response=None, credentials=None):
    """Answer a refused sign-in with 429: slowed down (this address, wait seconds) or locked
    (this account from this address, and how to unlock it with a code)."""
    wait = getattr(request, "sigap_wait", None)
    username = (credentials or {}).get("username") or ""
    if wait:
        seconds = wait
        message = _("Terlalu banyak percobaan masuk yang gagal dari alamat ini. Tunggu "
                    "%(seconds)d detik, lalu coba lagi.") % {"seconds": seconds}
    else:
        cool_off = get_cool_off(request)
        seconds = int(cool_off.total_seconds()) if cool_off else 0
        message = _("Terlalu banyak kata sandi salah untuk akun ini dari alamat ini. Akun ini "
                    "dikunci untuk alamat ini selama %(minutes)d menit; dari alamat lain tetap "
                    "bisa masuk. Buka sekarang dengan kode yang dikirim ke nomor HP atau e-mail "
                    "akun ini.") % {"minutes": max(1, seconds // 60)}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "accounts/locked.html", {
            "message": message, "locked": not wait, "username": username}, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def _account(ident: str) -> User | None:
    ident = (ident or "").strip()
    try:
        found = services.find_user(services.parse_destination(ident))
    except ValidationError:
        found = None
    return found or User.objects.filter(username=ident, is_active=True).first()


def request_unlock(ident: str, *, now: datetime, ip: str | None = None) -> str | None:
    """Send an unlock code to the phone number (else the e-mail) of the account named by
    `ident` (username, phone or e-mail); return that destination, or None when the account
    has neither (or does not exist: the page says the same either way). Raise
    TooManyRequests or DeliveryError."""
    user = _account(ident)
    if user is None or not (user.phone or user.email):
        return None
    return services.request_code(user.phone or user.email, now=now, ip=ip,
                                 purpose="unlock").value


def unlock(destination: str, code: str, *, now: datetime) -> User:
    """Clear the failed passwords of the account whose phone number or e-mail `destination`
    is, once `code` (sent there) is right; return the account. Raise ValidationError."""
    dest = services.parse_destination(destination)

    def clear():
        user = services.find_user(dest)
        if user is not None:
            reset(username=user.get_username())
        return user

    user = services.use_code(dest, code, now=now, then=clear)
    if user is None:
        raise ValidationError({"code": _("Kode salah atau sudah kedaluwarsa. Minta kode baru.")})
    return user


def masked(destination: str) -> str:
    """Return the destination with most of it hidden (shown on the page that asks the code)."""
    if "@" in destination:
        name, _at, domain = destination.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{destination[:5]}****{destination[-3:]}"
