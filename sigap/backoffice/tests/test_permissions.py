"""The permission matrix: every role × every action, on its own and on another agency's report.

The report is a DLHK (SAMPAH) report; "own" roles belong to DLHK, "*_other" to PUPR. Each case
posts the real form and then checks the database: the action happened, or nothing changed.
"""

import pytest
from django.urls import reverse

from sigap.reports import services
from sigap.reports.models import Report, ReportEvent

ROLES = ["officer", "officer_other", "dispatcher", "dispatcher_other", "head", "head_other",
         "admin", "executive", "citizen", "anonymous"]
DESK = {"dispatcher", "head", "admin"}
FIELD = DESK | {"officer"}
VIEWERS = FIELD | {"executive"}

# action: (status the report is brought to first, who may do it)
MATRIX = {
    "verify": ("submitted", DESK),
    "reject": ("submitted", DESK),
    "duplicate": ("submitted", DESK),
    "reassign": ("submitted", DESK),
    "assign": ("verified", DESK),
    "note_public": ("assigned", FIELD),
    "note_internal": ("assigned", FIELD),
    "pause": ("assigned", FIELD),
    "start": ("assigned", FIELD),
    "resolve": ("in_progress", FIELD),
    "handback": ("assigned", FIELD),
}


@pytest.fixture
def setup(people, make_report, now):
    def make(status):
        report = make_report()
        admin = people("admin")
        if status in ("verified", "assigned", "in_progress"):
            services.verify(report.pk, actor=admin, now=now)
        if status in ("assigned", "in_progress"):
            services.assign(report.pk, actor=admin, now=now, officer=people("officer"))
        if status == "in_progress":
            services.start(report.pk, actor=admin, now=now)
        return Report.objects.get(pk=report.pk)

    return make


def _post_data(action, people, make_report, photo):
    from sigap.agencies.models import Agency

    if action == "reject":
        return {"reason": "spam"}
    if action == "duplicate":
        return {"of": make_report(description="Laporan asli").ticket}
    if action == "reassign":
        return {"agency": Agency.objects.get(code="PUPR").pk, "reason": "Salah dinas"}
    if action == "assign":
        return {"officer": people("officer").pk}
    if action == "note_public":
        return {"text": "Sedang kami cek", "visibility": "public"}
    if action == "note_internal":
        return {"text": "Butuh truk", "visibility": "internal"}
    if action == "pause":
        return {"note": "Mohon kirim foto yang lebih jelas"}
    if action == "resolve":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {"note": "Sudah diangkut", "photo": SimpleUploadedFile("p.jpg", photo(),
                                                                      "image/jpeg")}
    if action == "handback":
        return {"reason": "Butuh alat berat"}
    return {}


def _state(report_id):
    report = Report.objects.get(pk=report_id)
    return (report.status, report.agency_id, report.officer_id, report.sla_paused_at,
            ReportEvent.objects.filter(report_id=report_id).count())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.django_db
def test_it_enforces_the_matrix(client, people, setup, make_report, photo, role, action):
    status, allowed = MATRIX[action]
    report = setup(status)
    if role != "anonymous":
        client.force_login(people(role))
    data = _post_data(action, people, make_report, photo)
    before = _state(report.pk)
    url_action = "note" if action.startswith("note") else action
    response = client.post(reverse("backoffice:act", args=[report.ticket, url_action]), data)
    after = _state(report.pk)

    if role in allowed:
        assert response.status_code == 302
        assert after != before, f"{role} could not {action}"
    else:
        assert after == before, f"{role} must not {action}"
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/office/masuk/?next=")
        elif role in VIEWERS:
            # Sees the report, so the service refuses and the page says why.
            assert response.status_code == 302
            page = client.get(response["Location"]).content.decode()
            assert 'class="error"' in page
        else:
            assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_it_lets_only_own_agency_staff_see_a_report(client, people, setup, role):
    report = setup("assigned")
    services.add_note(report.pk, actor=people("admin"), now=report.created_at,
                      text="RAHASIA-INTERNAL", public=False)
    Report.objects.filter(pk=report.pk).update(contact_phone="081234567890")
    if role != "anonymous":
        client.force_login(people(role))
    for name in ("backoffice:report", "backoffice:task"):
        response = client.get(reverse(name, args=[report.ticket]))
        if role in VIEWERS:
            assert response.status_code == 200
            body = response.content.decode()
            assert "RAHASIA-INTERNAL" in body
            # Contacts only for the staff who handle the report, not the read-only executive.
            assert ("081234567890" in body) == (role != "executive")
        elif role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 403


@pytest.mark.parametrize("role", ["officer_other", "dispatcher_other", "head_other"])
@pytest.mark.django_db
def test_it_hides_other_agencies_reports_from_lists(client, people, setup, role):
    report = setup("assigned")
    client.force_login(people(role))
    inbox = client.get(reverse("backoffice:inbox"), follow=True).content.decode()
    tasks = client.get(reverse("backoffice:tasks")).content.decode()
    assert report.ticket not in inbox and report.ticket not in tasks


@pytest.mark.django_db
def test_it_keeps_citizens_out_of_the_back_office(client, people):
    client.force_login(people("citizen"))
    assert client.get(reverse("backoffice:inbox")).status_code == 403
    assert client.get(reverse("backoffice:tasks")).status_code == 403


@pytest.mark.django_db
def test_it_refuses_bulk_actions_on_other_agencies_reports(client, people, setup):
    report = setup("submitted")
    client.force_login(people("dispatcher_other"))
    client.post(reverse("backoffice:bulk"), {"action": "verify", "tickets": [report.ticket]})
    assert Report.objects.get(pk=report.pk).status == "submitted"
