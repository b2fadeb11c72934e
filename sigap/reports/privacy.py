"""What of a report each viewer may see: the one privacy rule every surface applies.

Three kinds of report need care (the tracking page, REST, Open311, the office, maps and
exports all ask here, so the rule lives once):

- **anonymous** — no identity is stored at all: no account, no name, phone or e-mail
  (`strip_identity`, called by every intake before the report is created);
- **confidential** (`Report.is_public=False`) — invisible to the public everywhere
  (`Report.objects.public()`, `can_view`);
- **sensitive category** (missing persons, homeless people, health, children...) — visible,
  but the public sees neither its words (description, answers), any of its photos (the
  reporter's or the officer's proof: both can show the person or the house), nor its street
  and exact point: only the kelurahan.

Reporter contacts are for the staff who handle the report (the state machine's field roles:
the agency's desk and officers, the city administrator) — never the public, and not the
executive reading a dashboard: the same rule in the office and in the API (`can_see_contacts`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from sigap.reports import visibility, workflow
from sigap.reports.models import Photo, Report
from sigap.reports.services import Contact, NewReport, role_of


def strip_identity(data: NewReport) -> NewReport:
    """Return the new report without any identity when it is anonymous."""
    if not data.is_anonymous:
        return data
    return dataclasses.replace(data, reporter=None, contact=Contact())


def is_staff_viewer(user, report: Report) -> bool:
    """Return whether `user` sees the report as staff (its agency, the city, the executive)."""
    return visibility.sees_in_office(user, report)


def is_own(user, report: Report) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and report.reporter_id is not None \
        and report.reporter_id == user.pk


def can_view(report: Report, *, user=None, is_reporter: bool = False) -> bool:
    """Return whether the report may be shown at all (confidential ones only to insiders):
    sigap.reports.visibility's answer, or the reporter's private link."""
    return is_reporter or visibility.can_see(user, report)


# The parts (reports.workflow.Role) that see who reported and how to reach them.
CONTACT_ROLES = workflow.FIELD


def can_see_contacts(user, report: Report) -> bool:
    """Return whether `user` may see who reported and how to reach them."""
    return role_of(user, report) in CONTACT_ROLES


@dataclass(frozen=True)
class View:
    """What one viewer may see of one report."""

    details: bool  # description, answers, report photos, street address, exact point
    originals: bool = False  # photos as taken; otherwise their blurred public copies


def view_for(report: Report, *, user=None, is_reporter: bool = False) -> View:
    """Return what `user` (or the holder of the private link) may see of `report`."""
    insider = is_reporter or is_own(user, report) or is_staff_viewer(user, report)
    return View(details=insider or not report.category.is_sensitive,
                originals=is_staff_viewer(user, report))


def public_view(report: Report) -> View:
    """Return what anyone may see (Open311 reads, public maps and lists)."""
    return View(details=not report.category.is_sensitive)


def description(report: Report, view: View) -> str:
    return report.description if view.details else ""


def answers(report: Report, view: View) -> dict:
    return report.answers if view.details else {}


def address(report: Report, view: View) -> str:
    return report.address if view.details else ""


def location(report: Report, view: View) -> tuple[float, float]:
    """Return the point to show: exact unless the viewer may not see a sensitive report's."""
    if view.details:
        return report.lat, report.lng
    return report.public_location()


def photos(report: Report, view: View, items, *, staff: bool = False) -> list[Photo]:
    """Return the photos this viewer may see: all of them, or none of a sensitive report's
    (its proof photos too); the public never sees one held or hidden by moderation (staff
    do). `items`: photos loaded with their `moderation` (select_related), or a queryset."""
    if not view.details:
        return []
    return list(items) if staff else [p for p in items if shown(p)]


def shown(item) -> bool:
    """Return whether the public sees this comment event or photo (moderation: neither held
    nor hidden). Load `moderation` with select_related: this reads the loaded row."""
    try:
        row = item.moderation
    except ObjectDoesNotExist:
        return True
    return row.is_shown


@dataclass(frozen=True)
class PhotoLink:
    """One photo as a viewer gets it: the original (the office's sight) or the public copy
    with faces and plates blurred (decision 0013); no address at all while that copy is
    still being made, so no surface can fall back to the original."""

    photo: Photo
    url: str | None
    thumb_url: str | None

    @property
    def pending(self) -> bool:
        return self.url is None

    @property
    def kind(self) -> str:
        return self.photo.kind


def photo_link(photo: Photo, view: View) -> PhotoLink:
    if view.originals:
        return PhotoLink(photo, photo.image.url, photo.thumb_url)
    return PhotoLink(photo, photo.public_url, photo.public_thumb_url)


def photo_links(report: Report, view: View, items, *, staff: bool = False) -> list[PhotoLink]:
    """Return the photos this viewer may see (`photos`), each with the addresses it may
    open."""
    return [photo_link(p, view) for p in photos(report, view, items, staff=staff)]
