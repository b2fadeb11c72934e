"""The demo city's staff: the officers and teams of the city's capacity scenario.

Every field agency gets the teams its plan in data/<city>/capacity.toml names (code
`<agency>-<team>`, covering the plan's kecamatan) and one officer account per simulated
officer, numbered as the engine numbers them (`officer-<agency>-<n>`, n from 1, team by
team), so the demo year written from the engine's trace (sigap.demo.history) names the
officer who did each job. The agency's auto-assignment and SLA calendar are set as the plan
says. Idempotent: what exists is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from sigap.accounts.models import Role, User
from sigap.accounts.roles import ensure_groups
from sigap.agencies.models import Agency, Team
from sigap.cities.models import Area


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
def ensure_staff(city, scenario) -> dict:
    """Create the missing desk accounts, teams and officers of `scenario`; return
    {"teams": {(agency code, team code): id}, "officers": {(agency code, n): id}}."""
    kecamatan = {a.code: a for a in Area.objects.filter(city=city, level=Area.Level.KECAMATAN)}
    out = {"teams": {}, "officers": {}}
    _user("admin", Role.ADMIN, is_staff=True, is_superuser=True, display_name="Admin Kota")
    unusable = make_password(None)
    through = Team.members.through
    # Usernames are unique in the install and agency codes repeat from city to city (PUPR):
    # the other cities' staff carry their city's code (`jayapura-officer-pupr-1`).
    prefix = "" if city.code == settings.SIGAP_DEFAULT_CITY else f"{city.code}-"
    for agency in Agency.objects.filter(city=city).order_by("code"):
        code = agency.code.lower()
        _user(f"{prefix}dispatcher-{code}", Role.DISPATCHER, agency,
              display_name=f"Dispatcher {agency}")
        _user(f"{prefix}head-{code}", Role.HEAD, agency, display_name=f"Kepala {agency}")
        plan = scenario.agencies.get(agency.code)
        if plan is None:
            continue
        changed = [name for name in ("auto_assign", "working_hours_only")
                   if getattr(plan, name) is not None
                   and getattr(agency, name) != getattr(plan, name)]
        for name in changed:
            setattr(agency, name, getattr(plan, name))
        if changed:
            agency.save(update_fields=changed)
        wanted = [(f"{prefix}officer-{code}-{n}", team_plan) for n, team_plan in enumerate(
            (t for t in plan.teams for _ in range(t.officers)), start=1)]
        have = set(User.objects.filter(agency=agency, role=Role.OFFICER)
                   .values_list("username", flat=True))
        new = User.objects.bulk_create([
            User(username=name, role=Role.OFFICER, agency=agency, city_id=agency.city_id,
                 display_name=f"Petugas {agency} {name.rsplit('-', 1)[1]}", password=unusable)
            for name, _team in wanted if name not in have])
        add_to_group(list(User.objects.filter(username__in=[u.username for u in new])),
                     Role.OFFICER)
        officers = dict(User.objects.filter(agency=agency, role=Role.OFFICER)
                        .values_list("username", "pk"))
        links = set(through.objects.filter(team__agency=agency)
                    .values_list("team_id", "user_id"))
        rows = []
        for team_plan in plan.teams:
            team, created = Team.objects.get_or_create(
                agency=agency, code=f"{code}-{team_plan.code}",
                defaults={"name": f"TRC {agency} {team_plan.code.replace('-', ' ').title()}"})
            if created:
                team.kecamatan.add(*[kecamatan[k] for k in team_plan.kecamatan
                                     if k in kecamatan])
            out["teams"][(agency.code, team_plan.code)] = team.pk
        for n, (name, team_plan) in enumerate(wanted, start=1):
            team_id = out["teams"][(agency.code, team_plan.code)]
            out["officers"][(agency.code, n)] = officers[name]
            if (team_id, officers[name]) not in links:
                rows.append(through(team_id=team_id, user_id=officers[name]))
        through.objects.bulk_create(rows)
    return out
