"""Citizen accounts: one-time sign-in codes, and deleting an account (reports stay, anonymised).

Codes are six digits, stored as an HMAC (never in clear), valid for CODE_TTL, with at most
MAX_ATTEMPTS guesses each and a limit on how many are sent per destination and per IP.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sigap.accounts.models import OneTimeCode, Role, User
from sigap.accounts import tasks
from sigap.accounts.signals import account_deleting, contact_verified
from sigap.lib import phones
# A queue failure is told as the channels' DeliveryError (no models; see tests/test_layers.py
# for why this arrow points up).
from sigap.notifications import channels

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
SEND_WINDOW = timedelta(minutes=15)
MAX_SENDS_PER_DESTINATION = 3
MAX_SENDS_PER_IP = 10


class TooManyRequests(ValidationError):
    """Too many codes requested; try again later."""


@dataclass(frozen=True)
class Destination:
    value: str  # normalised: lower-case e-mail, or +62… phone
    kind: str  # "email" or "phone"


def parse_destination(raw: str) -> Destination:
    """Return the normalised phone number or e-mail address, or raise ValidationError."""
    raw = (raw or "").strip()
    if "@" in raw:
        email = raw.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"destination": _("Alamat e-mail tidak valid.")}) from None
        return Destination(email, "email")
    wrong = ValidationError({"destination": _(
        "Tulis nomor HP Indonesia (contoh 0812 3456 7890) atau alamat e-mail.")})
    try:
        number = phones.parse(raw)
    except ValueError:
        raise wrong from None
    if not phones.is_indonesian_mobile(number):  # codes go by SMS or WhatsApp
        raise wrong
    return Destination(phones.e164(raw), "phone")


def _hash(destination: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{destination}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _lock_destination(destination: str) -> None:
    """Hold, until this transaction ends, a lock that every code request for `destination`
    takes (PostgreSQL; SQLite's write transaction already excludes every other writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                           ["sigap.signin:" + destination])


def request_code(raw_destination: str, *, now: datetime, ip: str | None = None,
                 channel: str | None = None, purpose: str = "signin") -> Destination:
    """Create a code for the destination and queue its message; raise ValidationError,
    TooManyRequests or (the queue is down) DeliveryError.

    `purpose` only chooses the words of the message: "signin", "contact" (a signed-in person
    adds this phone number or e-mail to their account) or "unlock" (a locked sign-in)."""
    dest = parse_destination(raw_destination)
    since = now - SEND_WINDOW
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        # Count and insert under one lock, or concurrent requests all count the same rows and
        # each goes over the limit: SQLite's write transaction (BEGIN IMMEDIATE) is that lock;
        # on PostgreSQL a transaction-scoped lock on the destination.
        _lock_destination(dest.value)
        if OneTimeCode.objects.filter(destination=dest.value, created_at__gte=since).count() \
                >= MAX_SENDS_PER_DESTINATION or (ip and OneTimeCode.objects.filter(
                    requested_ip=ip, created_at__gte=since).count() >= MAX_SENDS_PER_IP):
            raise TooManyRequests({"destination": _(
                "Terlalu banyak permintaan kode. Coba lagi dalam 15 menit.")})
        # A new code replaces the earlier unused ones.
        OneTimeCode.objects.filter(destination=dest.value, used_at=None).update(used_at=now)
        OneTimeCode.objects.create(destination=dest.value, code_hash=_hash(dest.value, code),
                                   created_at=now, expires_at=now + CODE_TTL, requested_ip=ip)
    if purpose == "contact":
        text = _("Kode Sigap untuk menambahkan nomor/e-mail ini ke sebuah akun: %(code)s. "
                 "Berlaku 10 menit. Jika Anda tidak memintanya, abaikan pesan ini dan jangan "
                 "berikan kode ini kepada siapa pun.") % {"code": code}
        subject = _("Kode konfirmasi Sigap")
    elif purpose == "unlock":
        text = _("Kode Sigap untuk membuka kunci masuk akun Anda: %(code)s. Berlaku 10 menit. "
                 "Jika Anda tidak memintanya, abaikan pesan ini dan jangan berikan kode ini "
                 "kepada siapa pun.") % {"code": code}
        subject = _("Kode buka kunci Sigap")
    else:
        text = _("Kode masuk Sigap Anda: %(code)s. Berlaku 10 menit. Jangan berikan kode ini "
                 "kepada siapa pun.") % {"code": code}
        subject = _("Kode masuk Sigap")
    if dest.kind == "email":
        message = ("email", dest.value, subject, text)
    else:
        message = (channel if channel in ("sms", "whatsapp") else "sms", dest.value, "", text)
    try:
        tasks.send_code(*message)  # by the worker (accounts.tasks)
    except channels.DeliveryError:
        raise  # the queue runs the task at once (immediate mode) and the channel failed
    except Exception as exc:  # noqa: BLE001 - the queue is down: the user may try again
        raise channels.DeliveryError(str(exc)) from exc
    return dest


def use_code(dest: Destination, code: str, *, now: datetime, then):
    """Check `code` against the newest live code for `dest`; when it is right, mark it used
    and return then() in the same transaction; raise ValidationError when it is wrong."""
    code = re.sub(r"\D", "", code or "")
    wrong = ValidationError({"code": _("Kode salah atau sudah kedaluwarsa. Minta kode baru.")})
    left = None
    result = None
    with transaction.atomic():
        otp = (OneTimeCode.objects.select_for_update()
               .filter(destination=dest.value, used_at=None, expires_at__gt=now)
               .order_by("-created_at").first())
        if otp is None or otp.attempts >= MAX_ATTEMPTS:
            raise wrong
        if not hmac.compare_digest(otp.code_hash, _hash(dest.value, code)):
            # Counted in this transaction, which must commit: raise only after it.
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
            left = MAX_ATTEMPTS - otp.attempts - 1
        else:
            OneTimeCode.objects.filter(pk=otp.pk).update(used_at=now)
            result = then()
    if left is not None:
        if left <= 0:
            raise wrong
        raise ValidationError({"code": _("Kode salah. Sisa %(n)d kali percobaan.") % {"n": left}})
    return result


def verify_code(raw_destination: str, code: str, *, now: datetime) -> User:
    """Return the user for a correct code (created on first sign-in); raise ValidationError.

    Signing in with a code proves the phone number or e-mail: the account that holds it, or
    a new one, is the only account that the reports sent earlier with it join."""
    dest = parse_destination(raw_destination)
    user = use_code(dest, code, now=now, then=lambda: find_user(dest) or _new_citizen(dest))
    contact_verified.send(sender=User, user=user, destination=dest, now=now)
    return user


def _taken(user: User, dest: Destination) -> ValidationError | None:
    holder = find_user(dest)
    if holder is not None and holder.pk != user.pk:
        if dest.kind == "email":
            return ValidationError({"email": _("E-mail ini sudah dipakai akun lain.")})
        return ValidationError({"phone": _("Nomor HP ini sudah dipakai akun lain.")})
    return None


def request_contact_code(user: User, raw_destination: str, *, now: datetime,
                         ip: str | None = None) -> Destination:
    """Send a code to a phone number or e-mail that `user` wants on their account; it joins
    the account only when add_contact() gets that code back (an address typed into a profile
    proves nothing: issue 24, defect 1). Raise ValidationError, TooManyRequests or
    DeliveryError."""
    dest = parse_destination(raw_destination)
    taken = _taken(user, dest)
    if taken is not None:
        raise taken
    return request_code(dest.value, now=now, ip=ip, purpose="contact")


def add_contact(user: User, raw_destination: str, code: str, *, now: datetime) -> Destination:
    """Put the phone number or e-mail on `user`'s account once `code`, sent to it, is right;
    the reports sent earlier with it join this account. Raise ValidationError."""
    dest = parse_destination(raw_destination)

    def attach():
        taken = _taken(user, dest)  # again, under the code's lock: someone may have proved it
        if taken is not None:
            raise taken
        field = "email" if dest.kind == "email" else "phone"
        setattr(user, field, dest.value)
        user.save(update_fields=[field])

    use_code(dest, code, now=now, then=attach)
    contact_verified.send(sender=User, user=user, destination=dest, now=now)
    return dest


def _new_citizen(dest: Destination) -> User:
    user = User(username=f"w{secrets.token_hex(6)}", role=Role.CITIZEN,
                notify_channel=User.Channel.EMAIL if dest.kind == "email" else User.Channel.SMS)
    if dest.kind == "email":
        user.email = dest.value
    else:
        user.phone = dest.value
    user.set_unusable_password()
    user.save()
    return user


def find_user(dest: Destination) -> User | None:
    if dest.kind == "email":
        return User.objects.filter(email__iexact=dest.value, is_active=True).order_by("pk").first()
    return User.objects.filter(phone=dest.value, is_active=True).order_by("pk").first()


def delete_account(user: User, *, now: datetime) -> None:
    """Delete a citizen's account; their reports stay, without reporter or contact details
    (the apps above forget what they keep of the user: signals.account_deleting)."""
    with transaction.atomic():
        account_deleting.send(sender=User, user=user, now=now)
        OneTimeCode.objects.filter(
            destination__in=[d for d in (user.email.lower(), user.phone) if d]).delete()
        user.delete()
