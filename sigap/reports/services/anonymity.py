"""A dispatcher's changes to the regions blurred in a photo's public copy (decision 0013)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sigap.lib import anonymise
from sigap.reports import tasks, workflow
from sigap.reports.models import Photo, ReportEvent
from sigap.reports.services.common import _record_change, role_of

log = logging.getLogger(__name__)


def clean_regions(regions: list[dict], *, width: int, height: int) -> list[dict]:
    """Return the regions as stored (whole pixels inside the image, known kind and source),
    or raise ValidationError keyed "regions"."""
    if len(regions) > anonymise.MAX_REGIONS:
        raise ValidationError({"regions": _("Terlalu banyak area samaran (maksimal %(n)d).")
                               % {"n": anonymise.MAX_REGIONS}})
    cleaned = []
    for region in regions:
        try:
            box = {k: float(region[k]) for k in ("x", "y", "w", "h")}
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"regions": _("Area samaran tidak terbaca.")}) from None
        kind = region.get("kind") if region.get("kind") in anonymise.KINDS else "other"
        source = region.get("source") if region.get("source") in anonymise.SOURCES else "hand"
        box = anonymise.clamp({**box, "kind": kind, "source": source}, width, height)
        if box["w"] < anonymise.MIN_SIDE or box["h"] < anonymise.MIN_SIDE:
            raise ValidationError({"regions": _("Area samaran terlalu kecil atau di luar foto.")})
        cleaned.append(box)
    return cleaned


def set_blur_regions(photo_id: int, regions: list[dict], *, actor, now: datetime) -> Photo:
    """Replace the regions blurred in the photo's public copy. The public sees no copy of
    the photo until the worker has rendered the new regions (never the old copy, which may
    show what the new region hides); recorded in the report's internal history."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().select_related(
            "report__category").get(pk=photo_id)
        report = photo.report
        role = role_of(actor, report)
        if role not in workflow.DESK:
            raise PermissionDenied
        cleaned = clean_regions(regions, width=photo.width, height=photo.height)
        before = photo.blur_regions
        kept = [r for r in cleaned if r in before]
        photo.blur_regions = cleaned
        photo.blur_revision += 1
        photo.blurred_at = None
        photo.save(update_fields=["blur_regions", "blur_revision", "blurred_at"])
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.BLUR, actor=actor, actor_role=role,
            agency=report.agency, is_public=False, at=now,
            data={"photo": photo.pk, "added": len(cleaned) - len(kept),
                  "removed": len(before) - len(kept), "regions": len(cleaned)})
        _record_change([event.pk])
        transaction.on_commit(lambda: _queue(photo.pk))
    return photo


def _queue(photo_id: int) -> None:
    try:
        tasks.anonymise_photo(photo_id)
    except Exception:  # noqa: BLE001 - the regions are stored: the sweep renders them
        log.warning("could not queue the public copy of photo %s; the sweep will make it",
                    photo_id, exc_info=True)
