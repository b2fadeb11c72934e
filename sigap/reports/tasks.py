"""Background work for reports. Tasks take primary keys, never model instances."""

import logging
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from sigap.lib import images
from sigap.reports import anonymity
from sigap.reports.models import Photo
from sigap.reports.outbox import drain_outbox, drain_outbox_periodically  # noqa: F401 - the
# outbox's tasks live beside it; named here too, where the worker looks for tasks

log = logging.getLogger(__name__)

# The sweep leaves a photo's own job this long to run first, and gives up on a photo after
# the window (its pages show the photo itself, Photo.thumb_url).
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_WINDOW = timedelta(days=1)


@db_task(retries=2, retry_delay=10)
def make_thumbnail(photo_id: int) -> bool:
    """Write the thumbnail of a stored (already clean) photo; return whether this run made
    it (False when it existed or another run made it meanwhile). Safe to run twice."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.thumbnail:
        return False
    with photo.image.open("rb") as fh:
        data = images.thumbnail(fh.read())
    photo.thumbnail.save("thumb.jpg", ContentFile(data), save=False)
    if not Photo.objects.filter(pk=photo_id, thumbnail="").update(
            thumbnail=photo.thumbnail.name):
        recorded = Photo.objects.filter(pk=photo_id).values_list("thumbnail", flat=True).first()
        if recorded != photo.thumbnail.name:  # another run recorded another file: keep theirs
            photo.thumbnail.delete(save=False)
        return False
    return True


def make_missing_thumbnails(*, now: datetime, limit: int = 500) -> int:
    """Make the thumbnails that photos stored within the window still lack (their job could
    not be queued, or the queue lost it); return how many were made."""
    ids = list(Photo.objects.filter(thumbnail="", created_at__gte=now - SWEEP_WINDOW,
                                    created_at__lt=now - SWEEP_GRACE)
               .order_by("created_at").values_list("pk", flat=True)[:limit])
    return _each(ids, make_thumbnail.call_local, "thumbnail")


def _each(ids, make, what: str) -> int:
    """Run `make` on each photo id and count what it made; one that fails (an unreadable
    photo) is logged and does not stop the others."""
    made = 0
    for photo_id in ids:
        try:
            made += make(photo_id)
        except Exception:  # noqa: BLE001 - one unreadable photo does not stop the others
            log.warning("could not make the %s of photo %s", what, photo_id, exc_info=True)
    return made


@db_periodic_task(crontab(minute="*/5"))
def make_missing_thumbnails_periodically() -> int:
    """Every five minutes: the safety net for thumbnails whose job was never run."""
    return make_missing_thumbnails(now=timezone.now())


# The public copy's sweep takes this many photos per run, oldest first: a backlog (photos
# stored before anonymisation existed, a worker down for hours) drains over a few runs.
ANONYMISE_BATCH = 100
# One lane for the detector (~0.7 s of CPU a photo): a burst of photo reports never takes
# every worker thread, so the outbox drain — the desk's alerts, a fire's paging — always
# has one. A job that finds the lane busy is retried; what is still missing after its
# retries, the sweep makes (under the same lock).
ANONYMISE_LOCK = "sigap-anonymise"


@db_task(retries=6, retry_delay=10)
@HUEY.lock_task(ANONYMISE_LOCK)
def anonymise_photo(photo_id: int) -> bool:
    """Make the blurred public copy of a photo (reports.anonymity). Safe to run twice."""
    return anonymity.make_public_copy(photo_id, now=timezone.now())


def anonymise_missing(*, now: datetime, limit: int = ANONYMISE_BATCH) -> int:
    """Make the public copies still missing (their job was lost, or their regions changed
    while the queue was down); return how many were made. No window: a photo without its
    copy is withheld from the public, so every one is made in the end."""
    ids = list(Photo.objects.filter(blurred_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
               .order_by("created_at").values_list("pk", flat=True)[:limit])
    return _each(ids, lambda photo_id: anonymity.make_public_copy(photo_id, now=now),
                 "public copy")


@db_periodic_task(crontab(minute="*/5"))
@HUEY.lock_task(ANONYMISE_LOCK)
def anonymise_missing_periodically() -> int:
    """Every five minutes: the safety net for public copies whose job was never run."""
    return anonymise_missing(now=timezone.now())
