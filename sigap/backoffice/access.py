"""Who may see and act on what in the back office. Every view goes through these helpers.

Seeing is decided by `sigap.reports.visibility` (the office's sight: agency staff see their
agency's reports; the city administrator and the executive all). Acting is decided by the
state machine (`services.actions_for`, from `reports.workflow`): the pages show the buttons
it lists, and the services check it again on every call.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from sigap.accounts.models import STAFF_ROLES
from sigap.reports import privacy, services, visibility, workflow
from sigap.reports.models import Report


def is_staff_user(user) -> bool:
    return user.is_authenticated and user.is_active and (
        user.role in STAFF_ROLES or user.is_superuser)


def staff_required(view):
    """Let only signed-in staff in (citizens get 403, visitors the sign-in page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("backoffice:signin"))
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def report_for_staff(request, ticket) -> Report:
    """Return the report if this staff member may see it; 404 if unknown, 403 if not theirs."""
    report = get_object_or_404(
        Report.objects.select_related("category", "agency", "city", "kecamatan", "kelurahan",
                                      "team", "officer", "reporter", "duplicate_of"),
        ticket=ticket)
    if not is_staff_user(request.user) or not visibility.sees_in_office(request.user, report):
        raise PermissionDenied
    return report


def role_for(request, report) -> workflow.Role:
    return services.role_of(request.user, report)


def can_see_contacts(role) -> bool:
    """Reporter contacts are for the staff who handle the report (reports.privacy)."""
    return role in privacy.CONTACT_ROLES


def my_tasks(user):
    """Return the officer's open field work: assigned to them, or to their team unassigned."""
    team_ids = list(user.teams.values_list("pk", flat=True)) if user.is_agency_staff else []
    return (
        Report.objects.filter(status__in=[*workflow.IN_FIELD, workflow.Status.REOPENED])
        .filter(Q(officer_id=user.pk) | Q(team_id__in=team_ids, officer__isnull=True))
        .filter(agency_id=user.agency_id)
    )
