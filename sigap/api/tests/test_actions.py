"""Back-office actions over the API: the services' rules, as a permission matrix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import jpeg_bytes
from sigap.reports import services
from sigap.reports.models import Report

pytestmark = pytest.mark.django_db


def act(client, report, action, data=None, **kwargs):
    return client.post(f"/api/v1/reports/{report.ticket}/{action}/", data or {}, **kwargs)


@pytest.mark.parametrize("who,status", [
    ("anon", 401), ("citizen", 403), ("other_dispatcher", 403), ("dispatcher", 200),
    ("head", 200), ("admin", 200),
])
def test_it_lets_only_the_handling_agencys_desk_verify(api, as_user, make_user, make_report,
                                                       who, status):
    report = make_report()
    users = {"citizen": lambda: make_user(),
             "other_dispatcher": lambda: make_user("dispatcher", agency="PUPR"),
             "dispatcher": lambda: make_user("dispatcher", agency="DLHK"),
             "head": lambda: make_user("head", agency="DLHK"),
             "admin": lambda: make_user("admin")}
    client = api if who == "anon" else as_user(users[who]())
    response = act(client, report, "verify")
    assert response.status_code == status
    expected = "verified" if status == 200 else "submitted"
    assert Report.objects.get(pk=report.pk).status == expected
    if status == 200:
        assert response.json()["status"] == "verified"


def test_it_walks_a_report_through_its_whole_life(as_user, make_user, make_report, kupang):
    from sigap.agencies.models import Team

    report = make_report()
    desk = as_user(make_user("dispatcher", agency="DLHK"))
    officer = make_user("officer", agency="DLHK", username="petugas1")
    field = as_user(officer)
    assert act(desk, report, "verify").status_code == 200
    assert act(desk, report, "assign", {"officer": "petugas1"}).json()["status"] == "assigned"
    team = Team.objects.get(agency__code="DLHK", code="dlhk-qr")
    assert act(desk, report, "assign", {"team": team.code}).status_code == 200
    assert act(field, report, "start").json()["status"] == "in_progress"
    resolved = act(field, report, "resolve", {
        "note": "Sudah diangkut", "photo": [SimpleUploadedFile("p.jpg", jpeg_bytes())]},
        format="multipart")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert [p["kind"] for p in resolved.json()["photos"]] == ["proof"]
    assert act(desk, report, "close").json()["status"] == "closed"
    assert act(desk, report, "reopen", {"reason": "Sampah kembali"}).json()["status"] == \
        "reopened"
    kinds = list(Report.objects.get(pk=report.pk).events.values_list("kind", flat=True))
    assert kinds.count("status") >= 5


@pytest.mark.parametrize("action,data,status,field", [
    ("start", {}, 409, None),
    ("resolve", {"note": "x"}, 400, "photo"),
    ("reject", {}, 400, "reason"),
    ("assign", {}, 400, "officer"),
    ("assign", {"officer": "nobody"}, 400, "officer"),
    ("assign", {"team": "nope"}, 400, "team"),
    ("reopen", {"reason": "x"}, 409, None),
    ("mark-duplicate", {"of": "KPG-2026-999999"}, 400, "of"),
    ("reassign", {"agency": "PUPR"}, 400, "reason"),
    ("reassign", {"agency": "XX", "reason": "salah"}, 400, "agency"),
    ("reassign", {"agency": "DLHK", "reason": "sama"}, 400, "agency"),
])
def test_it_refuses_bad_actions_with_the_right_status(as_user, make_user, make_report, action,
                                                      data, status, field):
    report = make_report()
    response = act(as_user(make_user("dispatcher", agency="DLHK")), report, action, data,
                   format="multipart")
    assert response.status_code == status, response.json()
    if field:
        assert field in response.json()
    else:
        assert response.json()["detail"]
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_it_rejects_merges_and_reassigns(as_user, make_user, make_report):
    desk = as_user(make_user("dispatcher", agency="DLHK"))
    one, two, three, kept = (make_report() for _ in range(4))
    assert act(desk, one, "reject", {"reason": "spam"}).json()["status"] == "rejected"
    merged = act(desk, two, "mark-duplicate", {"of": kept.ticket})
    assert merged.json()["status"] == "duplicate"
    moved = act(desk, three, "reassign", {"agency": "PUPR", "reason": "Drainase"})
    assert moved.status_code == 200 and moved.json()["agency"] == "PUPR"
    # Now another agency's report: this desk may no longer act on it.
    assert act(desk, three, "verify").status_code == 403


def test_it_lets_the_reporter_close_but_not_verify(as_user, make_user, make_report, now):
    citizen = make_user()
    report = make_report(reporter=citizen)
    client = as_user(citizen)
    assert act(client, report, "verify").status_code == 403
    admin = make_user("admin")
    services.verify(report.pk, actor=admin, now=now)
    services.assign(report.pk, actor=admin, now=now, team=_team(report))
    services.resolve(report.pk, actor=admin, now=now, note="ok", photos=[jpeg_bytes()])
    assert act(client, report, "close").json()["status"] == "closed"


def _team(report):
    from sigap.agencies.models import Team

    return Team.objects.create(agency=report.agency, code="t9", name="T9")


def test_it_answers_404_for_an_unknown_ticket(as_user, make_user):
    client = as_user(make_user("admin"))
    assert client.post("/api/v1/reports/KPG-2026-000999/verify/").status_code == 404


def test_it_throttles_anonymous_clients_per_address(api, real_throttles, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    codes = [api.get("/api/v1/categories/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = api.get("/api/v1/categories/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_it_throttles_signed_in_users_per_account(as_user, make_user, real_throttles,
                                                  monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/min",
                                                                "user": "2/min"})
    client = as_user(make_user())
    codes = [client.get("/api/v1/categories/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert as_user(make_user()).get("/api/v1/categories/").status_code == 200


def test_it_throttles_a_forged_forwarded_address_as_its_peer(api, real_throttles, monkeypatch,
                                                             settings):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    codes = [api.get("/api/v1/categories/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429]
    # Behind a configured proxy, the address it forwards is the client's.
    settings.SIGAP_TRUSTED_PROXIES = ["127.0.0.1"]
    behind = api.get("/api/v1/categories/", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert behind.status_code == 200
