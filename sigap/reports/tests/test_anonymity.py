"""Public photos: faces and plates blurred by the worker, withheld until then (decision 0013)."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from PIL import Image

from sigap.reports import services, tasks
from sigap.reports.models import Photo, ReportEvent

SET = Path(__file__).resolve().parents[3] / "data" / "blur-set"
FACE = json.loads((SET / "labels.json").read_text())["sources/astronaut.jpg"][0]
EMPTY = (20, 380, 100, 100)  # a patch of the astronaut's suit: no face, no plate


def pixels(field, box) -> np.ndarray:
    with field.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read())).convert("L")
    x, y, w, h = box
    return np.asarray(image.crop((x, y, x + w, y + h)), dtype=float)


def face_box():
    return FACE["x"], FACE["y"], FACE["w"], FACE["h"]


def detail(image) -> float:
    """Return the mean absolute difference between neighbouring pixels: high for a sharp
    face, near zero for a blurred one."""
    return float(np.abs(np.diff(image, axis=1)).mean())


@pytest.fixture
def astronaut_report(make_report):
    return make_report("SAMPAH",
                       photos=[(SET / "sources/astronaut.jpg").read_bytes()])


def test_it_blurs_the_face_in_the_public_copy_and_keeps_the_original(astronaut_report):
    photo = astronaut_report.photos.get()
    assert photo.public_url is None  # withheld until the worker made the copy
    assert tasks.anonymise_photo.call_local(photo.pk) is True
    photo.refresh_from_db()
    assert [r["kind"] for r in photo.blur_regions] == ["face"]
    original, public = pixels(photo.image, face_box()), pixels(photo.public_image, face_box())
    assert detail(original) > 4 * detail(public)
    # Elsewhere the copy is the photo (up to a JPEG re-encoding)...
    assert np.abs(pixels(photo.image, EMPTY) - pixels(photo.public_image, EMPTY)).mean() < 4
    # ...and the original the staff see is untouched.
    assert detail(pixels(photo.image, face_box())) == detail(original)
    assert photo.public_url.startswith("/media/public/")


def test_the_public_surfaces_never_serve_the_original(client, astronaut_report, make_user):
    photo = astronaut_report.photos.get()
    pages = {
        "tracking": lambda: client.get(astronaut_report.get_absolute_url()),
        "open311": lambda: client.get(f"/open311/v2/requests/{astronaut_report.ticket}.json"),
        "api": lambda: client.get(f"/api/v1/reports/{astronaut_report.ticket}/"),
    }
    for name, get in pages.items():
        response = get()
        assert response.status_code == 200, name
        body = response.content.decode()
        assert photo.image.name not in body and "/media/photos/" not in body, name
        assert "/media/public/" not in body, name
    assert "Foto sedang diproses" in pages["tracking"]().content.decode()
    assert pages["api"]().json()["photos"][0] == {
        "kind": "report", "url": None, "thumbnail_url": None, "pending": True,
        "width": 512, "height": 512, "created_at": pages["api"]().json()["photos"][0][
            "created_at"]}
    tasks.anonymise_photo.call_local(photo.pk)
    photo.refresh_from_db()
    for name, get in pages.items():
        body = get().content.decode()
        assert photo.public_image.name in body and "/media/photos/" not in body, name
    # The office's sight gets the original.
    client.force_login(make_user("dispatcher", agency="DLHK"))
    staff = client.get(f"/api/v1/reports/{astronaut_report.ticket}/").json()["photos"][0]
    assert staff["url"].endswith(photo.image.url) and staff["pending"] is False


def test_a_removed_region_is_restored_and_a_drawn_one_blurred(astronaut_report, make_user,
                                                               now):
    photo = astronaut_report.photos.get()
    tasks.anonymise_photo.call_local(photo.pk)
    photo.refresh_from_db()
    first_copy = photo.public_image.name
    dispatcher = make_user("dispatcher", agency="DLHK")
    x, y, w, h = EMPTY
    services.set_blur_regions(photo.pk, [{"x": x, "y": y, "w": w, "h": h}], actor=dispatcher,
                              now=now)
    photo.refresh_from_db()
    assert photo.public_url is None  # withheld again until the new regions are rendered
    tasks.anonymise_photo.call_local(photo.pk)
    photo.refresh_from_db()
    assert photo.public_image.name != first_copy
    assert not photo.public_image.storage.exists(first_copy)
    face_original, face_public = pixels(photo.image, face_box()), pixels(photo.public_image,
                                                                         face_box())
    assert np.abs(face_original - face_public).mean() < 4  # the face is shown again
    assert detail(pixels(photo.image, EMPTY)) > 3 * detail(pixels(photo.public_image, EMPTY))
    event = astronaut_report.events.get(kind=ReportEvent.Kind.BLUR)
    assert event.actor == dispatcher and not event.is_public
    assert event.data == {"photo": photo.pk, "added": 1, "removed": 1, "regions": 1}


def test_the_worker_task_is_idempotent(astronaut_report):
    photo = astronaut_report.photos.get()
    assert tasks.anonymise_photo.call_local(photo.pk) is True
    photo.refresh_from_db()
    with photo.public_image.open("rb") as fh:
        first = fh.read()
    state = (photo.public_image.name, photo.public_thumbnail.name, photo.blur_regions,
             photo.blurred_at)
    assert tasks.anonymise_photo.call_local(photo.pk) is False
    photo.refresh_from_db()
    assert (photo.public_image.name, photo.public_thumbnail.name, photo.blur_regions,
            photo.blurred_at) == state
    # A render redone from scratch (a lost record) writes the same file again.
    Photo.objects.filter(pk=photo.pk).update(blurred_at=None)
    assert tasks.anonymise_missing(now=photo.created_at + tasks.SWEEP_GRACE * 2) == 1
    photo.refresh_from_db()
    with photo.public_image.open("rb") as fh:
        assert fh.read() == first
    assert photo.public_image.name == state[0]


def test_only_the_desk_may_change_the_regions(astronaut_report, make_user, now):
    photo = astronaut_report.photos.get()
    for user in (make_user("citizen"), make_user("officer", agency="DLHK"),
                 make_user("dispatcher", agency="DISHUB")):
        with pytest.raises(PermissionDenied):
            services.set_blur_regions(photo.pk, [], actor=user, now=now)


def test_the_office_page_lists_removes_and_adds_regions(client, astronaut_report, make_user):
    photo = astronaut_report.photos.get()
    tasks.anonymise_photo.call_local(photo.pk)
    client.force_login(make_user("dispatcher", agency="DLHK"))
    url = reverse("backoffice:photo_blur", args=[astronaut_report.ticket, photo.pk])
    page = client.get(url).content.decode()
    assert 'name="remove" value="0"' in page and "Wajah" in page
    bad = client.post(url, {"add": "10,10,abc,5"})
    assert bad.status_code == 400 and "Area samaran tidak terbaca" in bad.content.decode()
    assert client.post(url, {"remove": "0", "add": "20,380,100,100"}).status_code == 302
    photo.refresh_from_db()
    assert photo.blur_regions == [{"x": 20, "y": 380, "w": 100, "h": 100, "kind": "other",
                                   "source": "hand"}]
    citizen = make_user("citizen")
    client.force_login(citizen)
    assert client.get(url).status_code == 403
