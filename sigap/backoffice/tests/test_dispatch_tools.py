"""Issue 23, item 5: the dispatcher's tools on the office report page (duplicate suggestions
with a one-click merge, the officer list by team and duty, schedule, priority and deadline
with a reason), the call-centre screen, and item 4's server side: actions sent with an
idempotency key are done once, the proof photo's distance is shown, the office worker."""

from datetime import time, timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import jpeg_bytes
from sigap.agencies.models import Team
from sigap.cities.models import Area
from sigap.duty.models import Shift
from sigap.notifications import services as notify
from sigap.notifications.models import Notification
from sigap.reports import queries, services
from sigap.reports.models import IdempotencyKey, Photo, Report, ReportEvent
from sigap.reports.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(now):
    """The views read the clock: it reads the tests' `now`."""
    with time_machine.travel(now, tick=False):
        yield


HERE = (-10.17, 123.60)
NEAR = (-10.1705, 123.6005)  # about 80 m away
FAR = (-10.175, 123.60)  # about 550 m away


def post(client, report, action, data, **headers):
    return client.post(reverse("backoffice:act", args=[report.ticket, action]), data,
                       **headers)


# --- Duplicate suggestions ---------------------------------------------------------------

def test_it_suggests_near_recent_open_reports_of_the_agency_ranked(make_report, now):
    older_near = make_report(lat=NEAR[0], lng=NEAR[1], at=now - timedelta(days=5))
    newer_near = make_report(lat=NEAR[0], lng=NEAR[1], at=now - timedelta(hours=2))
    make_report(lat=FAR[0], lng=FAR[1], at=now - timedelta(hours=1))  # too far
    make_report(lat=NEAR[0], lng=NEAR[1], at=now - timedelta(days=9))  # too old
    make_report("JALAN_RUSAK", lat=NEAR[0], lng=NEAR[1])  # another agency (PUPR)
    closed = make_report(lat=NEAR[0], lng=NEAR[1])
    Report.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    new = make_report(lat=HERE[0], lng=HERE[1])

    found = queries.duplicate_candidates(new, now=now, radius_m=150, days=7)

    assert [c.report.ticket for c in found] == [newer_near.ticket, older_near.ticket]
    assert 60 < found[0].distance_m < 100


def test_the_suggestions_cost_one_query(make_report, now, django_assert_num_queries):
    for _ in range(4):
        make_report(lat=NEAR[0], lng=NEAR[1])
    new = make_report()
    with django_assert_num_queries(1):
        found = queries.duplicate_candidates(new, now=now, radius_m=150, days=7)
        [(c.report.category.name, c.report.kelurahan) for c in found]
    assert len(found) == 4


def test_the_inbox_says_how_many_reports_each_new_one_may_repeat(
        client, people, make_report, now, django_assert_max_num_queries):
    older_near = make_report(lat=NEAR[0], lng=NEAR[1], at=now - timedelta(days=5))
    make_report(lat=NEAR[0], lng=NEAR[1], at=now - timedelta(days=9))  # too old
    make_report(lat=FAR[0], lng=FAR[1], at=now - timedelta(hours=1))  # too far
    make_report("JALAN_RUSAK", lat=NEAR[0], lng=NEAR[1])  # another agency (PUPR)
    new = make_report(lat=HERE[0], lng=HERE[1])
    counts = queries.duplicate_counts([new, older_near], now=now, radius_m=150, days=7)
    # the same rule as the report page's suggestions, for every row at once
    assert counts[new.pk] == len(queries.duplicate_candidates(
        new, now=now, radius_m=150, days=7)) == 1  # older_near
    client.force_login(people("dispatcher"))
    html = client.get(reverse("backoffice:inbox"), {"status": "submitted"}).content.decode()
    row = html.split(f'data-ticket="{new.ticket}"')[1].split("</tr>")[0]
    assert "1 mungkin duplikat" in row and f"/office/r/{new.ticket}/#duplicates" in row
    # one query per agency on the page (DLHK and PUPR here), whatever the number of rows
    for _ in range(5):
        make_report(lat=NEAR[0], lng=NEAR[1])
    rows = list(Report.objects.filter(status=Status.SUBMITTED))
    assert len(rows) == 10
    with django_assert_max_num_queries(2):
        queries.duplicate_counts(rows, now=now, radius_m=150, days=7)


def test_the_report_page_merges_a_suggestion_in_one_click(client, people, make_report, now):
    kept = make_report(lat=NEAR[0], lng=NEAR[1], at=now - timedelta(hours=3))
    new = make_report()
    client.force_login(people("dispatcher"))
    page = client.get(reverse("backoffice:report", args=[new.ticket])).content.decode()
    assert 'id="duplicates"' in page and kept.ticket in page

    post(client, new, "duplicate", {"of": kept.ticket})

    new.refresh_from_db()
    assert (new.status, new.duplicate_of_id) == (Status.DUPLICATE, kept.pk)


# --- Officer list ------------------------------------------------------------------------

def test_the_assign_list_puts_the_kecamatan_team_and_who_is_on_duty_first(
        client, people, make_user, make_report, now):
    report = make_report()  # Maulafa? whichever kecamatan the point falls in
    local = Team.objects.create(agency=report.agency, code="dlhk-local", name="QR lokal")
    local.kecamatan.add(report.kecamatan)
    elsewhere = Team.objects.create(agency=report.agency, code="dlhk-far", name="QR jauh")
    far_on = make_user("officer", agency="DLHK", team=False, username="far-on")
    elsewhere.members.add(far_on)
    local_off = make_user("officer", agency="DLHK", team=False, username="local-off")
    local_on = make_user("officer", agency="DLHK", team=False, username="local-on")
    local.members.add(local_off, local_on)
    for user in (far_on, local_on):  # on duty round the clock
        Shift.objects.create(agency=report.agency, team=None, user=user,
                             weekdays="0123456", starts=time(0, 0), ends=time(0, 0),
                             created_at=now)
    busy = make_report()
    services.assign(busy.pk, actor=people("dispatcher"), now=now, officer=local_on)

    client.force_login(people("dispatcher"))
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    order = [page.index(f">{name}") for name in ("local-on", "local-off", "far-on")]
    assert order == sorted(order)
    line = page[page.index(">local-on"):].split("</option>")[0]
    assert "tim kecamatan ini" in line and "sedang jaga" in line and "1 tugas" in line
    line = page[page.index(">local-off"):].split("</option>")[0]
    assert "tidak bertugas" in line


# --- Schedule, priority, deadline --------------------------------------------------------

def test_the_desk_schedules_work_and_the_citizen_sees_the_date(client, people, make_report,
                                                                now):
    report = make_report()
    services.verify(report.pk, actor=people("dispatcher"), now=now)
    client.force_login(people("dispatcher"))
    on = (now + timedelta(days=4)).date()
    post(client, report, "schedule", {"on": on.isoformat(), "note": "Perlu truk besar"})
    report.refresh_from_db()
    assert (report.status, report.scheduled_for) == (Status.SCHEDULED, on)

    public = client.get(reverse("citizen:track", args=[report.ticket])).content.decode()
    assert "Dijadwalkan" in public and "Perlu truk besar" in public
    assert 'id="scheduled-for"' in public


def test_a_priority_change_shows_to_the_citizen_only_when_public(client, people, make_report,
                                                                  now):
    report = make_report()
    client.force_login(people("dispatcher"))
    post(client, report, "reprioritise", {"priority": "2", "reason": "Bau menyengat"})
    post(client, report, "reprioritise", {"priority": "1", "reason": "Dekat sekolah",
                                          "audience": "public"})
    report.refresh_from_db()
    assert report.priority == 1
    events = list(report.events.filter(kind=ReportEvent.Kind.PRIORITY).order_by("pk")
                  .values_list("old", "new", "note", "is_public", "actor_id"))
    desk = people("dispatcher").pk
    assert events == [("3", "2", "Bau menyengat", False, desk),
                      ("2", "1", "Dekat sekolah", True, desk)]
    office = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Prioritas 3 → 2" in office and "Bau menyengat" in office
    client.logout()
    public = client.get(reverse("citizen:track", args=[report.ticket])).content.decode()
    assert "Dekat sekolah" in public and "Bau menyengat" not in public


def test_the_desk_moves_a_deadline_with_a_reason(client, people, make_report, now):
    report = make_report()
    client.force_login(people("dispatcher"))
    day = (now + timedelta(days=10)).date()
    response = post(client, report, "deadline", {"date": day.isoformat(), "time": "10:00"})
    report.refresh_from_db()
    assert not report.events.filter(kind=ReportEvent.Kind.DEADLINE).exists()  # no reason
    post(client, report, "deadline", {"date": day.isoformat(), "time": "10:00",
                                      "reason": "Menunggu material"})
    report.refresh_from_db()
    local = report.due_at.astimezone(report.city.tz)
    assert (local.date(), local.hour) == (day, 10)
    assert response.status_code == 302
    assert report.events.get(kind=ReportEvent.Kind.DEADLINE).note == "Menunggu material"


def test_an_officer_may_not_change_priority(client, people, make_report, now):
    report = make_report()
    services.assign(report.pk, actor=people("dispatcher"), now=now, officer=people("officer"))
    client.force_login(people("officer"))
    post(client, report, "reprioritise", {"priority": "1", "reason": "x"})
    report.refresh_from_db()
    assert report.priority == 3


def test_open311_calls_scheduled_work_open(client, people, make_report, now):
    report = make_report()
    services.verify(report.pk, actor=people("dispatcher"), now=now)
    services.schedule(report.pk, actor=people("dispatcher"), now=now,
                      on=(now + timedelta(days=1)).date())
    data = client.get(f"/open311/v2/requests/{report.ticket}.json").json()
    assert data[0]["status"] == "open"


# --- The officer's actions, once per key -------------------------------------------------

def test_a_resolve_sent_twice_with_one_key_is_done_once(client, people, make_report, now):
    report = make_report()
    officer = people("officer")
    services.assign(report.pk, actor=people("dispatcher"), now=now, officer=officer)
    client.force_login(officer)
    for _ in range(2):
        response = client.post(
            reverse("backoffice:act", args=[report.ticket, "resolve"]),
            {"view": "task", "note": "Sudah bersih", "photo": [_upload()],
             "photo_gps": ["-10.1700,123.6010"]},
            headers={"Accept": "application/json", "X-Idempotency-Key": "resolve-1"})
        assert response.json() == {"ok": True, "next": reverse("backoffice:tasks")}
    assert report.events.filter(action="resolve").count() == 1
    assert Photo.objects.filter(report=report, kind=Photo.Kind.PROOF).count() == 1
    assert IdempotencyKey.objects.filter(key="resolve-1").count() == 1


def _upload(**kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bukti.jpg", jpeg_bytes(**kwargs), content_type="image/jpeg")


def test_the_desk_sees_how_far_from_the_report_each_proof_was_taken(client, people,
                                                                      make_report, now):
    report = make_report()  # at -10.17, 123.60
    officer = people("officer")
    services.assign(report.pk, actor=people("dispatcher"), now=now, officer=officer)
    client.force_login(officer)
    client.post(reverse("backoffice:act", args=[report.ticket, "resolve"]),
                {"view": "task", "note": "Beres",
                 "photo": [_upload(exif_gps=True), _upload(), _upload()],
                 # The phone read the third photo's place before resizing it (~110 m).
                 "photo_gps": ["", "", "-10.1710,123.6000"]})
    client.force_login(people("dispatcher"))
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "⚠ diambil 371 m dari lokasi laporan" in page  # the EXIF's place, over 200 m
    assert "tanpa lokasi" in page
    assert "111 m dari lokasi laporan" in page and "⚠ diambil 111" not in page


def test_the_office_service_worker_controls_the_office(client):
    response = client.get("/office/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/office/"
    body = response.content.decode()
    assert "importScripts(PUSH)" in body and '"/office/jaga/sw.js"' in body
    assert "shared/outbox.js" in body and "/office/tugas/" in body


# --- Call centre ---------------------------------------------------------------------------

def test_the_call_centre_enters_a_callers_report_and_keeps_the_number_private(
        client, people, kupang, now, committed, django_capture_on_commit_callbacks):
    area = Area.objects.filter(city=kupang, level="kelurahan", centroid_lat__isnull=False,
                               name="Oebobo").first() or Area.objects.filter(
        city=kupang, level="kelurahan", centroid_lat__isnull=False).first()
    client.force_login(people("dispatcher"))
    page = client.get(reverse("backoffice:phone"), {"category": "SAMPAH"})
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:phone"), {
            "category": "SAMPAH", "name": "Bapak Yosef Penelepon", "phone": "0812 7777 1234",
            "kelurahan": str(area.pk), "address": "Depan pasar",
            "description": "Sampah menumpuk", "attribute[volume]": "besar", "key": "call-1"})
    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.source, report.contact_phone, report.kelurahan) == (
        Report.Source.PHONE, "+6281277771234", area)
    sms = Notification.objects.get(report=report, purpose=Notification.Purpose.STATUS)
    assert (sms.channel, sms.destination) == ("sms", "+6281277771234")
    _subject, text, _html = notify.render(sms)
    assert report.ticket in text

    client.logout()
    for url in (reverse("citizen:track", args=[report.ticket]),
                f"/open311/v2/requests/{report.ticket}.json", "/open311/v2/requests.json"):
        body = client.get(url).content.decode()
        assert report.ticket in body, url
        assert "7777" not in body and "Yosef" not in body, url


def test_officers_cannot_use_the_call_centre(client, people):
    client.force_login(people("officer"))
    assert client.get(reverse("backoffice:phone")).status_code == 403
