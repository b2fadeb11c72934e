"""The officer's phone view: my tasks, start, resolve with proof, hand back."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sigap.reports import services
from sigap.reports.models import Photo, Report


@pytest.fixture
def task(people, make_report, now):
    def make(at=None, officer=None, **kwargs):
        report = make_report(at=at or now, **kwargs)
        services.assign(report.pk, actor=people("admin"), now=now,
                        officer=officer or people("officer"))
        return Report.objects.get(pk=report.pk)

    return make


def _act(client, report, action, data):
    """Post an action from the task page; a refused one comes back to the task's address."""
    response = client.post(reverse("backoffice:act", args=[report.ticket, action]),
                           {"view": "task", **data})
    task_url = reverse("backoffice:task", args=[report.ticket])
    if response.status_code == 302 and response["Location"] == task_url:
        followed = client.get(task_url)
        if followed.status_code == 400:
            return followed
    return response


@pytest.mark.django_db
def test_it_lists_my_tasks_by_due_time(client, people, task, make_user, now):
    later = task(at=now)
    sooner = task(at=now - timedelta(hours=30))
    someone_else = task(officer=make_user("officer", agency="DLHK", team=False))
    client.force_login(people("officer"))
    body = client.get(reverse("backoffice:tasks")).content.decode()
    assert body.index(sooner.ticket) < body.index(later.ticket)
    assert someone_else.ticket not in body


@pytest.mark.django_db
def test_it_shows_everything_needed_in_the_field(client, people, task, photo, category):
    report = task(address="Jl. El Tari No. 5", photos=[photo()], answers={"volume": "besar"})
    client.force_login(people("officer"))
    body = client.get(reverse("backoffice:task", args=[report.ticket])).content.decode()
    assert "Jl. El Tari No. 5" in body
    assert "Banyak (satu truk)" in body  # the category answer, labelled
    assert f"destination={report.lat},{report.lng}" in body
    assert f"geo:{report.lat},{report.lng}" in body
    assert 'class="map"' in body and report.photos.get().thumb_url in body


@pytest.mark.django_db
def test_it_starts_and_resolves_with_proof(client, people, task, photo):
    report = task()
    client.force_login(people("officer"))
    _act(client, report, "start", {})
    assert Report.objects.get(pk=report.pk).status == "in_progress"
    response = _act(client, report, "resolve", {
        "note": "Sampah sudah diangkut",
        "photo": SimpleUploadedFile("bukti.jpg", photo(), "image/jpeg")})
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:tasks")
    report.refresh_from_db()
    assert report.status == "resolved" and report.status_note == "Sampah sudah diangkut"
    assert Photo.objects.filter(report=report, kind=Photo.Kind.PROOF).count() == 1


@pytest.mark.django_db
def test_it_refuses_resolve_without_proof_and_keeps_the_note(client, people, task):
    report = task()
    client.force_login(people("officer"))
    response = _act(client, report, "resolve", {"note": "Catatan panjang saya"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "minimal satu foto bukti" in body and "Catatan panjang saya</textarea>" in body
    assert Report.objects.get(pk=report.pk).status == "assigned"


@pytest.mark.django_db
def test_it_keeps_the_note_when_the_photo_is_bad(client, people, task):
    report = task()
    client.force_login(people("officer"))
    response = _act(client, report, "resolve", {
        "note": "Sudah bersih",
        "photo": SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg")})
    assert response.status_code == 400
    body = response.content.decode()
    assert "bukan foto" in body and "Sudah bersih</textarea>" in body
    assert Report.objects.get(pk=report.pk).status == "assigned"


@pytest.mark.django_db
def test_it_refuses_resolve_without_a_note(client, people, task, photo):
    report = task()
    client.force_login(people("officer"))
    response = _act(client, report, "resolve", {
        "note": " ", "photo": SimpleUploadedFile("b.jpg", photo(), "image/jpeg")})
    assert response.status_code == 400
    assert Report.objects.get(pk=report.pk).status == "assigned"


@pytest.mark.django_db
def test_it_hands_back_with_a_reason(client, people, task):
    report = task()
    client.force_login(people("officer"))
    assert _act(client, report, "handback", {"reason": ""}).status_code == 400
    _act(client, report, "handback", {"reason": "Perlu alat berat"})
    report.refresh_from_db()
    assert report.status == "verified" and report.officer_id is None
    event = report.events.get(action="handback")
    assert event.note == "Perlu alat berat" and not event.is_public


@pytest.mark.django_db
def test_it_sends_officers_from_the_inbox_to_their_tasks(client, people):
    client.force_login(people("officer"))
    response = client.get(reverse("backoffice:inbox"))
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:tasks")
