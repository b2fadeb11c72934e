"""Background work for reports. Tasks take primary keys, never model instances."""

from django.core.files.base import ContentFile
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sigap.lib import images


@db_task(retries=2, retry_delay=10)
def make_thumbnail(photo_id: int) -> None:
    """Write the thumbnail of a stored (already clean) photo; safe to run twice."""
    from sigap.reports.models import Photo

    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.thumbnail:
        return
    with photo.image.open("rb") as fh:
        data = images.thumbnail(fh.read())
    photo.thumbnail.save("thumb.jpg", ContentFile(data), save=False)
    Photo.objects.filter(pk=photo_id, thumbnail="").update(thumbnail=photo.thumbnail.name)


@db_task()
def drain_outbox() -> int:
    """Handle the recorded events waiting in the outbox (reports.outbox)."""
    from sigap.reports import outbox

    return outbox.drain(now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def drain_outbox_periodically() -> int:
    """Every minute: the safety net for a drain that could not be scheduled."""
    return drain_outbox.call_local()
