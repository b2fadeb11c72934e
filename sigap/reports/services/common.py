"""What the report services share: limits, photo cleaning, the actor's role, the lock,
and recording a change (data version, outbox, after-commit work).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy

from sigap.accounts.models import Role as AccountRole
from sigap.lib import images
from sigap.reports import outbox, tasks, visibility, workflow
from sigap.reports.models import Outbox, Photo, Report
from sigap.reports.workflow import Role

log = logging.getLogger(__name__)


MAX_DESCRIPTION = 4000
MAX_PHOTOS = 3
MAX_PROOF_PHOTOS = 5

BAD_IMAGE_MESSAGES = {
    "too_large": gettext_lazy(
        "Foto terlalu besar (maksimal 10 MB)."),
    "too_many_pixels": gettext_lazy(
        "Resolusi foto terlalu besar (maksimal 40 megapiksel)."),
    "not_image": gettext_lazy("Berkas ini bukan foto (JPEG, PNG atau WebP)."),
    "corrupt": gettext_lazy("Foto rusak dan tidak bisa dibaca."),
    "empty": gettext_lazy("Berkas foto kosong."),
}


def clean_photos(raw_photos: list[bytes], *, field_name: str = "photos",
                 limit: int = MAX_PHOTOS) -> list[images.CleanImage]:
    """Return the photos re-encoded without metadata, or raise ValidationError."""
    if len(raw_photos) > limit:
        raise ValidationError(
            {field_name: _("Paling banyak %(n)d foto.") % {"n": limit}})
    cleaned = []
    for index, raw in enumerate(raw_photos, start=1):
        try:
            cleaned.append(images.clean_photo(
                raw, max_bytes=settings.SIGAP_MAX_PHOTO_BYTES,
                max_pixels=settings.SIGAP_MAX_PHOTO_PIXELS))
        except images.BadImage as exc:
            message = str(BAD_IMAGE_MESSAGES[exc.code])
            raise ValidationError({field_name: _("Foto %(i)d: %(msg)s") % {
                "i": index, "msg": message}}) from None
    return cleaned


# An officer's team ids (one query), for `role_of` over many reports.
team_ids_of = visibility.team_ids_of

# The part agency staff play for a report they may act on (sigap.reports.visibility).
STAFF_PARTS = {AccountRole.HEAD: Role.HEAD, AccountRole.DISPATCHER: Role.DISPATCHER,
               AccountRole.OFFICER: Role.OFFICER}


def role_of(actor, report: Report, *, team_ids: set[int] | None = None) -> Role:
    """Return the part `actor` plays for `report` in the state machine. `team_ids` (an
    officer's teams, from `team_ids_of`) spares a query per report in a list."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Role.NONE
    if actor.is_city_admin:
        return Role.ADMIN
    if visibility.can_act(actor, report, team_ids=team_ids):  # agency staff, by their role
        return STAFF_PARTS[actor.role]
    if report.reporter_id is not None and report.reporter_id == actor.pk:
        return Role.REPORTER
    return Role.CITIZEN


def actions_for(actor, report: Report, *, role: Role | None = None, among=None,
                team_ids: set[int] | None = None) -> frozenset[str]:
    """Return what `actor` (or an actor in `role`) may do to `report` now: the state
    machine's answer (workflow.actions_for), which the services check again."""
    acting = role or role_of(actor, report, team_ids=team_ids)
    return workflow.actions_for(acting, report, among)


def _photo_file(report: Report | None, img: images.CleanImage, *, kind: str, event, uploaded_by,
                now: datetime) -> Photo:
    """Store the image file and return its Photo, not saved yet."""
    photo = Photo(report=report, event=event, kind=kind, width=img.width, height=img.height,
                  uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                  created_at=now)
    photo.image.save("photo.jpg", ContentFile(img.data), save=False)
    return photo


def _save_photos(report: Report, cleaned: list[images.CleanImage], *, kind: str, event,
                 uploaded_by, now: datetime) -> list[Photo]:
    photos = []
    for img in cleaned:
        photo = _photo_file(report, img, kind=kind, event=event, uploaded_by=uploaded_by,
                            now=now)
        photo.save()
        photos.append(photo)
    return photos


def _record_change(event_ids: list[int], photo_ids: list[int] = ()) -> None:
    """Inside the transaction: put the events in the outbox; after the commit, queue the
    thumbnails and a drain of the outbox.

    The outbox row commits with its event, so its notifications cannot be lost after the
    commit (reports.outbox). (The data version is bumped by the writes themselves:
    sigap.lib.publicdata.)
    """
    Outbox.objects.bulk_create([Outbox(event_id=pk) for pk in event_ids])
    _after_commit(photo_ids)

def _after_commit(photo_ids: list[int] = ()) -> None:
    """Once committed: thumbnails and public copies for new photos, and a drain of the
    outbox. A queue that is down loses none (tasks.make_missing_thumbnails,
    tasks.anonymise_missing, the periodic drain): the report is stored, so the request must
    not fail now."""
    def run():
        for photo_id in photo_ids:
            try:
                tasks.make_thumbnail(photo_id)
                tasks.anonymise_photo(photo_id)
            except Exception:  # noqa: BLE001 - the photo is stored: the periodic sweep makes it
                log.warning("could not queue a thumbnail or a public copy; the periodic "
                            "sweeps will make them", exc_info=True)
                break  # the queue is down: the others would fail alike
        outbox.kick()

    transaction.on_commit(run)


def _lock(report_id: int) -> Report:
    """Lock the report's row (only it: on PostgreSQL a FOR UPDATE over the join would lock
    its agency, category and city rows too, which every new report of the agency needs a
    key-share lock on, and two desks' transactions deadlocked on them)."""
    return Report.objects.select_for_update(of=("self",)).select_related(
        "category", "agency", "city").get(pk=report_id)
