"""Demo accounts with predictable names, for trying Sigap out."""

from __future__ import annotations

import secrets

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from sigap.accounts.models import Role, User
from sigap.accounts.roles import ensure_groups, sync_user_groups
from sigap.agencies.models import Agency, Team
from sigap.cities.models import City


def demo_usernames(agencies) -> list[str]:
    names = ["admin", "executive"]
    for agency in agencies:
        code = agency.code.lower()
        names += [f"dispatcher-{code}", f"head-{code}", f"officer-{code}-1", f"officer-{code}-2"]
    return names


def new_password() -> str:
    return secrets.token_urlsafe(9)


def new_authenticator_key() -> str:
    """Return a new TOTP key (hex, as django-otp stores it) for the demo accounts."""
    return random_hex(20)


def authenticator(key: str) -> TOTPDevice:
    """Return an unsaved device with the demo key: its otpauth:// address and current code."""
    return TOTPDevice(name="Sigap demo", key=key, user=User(username="demo"))


def terminal_qr(key: str) -> str:
    """Return the demo key's QR code drawn in text, for `sigap setup` to print."""
    import io

    out = io.StringIO()
    segno.make(authenticator(key).config_url, error="m").terminal(out, compact=True)
    return out.getvalue()


@transaction.atomic
def ensure_demo_accounts(city, password: str, authenticator_key: str = "") -> list[str]:
    """Create the demo accounts that are missing; return the names created. With
    `authenticator_key`, each demo account that has no authenticator gets one with that key:
    staff must pass a second factor (accounts.twofactor), and one key scanned once lets a
    newcomer try every role."""
    ensure_groups()
    created = []

    def make(username, role, agency=None, **extra):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, agency=agency, **extra)
            user.set_password(password)
            user.save()
            sync_user_groups(user)
            created.append(username)
        if authenticator_key and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Sigap demo", key=authenticator_key,
                                      confirmed=True)
        return user

    # The install's administrator (every city); each city's own administrator and executive
    # (the other cities' names carry their code: `jayapura-admin`); one provincial account
    # per province of the loaded cities (`provinsi-53`: the first two digits of the
    # Kemendagri code), overseeing them.
    make("admin", Role.ADMIN, is_staff=True, is_superuser=True, display_name="Admin Sigap",
         email="admin@sigap.local")
    make("executive", Role.EXECUTIVE, city=city, is_staff=True,
         display_name=f"Pimpinan {city}")
    provinces = {}
    for other in City.objects.order_by("code"):
        if other.pk != city.pk:
            make(f"{other.code}-admin", Role.ADMIN, city=other, display_name=f"Admin {other}")
            make(f"{other.code}-executive", Role.EXECUTIVE, city=other, is_staff=True,
                 display_name=f"Pimpinan {other}")
        if other.official_code[:2].isdigit():
            provinces.setdefault(other.official_code[:2], []).append(other)
    for code, cities in sorted(provinces.items()):
        overseer = make(f"provinsi-{code}", Role.PROVINCE, display_name=f"Provinsi {code}")
        overseer.oversees.add(*cities)
    for agency in Agency.objects.filter(city=city).order_by("code"):
        code = agency.code.lower()
        make(f"dispatcher-{code}", Role.DISPATCHER, agency, display_name=f"Dispatcher {agency}")
        make(f"head-{code}", Role.HEAD, agency, display_name=f"Kepala {agency}")
        team, _ = Team.objects.get_or_create(
            agency=agency, code=f"{code}-qr", defaults={"name": f"Tim Reaksi Cepat {agency}"})
        for n in (1, 2):
            officer = make(f"officer-{code}-{n}", Role.OFFICER, agency,
                           display_name=f"Petugas {agency} {n}")
            team.members.add(officer)
    return created
