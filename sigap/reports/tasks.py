"""Background work for reports. Tasks take primary keys, never model instances."""

from django.core.files.base import ContentFile
from django.utils import timezone
from huey.contrib.djhuey import db_task

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


@db_task(retries=3, retry_delay=30)
def handle_event(event_id: int) -> None:
    """Fan a recorded report event out to the notifications it calls for."""
    from sigap.notifications import services

    services.notifications_for_event(event_id, now=timezone.now())
