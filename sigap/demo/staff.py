"""The demo city's staff: enough Quick Response officers and teams for a living city.

Every field agency gets one team per kecamatan (covering it) besides its city-wide team, and
the officers the city pack's demand.json names for it (Kupang: about 200 in 7 agencies),
shared over those teams. The demo accounts officer-<agency>-1/-2 join two kecamatan teams,
so whoever signs in with them finds tasks. Idempotent: what exists is kept.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sigap.accounts.models import Role, User
from sigap.accounts.roles import ensure_groups
from sigap.agencies.models import Agency, Team
from sigap.cities.models import Area
from sigap.demo.demand import shapes_for


def demo_settings(city) -> dict:
    """Return the pack's demo section: {"agencies": {code: {officers, auto_assign, ...}}}."""
    return shapes_for(city.code).get("demo", {})


def add_to_group(users, role: str) -> None:
    group = ensure_groups()[Role(role)]
    through = User.groups.through
    existing = set(through.objects.filter(group=group, user__in=users)
                   .values_list("user_id", flat=True))
    through.objects.bulk_create([through(user_id=u.pk, group_id=group.pk)
                                 for u in users if u.pk not in existing])


def _user(username: str, role: str, agency=None, **extra) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, agency=agency, **extra)
        user.set_unusable_password()
        user.save()
        add_to_group([user], role)
    return user


@transaction.atomic
def ensure_staff(city) -> dict:
    """Create the missing desk accounts, kecamatan teams and officers; return counts made."""
    config = demo_settings(city).get("agencies", {})
    kecamatan = list(Area.objects.filter(city=city, level=Area.Level.KECAMATAN).order_by("code"))
    made = {"teams": 0, "officers": 0}
    _user("admin", Role.ADMIN, is_staff=True, is_superuser=True, display_name="Admin Kota")
    for agency in Agency.objects.filter(city=city).order_by("code"):
        code = agency.code.lower()
        _user(f"dispatcher-{code}", Role.DISPATCHER, agency,
              display_name=f"Dispatcher {agency}")
        _user(f"head-{code}", Role.HEAD, agency, display_name=f"Kepala {agency}")
        if not agency.is_field_agency:
            continue
        conf = config.get(agency.code, {})
        changed = [name for name in ("auto_assign", "working_hours_only")
                   if name in conf and getattr(agency, name) != conf[name]]
        for name in changed:
            setattr(agency, name, conf[name])
        if changed:
            agency.save(update_fields=changed)
        Team.objects.get_or_create(agency=agency, code=f"{code}-qr",
                                   defaults={"name": f"Tim Reaksi Cepat {agency}"})
        teams = []
        for area in kecamatan:
            team, created = Team.objects.get_or_create(
                agency=agency, code=f"{code}-{area.code.split('.')[-1]}",
                defaults={"name": f"TRC {agency} {area.name}"})
            if created:
                team.kecamatan.add(area)
                made["teams"] += 1
            teams.append(team)
        wanted = int(conf.get("officers", 2))
        have = set(User.objects.filter(agency=agency, role=Role.OFFICER)
                   .values_list("username", flat=True))
        unusable = make_password(None)
        new = [User(username=f"officer-{code}-{n}", role=Role.OFFICER, agency=agency,
                    display_name=f"Petugas {agency} {n}", password=unusable)
               for n in range(1, wanted + 1) if f"officer-{code}-{n}" not in have]
        User.objects.bulk_create(new)
        new = list(User.objects.filter(username__in=[u.username for u in new]))
        add_to_group(new, Role.OFFICER)
        made["officers"] += len(new)
        officers = {u.username: u for u in User.objects.filter(agency=agency, role=Role.OFFICER)}
        through = Team.members.through
        links = set(through.objects.filter(team__in=teams).values_list("team_id", "user_id"))
        rows = []
        for n in range(1, wanted + 1):
            user = officers.get(f"officer-{code}-{n}")
            if user is None or not teams:
                continue
            # Officers 1 and 2 (the demo accounts) join two teams each, the others one.
            homes = [teams[(n - 1) % len(teams)]]
            if n <= 2 and len(teams) > 2:
                homes.append(teams[(n + 2) % len(teams)])
            rows += [through(team_id=t.pk, user_id=user.pk) for t in homes
                     if (t.pk, user.pk) not in links]
        through.objects.bulk_create(rows)
    return made
