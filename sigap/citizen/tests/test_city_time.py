"""Each city in its own time: a Jayapura report made at 09:00 WIT says 09:00, everywhere."""

from datetime import UTC, datetime

import pytest

from sigap.agencies.models import Agency, Category
from sigap.reports import services

NINE_WIT = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 09:00 in Asia/Jayapura, 08:00 in Kupang
PORT = (-2.533, 140.717)


def _report(city, code="SAMPAH", now=NINE_WIT, point=PORT):
    category = Category.objects.select_related("agency").get(city=city, code=code)
    return services.create_report(city, services.NewReport(
        category=category, lat=point[0], lng=point[1], description="Sampah di dermaga",
        answers={"volume": "kecil"} if code == "SAMPAH" else {}),
        now=now).report


def test_the_tracking_page_shows_jayapura_time(client, jayapura):
    report = _report(jayapura)
    html = client.get(report.tracking_url()).content.decode()
    assert "3 Mar 2026 09:00 WIT" in html
    assert "08:00" not in html
    # the page's header names the report's city, not the installation's default
    assert "Sigap <small>Kota Jayapura</small>" in html and "Kota Kupang" not in html


def test_kupang_keeps_its_own_time(client, kupang, jayapura):
    report = _report(kupang, point=(-10.17, 123.60))
    html = client.get(report.tracking_url()).content.decode()
    assert "3 Mar 2026 08:00 WITA" in html


def test_open311_says_nine_plus_nine(client, jayapura):
    report = _report(jayapura)
    body = client.get(f"/open311/v2/requests/{report.ticket}.json").json()
    assert isinstance(body, list) and "requested_datetime" in body[0], body
    assert body[0]["requested_datetime"] == "2026-03-03T09:00:00+09:00"


def test_office_hour_deadlines_skip_papuas_gospel_day(jayapura):
    # PUPR works office hours: a drain reported on Wednesday 4 February 2026 at 15:00 WIT
    # has 1 office hour that day; 5 February is Papua's Hari Pekabaran Injil, so the rest
    # of its 4-hour first response runs on Friday 6 February from 08:00 WIT.
    pupr = Agency.objects.get(city=jayapura, code="PUPR")
    pupr.working_hours_only = True
    pupr.save(update_fields=["working_hours_only"])
    report = _report(jayapura, code="BANJIR_DRAINASE",
                     now=datetime(2026, 2, 4, 6, 0, tzinfo=UTC))
    due = report.response_due_at.astimezone(jayapura.tz)
    assert (due.month, due.day, due.hour) == (2, 6, 11)
    assert jayapura.regional_holidays[0]["month"] == 2


@pytest.mark.parametrize("code", ["kupang", "kabupaten-kupang"])
def test_the_ntt_packs_list_no_regional_holiday(province, code):
    assert province[code].regional_holidays == []


def test_the_rest_api_says_nine_plus_nine_from_any_host(client, kupang, jayapura):
    report = _report(jayapura)
    for host in ("testserver", "kupang.localhost"):
        body = client.get(f"/api/v1/reports/{report.ticket}/", HTTP_HOST=host).json()
        assert body["created_at"] == "2026-03-03T09:00:00+09:00", (host, body["created_at"])
    kupang_report = _report(kupang, point=(-10.17, 123.60))
    body = client.get(f"/api/v1/reports/{kupang_report.ticket}/").json()
    assert body["created_at"] == "2026-03-03T08:00:00+08:00"


def test_jayapura_staff_work_in_wit(client, make_user, jayapura):
    report = _report(jayapura)
    dispatcher = make_user("dispatcher", agency=Agency.objects.get(city=jayapura, code="DLHK"))
    client.force_login(dispatcher)
    html = client.get(f"/office/r/{report.ticket}/").content.decode()
    assert "09:00" in html and "08:00" not in html


def test_a_jayapura_export_is_in_wit(client, make_user, jayapura):
    report = _report(jayapura)
    client.force_login(make_user("executive", city=jayapura))
    response = client.get("/dasbor/ekspor.csv", {"dari": "2026-03-01", "sampai": "2026-03-31"})
    text = b"".join(response.streaming_content).decode() if response.streaming else \
        response.content.decode()
    line = next(row for row in text.splitlines() if report.ticket in row)
    assert "2026-03-03 09:00" in line or "2026-03-03T09:00" in line, line


def test_the_notification_tells_the_deadline_in_wit(jayapura, kupang):
    from sigap.notifications.models import Notification
    from sigap.notifications.services import render
    from sigap.reports.models import ReportEvent

    report = _report(jayapura)
    note = Notification(report=report, event=ReportEvent.objects.filter(report=report).first(),
                        purpose="reminder", channel="email", recipient="desk@example.org",
                        language="id")
    _subject, text, _html = render(note)  # the worker's zone: the install's default (WITA)
    due = report.response_due_at
    assert f"{due.astimezone(jayapura.tz):%H:%M}" in text, text
    assert f"{due.astimezone(kupang.tz):%H:%M}" not in text, text


def test_each_city_has_its_own_public_face_by_host_name(client, kupang, jayapura):
    home = client.get("/", HTTP_HOST="jayapura.localhost").content.decode()
    assert "Kota Jayapura" in home
    assert "Kota Jayapura" not in client.get("/").content.decode()  # the default: Kupang
    assert "Kota Kupang" in client.get("/", HTTP_HOST="kupang.localhost").content.decode()
    # An unknown first label is the default city, not an error.
    assert client.get("/", HTTP_HOST="sigap.localhost").status_code == 200
