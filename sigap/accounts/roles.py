"""Roles as Django groups with permissions; a user's `role` field decides the group."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from sigap.accounts.models import Role

GROUP_NAMES = {
    Role.CITIZEN: "Warga",
    Role.OFFICER: "Petugas",
    Role.DISPATCHER: "Dispatcher dinas",
    Role.HEAD: "Kepala dinas",
    Role.ADMIN: "Administrator kota",
    Role.EXECUTIVE: "Pimpinan",
    Role.PROVINCE: "Pimpinan provinsi",
}

_VIEW_MODELS = ["report", "reportevent", "photo", "category", "agency", "team", "area", "city"]
PERMISSIONS = {
    Role.CITIZEN: [],
    Role.OFFICER: ["view_report", "view_photo", "view_category", "view_area"],
    Role.DISPATCHER: ["view_report", "view_reportevent", "view_photo", "view_category",
                      "view_agency", "view_team", "change_team", "view_area", "view_user"],
    Role.HEAD: ["view_report", "view_reportevent", "view_photo", "view_category", "view_agency",
                "view_team", "change_team", "add_team", "view_area", "view_user"],
    Role.EXECUTIVE: [f"view_{m}" for m in _VIEW_MODELS],
    Role.ADMIN: None,  # every permission of Sigap's own apps (their own city's rows)
    Role.PROVINCE: [],  # the provincial roll-up only (dashboard:province)
}
SIGAP_APPS = ["cities", "agencies", "accounts", "reports", "notifications", "open311",
              "backoffice"]


@transaction.atomic
def ensure_groups() -> dict[str, Group]:
    """Create or update the role groups and their permissions (idempotent)."""
    groups = {}
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = PERMISSIONS[role]
        if codenames is None:
            perms = Permission.objects.filter(content_type__app_label__in=SIGAP_APPS)
        else:
            perms = Permission.objects.filter(
                codename__in=codenames, content_type__app_label__in=SIGAP_APPS)
        group.permissions.set(perms)
        groups[role] = group
    return groups


def sync_user_groups(user) -> None:
    """Put the user in exactly the group of their role; staff flag for admin access."""
    groups = ensure_groups()
    user.groups.remove(*[g for r, g in groups.items() if r != user.role])
    user.groups.add(groups[Role(user.role)])


def home_for(user) -> str:
    """Return the page a person lands on after signing in when no page was asked for: an
    officer their tasks, the desk and the city administrator the inbox, the executive the
    dashboard, a citizen the citizen home — never a staff member on the citizen home."""
    from django.urls import reverse

    role = getattr(user, "role", Role.CITIZEN)
    if role == Role.PROVINCE:
        return reverse("dashboard:province")
    if role == Role.EXECUTIVE:
        return reverse("dashboard:home")
    if role == Role.OFFICER and not getattr(user, "is_city_admin", False):
        return reverse("backoffice:tasks")
    if role in (Role.DISPATCHER, Role.HEAD, Role.ADMIN) or getattr(user, "is_superuser", False):
        return reverse("backoffice:inbox")
    return "/"
