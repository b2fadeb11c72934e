"""Thumbnails: queued after the commit, and made by the periodic sweep when the queue could not
take the job — a queue that is down never turns a stored report with photos into an error."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from conftest import jpeg_bytes
from sigap.reports import outbox, tasks
from sigap.reports.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(monkeypatch):
    """A real (not immediate) queue; `queue.down = True` makes every enqueue fail."""

    class Queue:
        down = False
        jobs = []

    def enqueue(task):
        if Queue.down:
            raise ConnectionError("queue down")
        Queue.jobs.append(task.name)

    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "enqueue", enqueue)
    monkeypatch.setattr(outbox, "_scheduled_until", 0.0)
    return Queue


@pytest.mark.django_db(transaction=True)
def test_a_queue_that_is_down_does_not_fail_a_report_with_photos(queue, client, kupang,
                                                                  category, now):
    from sigap.open311.models import ApiKey

    queue.down = True
    _, key = ApiKey.issue("Aplikasi uji", now=now, rate_per_minute=100)
    category("MACET")
    response = client.post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "MACET", "lat": "-10.17", "long": "123.60",
        "description": "Macet",
        "media": [SimpleUploadedFile("a.jpg", jpeg_bytes()),
                  SimpleUploadedFile("b.jpg", jpeg_bytes(color=(0, 90, 200)))]})
    assert response.status_code == 200, response.content.decode()
    ticket = response.json()[0]["service_request_id"]
    photos = Photo.objects.filter(report__ticket=ticket)
    assert [p.thumbnail.name for p in photos] == ["", ""]

    # Two minutes on, the sweep makes both (the queue is still down: it needs none).
    assert tasks.make_missing_thumbnails(now=timezone.now() + timedelta(minutes=3)) == 2
    for photo in photos.all():
        assert photo.thumbnail.name
        with photo.thumbnail.open("rb") as fh:
            assert fh.read(2) == b"\xff\xd8"  # a JPEG
    assert tasks.make_missing_thumbnails(now=timezone.now() + timedelta(minutes=3)) == 0


def test_thumbnails_are_queued_after_the_commit(queue, make_report,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_report(photos=[jpeg_bytes(), jpeg_bytes()])
    assert queue.jobs.count("make_thumbnail") == 2


def test_the_sweep_leaves_fresh_photos_to_their_job_and_gives_up_after_a_day(queue, make_report,
                                                                            now):
    report = make_report(photos=[jpeg_bytes(), jpeg_bytes(), jpeg_bytes()])
    fresh, due, old = report.photos.order_by("pk")
    done = make_report(photos=[jpeg_bytes()]).photos.get()
    Photo.objects.filter(pk=fresh.pk).update(created_at=now - timedelta(seconds=30))
    Photo.objects.filter(pk=due.pk).update(created_at=now - timedelta(minutes=10))
    Photo.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=2))
    Photo.objects.filter(pk=done.pk).update(created_at=now - timedelta(minutes=10),
                                           thumbnail="thumbs/already.jpg")

    assert tasks.make_missing_thumbnails(now=now) == 1
    thumbnails = dict(Photo.objects.values_list("pk", "thumbnail"))
    assert thumbnails[due.pk] != ""
    assert thumbnails[fresh.pk] == thumbnails[old.pk] == ""
    assert thumbnails[done.pk] == "thumbs/already.jpg"


def test_one_unreadable_photo_does_not_stop_the_sweep(queue, make_report, now):
    report = make_report(photos=[jpeg_bytes(), jpeg_bytes()])
    Photo.objects.filter(report=report).update(created_at=now - timedelta(minutes=10))
    broken, fine = report.photos.order_by("pk")
    broken.image.storage.delete(broken.image.name)

    assert tasks.make_missing_thumbnails(now=now) == 1
    assert Photo.objects.get(pk=fine.pk).thumbnail.name
    assert Photo.objects.get(pk=broken.pk).thumbnail.name == ""


def test_a_thumbnail_made_twice_at_once_leaves_one_file(queue, make_report, monkeypatch):
    """The sweep and a late job on the same photo: the second keeps no file of its own."""
    from sigap.lib import images

    photo = make_report(photos=[jpeg_bytes()]).photos.get()
    storage = photo.image.storage

    def files(folder="thumbs"):
        if not storage.exists(folder):
            return set()
        dirs, names = storage.listdir(folder)
        return {f"{folder}/{n}" for n in names} | {f for d in dirs for f in files(f"{folder}/{d}")}

    real = images.thumbnail

    def meanwhile(data):  # the other run finishes while this one resizes
        Photo.objects.filter(pk=photo.pk).update(thumbnail="thumbs/theirs.jpg")
        return real(data)

    monkeypatch.setattr(images, "thumbnail", meanwhile)
    before = files()
    tasks.make_thumbnail.call_local(photo.pk)
    assert Photo.objects.get(pk=photo.pk).thumbnail.name == "thumbs/theirs.jpg"
    assert files() == before


def test_a_thumbnail_redone_after_a_crash_replaces_the_file_it_left(queue, make_report):
    """A run killed after writing the file but before recording it: the redo writes the same
    name, so the photo still has one thumbnail file, and it is the one recorded."""
    photo = make_report(photos=[jpeg_bytes()]).photos.get()
    storage = photo.image.storage
    name = photo.thumbnail.field.generate_filename(photo, "thumb.jpg")
    storage.save(name, SimpleUploadedFile("thumb.jpg", b"half a thumbnail"))  # the dead run's
    assert tasks.make_thumbnail.call_local(photo.pk) is True
    photo.refresh_from_db()
    assert photo.thumbnail.name == name
    folder = name.rsplit("/", 1)[0]
    assert storage.listdir(folder)[1] == [name.rsplit("/", 1)[1]]
    with photo.thumbnail.open("rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"  # a JPEG, not what the dead run left


def test_the_sweep_counts_only_the_thumbnails_it_made(queue, make_report, now, monkeypatch):
    """A photo whose thumbnail another run made while the sweep was on its way is not
    counted as made by the sweep."""
    from sigap.lib import images

    photo = make_report(photos=[jpeg_bytes()]).photos.get()
    Photo.objects.filter(pk=photo.pk).update(created_at=now - timedelta(minutes=10))
    real = images.thumbnail

    def meanwhile(data):  # the photo's own job finishes while the sweep resizes
        Photo.objects.filter(pk=photo.pk).update(thumbnail="thumbs/theirs.jpg")
        return real(data)

    monkeypatch.setattr(images, "thumbnail", meanwhile)
    assert tasks.make_missing_thumbnails(now=now) == 0
    assert Photo.objects.get(pk=photo.pk).thumbnail.name == "thumbs/theirs.jpg"
