"""Cities as tenants of one install (issue 26, decision 0016): the two-city isolation matrix.

Kota Kupang and Kota Jayapura, each with a public and a confidential report. Every staff role
of one city, on every office surface (the report page, the inbox and its search, acting, the
dashboard and its list, the exports, the capacity page, the REST API, the Django admin),
sees and acts on its own city's reports and never on the other's — and the rule holds by
construction: a query run under a staff member's scope cannot reach another city's rows,
whatever filter it forgot. Run on SQLite and on PostgreSQL (make test's two legs)."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse
from django_scopes import ScopeError

from sigap.agencies.models import Agency, Category
from sigap.cities import tenancy
from sigap.reports import services
from sigap.reports.models import Report, ReportEvent

pytestmark = pytest.mark.django_db

ROLES = ["officer", "dispatcher", "head", "admin", "executive"]
JAYAPURA_POINT = (-2.533, 140.717)
KUPANG_POINT = (-10.17, 123.60)


def _report(city, point, now, *, public=True):
    category = Category.objects.get(city=city, code="SAMPAH")
    answers = {a.code: (a.values[0][0] if a.values else "x")
               for a in category.attributes.filter(required=True)}
    data = services.NewReport(category=category, lat=point[0], lng=point[1],
                              description="Sampah menumpuk di pinggir jalan", answers=answers,
                              is_public=public)
    return services.create_report(city, data, now=now).report


@pytest.fixture
def two_cities(kupang, jayapura, now):
    return {
        "kupang": [_report(kupang, KUPANG_POINT, now), _report(kupang, KUPANG_POINT, now,
                                                                public=False)],
        "jayapura": [_report(jayapura, JAYAPURA_POINT, now),
                     _report(jayapura, JAYAPURA_POINT, now, public=False)],
    }


def _staff(make_user, role, city):
    if role in ("officer", "dispatcher", "head"):
        agency = Agency.objects.get(city=city, code="DLHK")
        user = make_user(role, agency=agency, username=f"{city.code}-{role}")
        if role == "officer":  # the officer acts on what is assigned to them
            for report in Report.objects.filter(city=city):
                Report.objects.filter(pk=report.pk).update(officer=user, status="assigned")
        return user
    return make_user(role, city=city, is_staff=True, username=f"{city.code}-{role}")


def _seen(client, ticket) -> dict:
    """Every office surface, asked about one ticket: what each answered."""
    out = {}
    page = client.get(reverse("backoffice:report", args=[ticket]))
    out["report page"] = page.status_code == 200 and ticket in page.content.decode()
    inbox = client.get(reverse("backoffice:inbox"), {"q": ticket, "status": "all"})
    # A row links to the report (the search box echoes the ticket typed).
    out["inbox search"] = reverse("backoffice:report", args=[ticket]) in inbox.content.decode()
    api = client.get(f"/api/v1/reports/{ticket}/")
    out["REST API"] = api.status_code == 200
    return out


def _dashboard_sees(client, ticket) -> dict:
    out = {}
    listing = client.get(reverse("dashboard:reports"), {"all": "", "dari": "2026-01-01",
                                                       "sampai": "2026-12-31"})
    out["dashboard list"] = ticket in listing.content.decode()
    export = client.get(reverse("dashboard:export_csv"), {"dari": "2026-01-01",
                                                         "sampai": "2026-12-31"})
    text = b"".join(export.streaming_content).decode() if export.streaming else \
        export.content.decode()
    out["CSV export"] = ticket in text
    return out


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("home", ["kupang", "jayapura"])
def test_staff_see_their_city_and_never_the_other(client, make_user, two_cities, role, home,
                                                  kupang, jayapura):
    city = {"kupang": kupang, "jayapura": jayapura}[home]
    other = "jayapura" if home == "kupang" else "kupang"
    user = _staff(make_user, role, city)
    client.force_login(user)
    for report in two_cities[home]:
        seen = _seen(client, report.ticket)
        if role == "executive":  # reads the dashboard, not the desk's pages
            seen.pop("inbox search")
        assert seen["report page"] and seen["REST API"], (role, "own", report.ticket, seen)
    for report in two_cities[other]:
        seen = _seen(client, report.ticket)
        assert not any(seen.values()), (role, "other city", report.ticket, seen)
    if role in ("head", "admin", "executive"):
        own = _dashboard_sees(client, two_cities[home][1].ticket)
        assert all(own.values()), (role, own)
        for report in two_cities[other]:
            assert not any(_dashboard_sees(client, report.ticket).values()), role
        # Asking for the other city by name is refused, not answered with one's own.
        assert client.get(reverse("dashboard:home"), {"kota": other}).status_code == 404


@pytest.mark.parametrize("role", ["dispatcher", "head", "admin"])
def test_staff_cannot_act_on_the_other_citys_report(client, make_user, two_cities, role,
                                                    kupang):
    client.force_login(_staff(make_user, role, kupang))
    target = two_cities["jayapura"][0]
    before = ReportEvent.objects.filter(report=target).count()
    response = client.post(reverse("backoffice:act", args=[target.ticket, "note"]),
                           {"text": "Bukan urusan kami", "visibility": "internal"})
    assert response.status_code in (403, 404)
    assert ReportEvent.objects.filter(report=target).count() == before
    own = two_cities["kupang"][0]
    response = client.post(reverse("backoffice:act", args=[own.ticket, "note"]),
                           {"text": "Sudah dicek", "visibility": "internal"})
    assert response.status_code in (200, 302)
    assert ReportEvent.objects.filter(report=own, note="Sudah dicek").exists()


def test_the_city_admin_lists_only_their_city_in_the_django_admin(client, make_user,
                                                                  two_cities, kupang):
    from sigap.accounts.roles import sync_user_groups

    user = _staff(make_user, "admin", kupang)
    sync_user_groups(user)
    client.force_login(user)
    page = client.get("/admin/reports/report/").content.decode()
    assert two_cities["kupang"][0].ticket in page
    assert not any(r.ticket in page for r in two_cities["jayapura"])
    agencies = client.get("/admin/agencies/agency/").content.decode()
    result = agencies[agencies.index('id="result_list"'):]
    assert "/admin/agencies/agency/" in result
    assert str(Agency.objects.get(city__code="jayapura", code="DLHK").pk) + "/change/" \
        not in result
    cities = client.get("/admin/cities/city/").content.decode()
    assert "/admin/cities/city/%d/change/" % kupang.pk in cities
    assert "Kota Jayapura" not in cities
    # Nor the other city's staff, nor citizens, nor the install's administrators.
    _staff(make_user, "dispatcher", Agency.objects.get(city__code="jayapura", code="DLHK").city)
    people = client.get("/admin/accounts/user/").content.decode()
    assert "kupang-admin" in people and "jayapura-dispatcher" not in people


def test_the_capacity_page_is_per_city(client, make_user, kupang, jayapura):
    client.force_login(_staff(make_user, "admin", jayapura))
    page = client.get(reverse("capacity:index"))
    assert page.status_code == 200 and "Jayapura" in page.content.decode()
    assert client.get(reverse("capacity:index"), {"kota": "kupang"}).status_code == 404


def test_a_staff_scope_cannot_reach_another_city_whatever_the_query(two_cities, kupang):
    with tenancy.scope_for_ids([kupang.pk]):
        assert set(Report.objects.values_list("city_id", flat=True)) == {kupang.pk}
        assert not Agency.objects.exclude(city=kupang).exists()
        assert Report.objects.filter(ticket=two_cities["jayapura"][0].ticket).first() is None


def test_a_thread_without_a_scope_is_refused_not_answered(two_cities):
    errors = []

    def unscoped():
        try:
            Report.objects.count()
        except ScopeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=unscoped)
    thread.start()
    thread.join()
    assert len(errors) == 1


def test_a_token_is_scoped_like_a_session(client, make_user, two_cities, kupang):
    from rest_framework.authtoken.models import Token

    user = _staff(make_user, "dispatcher", kupang)
    token = Token.objects.create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    hidden = two_cities["jayapura"][1]
    assert client.get(f"/api/v1/reports/{hidden.ticket}/", **header).status_code == 404
    own = two_cities["kupang"][1]
    assert client.get(f"/api/v1/reports/{own.ticket}/", **header).status_code == 200


def test_the_province_reads_the_roll_up_of_its_cities_only(client, make_user, two_cities,
                                                            kupang, kabupaten_kupang,
                                                            jayapura, now):
    from sigap.capacity.models import CapacityRun

    for city, share in ((kupang, 0.87), (jayapura, 0.5)):
        CapacityRun.objects.create(
            city=city, name=f"Rencana {city.code}", scenario="", status="done", created_at=now,
            finished_at=now, result={"overall": {"officers": 42, "response_compliance": share,
                                                 "resolve_compliance": share,
                                                 "utilisation": 0.61}})
    ntt = make_user("province", username="provinsi-53")
    ntt.oversees.add(kupang, kabupaten_kupang)
    client.force_login(ntt)
    page = client.get(reverse("dashboard:province"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-city="kupang"' in html and 'data-city="kabupaten-kupang"' in html
    assert 'data-city="jayapura"' not in html and 'data-city="total"' in html
    # Each city's latest capacity run, the province's cities only.
    capacity = html[html.index('id="province-capacity"'):]
    assert "Rencana kupang" in capacity and "87 %" in capacity
    assert "Rencana jayapura" not in capacity and "Belum ada simulasi" in capacity
    export = client.get(reverse("dashboard:province_csv")).content.decode("utf-8-sig")
    lines = export.splitlines()
    assert lines[0].startswith("city,") and [line.split(",")[0] for line in lines[1:]] == [
        "kabupaten-kupang", "kupang", "total"]
    # The province reads the roll-up, not the office: no report page, no city dashboard.
    assert client.get(reverse("backoffice:report",
                              args=[two_cities["kupang"][0].ticket])).status_code in (403, 404)
    assert client.get(reverse("dashboard:home")).status_code == 403
    # A city's executive has no roll-up.
    client.force_login(_staff(make_user, "executive", kupang))
    assert client.get(reverse("dashboard:province")).status_code == 403


def test_the_province_total_adds_counts_and_recomputes_shares():
    from sigap.dashboard import figures, stats

    def row(received, fixed, whole, population):
        return figures.ProvinceRow(
            city=None, received=received, per_1000=None, valid=whole,
            fixed=stats.Rate(fixed, whole), sla_response=stats.Rate(fixed, whole),
            sla_resolution=stats.Rate(fixed, whole), resolution_median_h=10.0,
            satisfaction=stats.Rate(0, 0), open_count=received - fixed, population=population)

    total = figures.province_total([row(100, 90, 100, 1000), row(1000, 500, 1000, 9000)])
    assert total.received == 1100 and total.fixed.part == 590 and total.fixed.whole == 1100
    assert total.fixed.percent == 54  # not the mean of 90 % and 50 %
    assert total.per_1000 == 110.0 and total.resolution_median_h is None
    assert figures.province_total([row(1, 1, 1, None), row(1, 1, 1, 10)]).population is None
