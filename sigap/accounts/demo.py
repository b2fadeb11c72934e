"""Demo accounts with predictable names, for trying Sigap out."""

from __future__ import annotations

import secrets

from django.db import transaction

from sigap.accounts.models import Role, User
from sigap.accounts.roles import ensure_groups, sync_user_groups
from sigap.agencies.models import Agency, Team


def demo_usernames(agencies) -> list[str]:
    names = ["admin", "executive"]
    for agency in agencies:
        code = agency.code.lower()
        names += [f"dispatcher-{code}", f"head-{code}", f"officer-{code}-1", f"officer-{code}-2"]
    return names


def new_password() -> str:
    return secrets.token_urlsafe(9)


@transaction.atomic
def ensure_demo_accounts(city, password: str) -> list[str]:
    """Create the demo accounts that are missing; return the names created."""
    ensure_groups()
    created = []

    def make(username, role, agency=None, **extra):
        if User.objects.filter(username=username).exists():
            return User.objects.get(username=username)
        user = User(username=username, role=role, agency=agency, **extra)
        user.set_password(password)
        user.save()
        sync_user_groups(user)
        created.append(username)
        return user

    make("admin", Role.ADMIN, is_staff=True, is_superuser=True, display_name="Admin Kota",
         email="admin@sigap.local")
    make("executive", Role.EXECUTIVE, is_staff=True, display_name="Pimpinan Kota")
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
