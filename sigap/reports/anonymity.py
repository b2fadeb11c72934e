"""The public copy of a photo: faces and plates blurred (decision 0013).

The worker runs `make_public_copy` for every stored photo (reports.tasks.anonymise_photo,
queued after the commit that stored it, and the sweep for those the queue lost). The first
run finds the regions (sigap.lib.anonymise.detect); every run renders the copy from the
regions recorded on the photo, so a dispatcher's change (services.set_blur_regions) is a new
render of the same kind. Until a copy of the current regions is recorded (`blurred_at`), the
public surfaces show no photo (reports.privacy.photo_links).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.files.base import ContentFile

from sigap.lib import anonymise, images
from sigap.reports.models import Photo

log = logging.getLogger(__name__)


def make_public_copy(photo_id: int, *, now: datetime) -> bool:
    """Find the photo's regions if not done yet, then write and record its blurred copy and
    public thumbnail; return whether this run recorded one. Safe to run twice and beside
    another run: a copy is recorded only for the regions' revision it was rendered from."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or (photo.blurred_at and photo.public_image):
        return False
    revision = photo.blur_revision
    with photo.image.open("rb") as fh:
        original = fh.read()
    regions = list(photo.blur_regions)
    if photo.detected_at is None:
        regions = regions + anonymise.detect(original)
        if not Photo.objects.filter(pk=photo_id, blur_revision=revision).update(
                blur_regions=regions, detected_at=now):
            return False  # the regions changed meanwhile: the change's own job renders them
    public, _width, _height = anonymise.blur(original, regions)
    old_names = {photo.public_image.name, photo.public_thumbnail.name} - {""}
    photo.public_image.save("public.jpg", ContentFile(public), save=False)
    photo.public_thumbnail.save("public-t.jpg", ContentFile(images.thumbnail(public)),
                                save=False)
    names = {photo.public_image.name, photo.public_thumbnail.name}
    if not Photo.objects.filter(pk=photo_id, blur_revision=revision).update(
            public_image=photo.public_image.name,
            public_thumbnail=photo.public_thumbnail.name, blurred_at=now):
        recorded = Photo.objects.filter(pk=photo_id).values_list(
            "public_image", "public_thumbnail").first() or ()
        for name in names - set(recorded):  # rendered for regions already replaced
            photo.public_image.storage.delete(name)
        return False
    for name in old_names - names:  # the copy of the regions before the last change
        photo.public_image.storage.delete(name)
    return True
