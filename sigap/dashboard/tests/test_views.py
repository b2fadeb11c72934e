"""The dashboard's pages: who sees what, numbers that lead to their reports, exports and the
public page without personal data."""

import csv
import io
import json
import re

import pytest

from sigap.cities.models import City

pytestmark = pytest.mark.django_db

PERIOD = "dari=2026-01-01&sampai=2026-11-02"
PERSONAL = ("Budi Rahasia", "6281234567890", "budi@example.com", "Tumpukan sampah")


@pytest.fixture(autouse=True)
def _clock(time_machine, now):
    time_machine.move_to(now, tick=False)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _count_in_list(client, url) -> int:
    html = body(client.get(url))
    return int(re.search(r"<h1>(\d+) laporan</h1>", html).group(1))


@pytest.mark.parametrize("name,status", [
    ("admin", 200), ("executive", 200), ("head", 200),
    ("dispatcher", 403), ("officer", 403), ("citizen", 403)])
def test_it_lets_in_only_the_city_and_agency_heads(client, people, name, status):
    client.force_login(people(name))
    assert client.get("/dasbor/").status_code == status
    assert client.get("/dasbor/ekspor.csv").status_code == status
    assert client.get("/dasbor/laporan/").status_code == status


def test_it_sends_visitors_to_sign_in(client):
    response = client.get("/dasbor/")
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_an_agency_head_sees_only_their_agency(client, history, people, kupang):
    from sigap.agencies.models import Agency

    pupr = Agency.objects.get(city=kupang, code="PUPR")
    client.force_login(people("head"))  # DLHK
    html = body(client.get(f"/dasbor/?{PERIOD}&dinas={pupr.pk}"))  # asks for PUPR: ignored
    assert re.search(r'data-figure="received">.*?<strong class="big">8</strong>', html, re.S)
    assert _count_in_list(client, f"/dasbor/laporan/?{PERIOD}&dinas={pupr.pk}&f=all") == 8
    rows = list(csv.DictReader(io.StringIO(body(client.get(
        f"/dasbor/ekspor.csv?{PERIOD}&dinas={pupr.pk}")))))
    assert len(rows) == 8 and {r["dinas"] for r in rows} == {"DLHK"}
    assert client.get("/dasbor/bulanan/PUPR/").status_code == 403
    client.force_login(people("head_pupr"))
    rows = list(csv.DictReader(io.StringIO(body(client.get(f"/dasbor/ekspor.csv?{PERIOD}")))))
    assert [r["tiket"] for r in rows] == [history["R8"].ticket]


def test_the_city_sees_every_agency(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/?{PERIOD}"))
    assert re.search(r'data-figure="received">.*?<strong class="big">9</strong>', html, re.S)
    assert "Target kota" in html


def test_every_number_leads_to_as_many_reports(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/?{PERIOD}"))
    # Each outcome's link, with the count written beside it.
    pairs = re.findall(r'<a href="([^"]+)"><span class="name">[^<]+</span>'
                       r'<span class="n">(\d+)</span>', html)
    assert len(pairs) >= 10
    for url, shown in pairs:
        url = url.replace("&amp;", "&")
        assert _count_in_list(client, url) == int(shown), url
    # The headline: received 9, of which fixed 3.
    fixed_url = re.search(r'<a class="card good" href="([^"]+)"', html).group(1)
    assert _count_in_list(client, fixed_url.replace("&amp;", "&")) == 3


def test_the_list_links_each_report_to_the_office(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/laporan/?{PERIOD}&f=outcome:waiting_citizen"))
    assert f'/office/r/{history["R7"].ticket}/' in html
    assert history["R1"].ticket not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_exports_carry_no_personal_data(client, history, people, fmt):
    client.force_login(people("executive"))
    response = client.get(f"/dasbor/ekspor.{fmt}?{PERIOD}")
    assert response.status_code == 200 and response.streaming
    raw = b"".join(response.streaming_content)
    if fmt == "xlsx":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            text = " ".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
        assert history["R1"].ticket in text
    else:
        text = raw.decode("utf-8-sig")
    for secret in PERSONAL:
        assert secret not in text
    if fmt == "geojson":
        data = json.loads(text)
        assert len(data["features"]) == 9
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == 9


def test_each_export_is_in_the_audit_of_personal_data(client, history, people):
    from sigap.accounts.models import AuditEntry

    executive = people("executive")
    client.force_login(executive)
    for fmt in ("csv", "xlsx", "geojson"):
        b"".join(client.get(f"/dasbor/ekspor.{fmt}?{PERIOD}&f=fixed").streaming_content)
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("pk")
    assert [(e.actor, e.target) for e in entries] == [
        (executive, f"dasbor/ekspor.{fmt}") for fmt in ("csv", "xlsx", "geojson")]
    assert entries[0].detail["query"] == f"{PERIOD}&f=fixed"


def test_exports_follow_the_number_they_came_from(client, history, people):
    client.force_login(people("executive"))
    rows = list(csv.DictReader(io.StringIO(body(client.get(
        f"/dasbor/ekspor.csv?{PERIOD}&f=fixed")))))
    assert sorted(r["tiket"] for r in rows) == sorted(
        history[n].ticket for n in ("R1", "R3", "R4"))


def test_a_sensitive_category_is_exported_at_its_kelurahan(client, make_report, people,
                                                           kupang):
    from sigap.agencies.models import Category

    cat = Category.objects.filter(city=kupang, is_sensitive=True).first()
    assert cat is not None, "the Kupang pack has sensitive categories"
    report = make_report(code=cat.code, lat=-10.1716, lng=123.6711, description="Rahasia")
    client.force_login(people("executive"))
    rows = list(csv.DictReader(io.StringIO(body(client.get(f"/dasbor/ekspor.csv?{PERIOD}")))))
    [row] = rows
    assert row["ketelitian_lokasi"] == "kelurahan" and row["alamat"] == ""
    assert (float(row["lintang"]), float(row["bujur"])) == (
        round(report.kelurahan.centroid_lat, 3), round(report.kelurahan.centroid_lng, 3))
    assert (float(row["lintang"]), float(row["bujur"])) != (-10.1716, 123.6711)


def test_the_dashboard_reads_a_fixed_number_of_queries(client, history, people,
                                                       django_assert_max_num_queries):
    client.force_login(people("executive"))
    City.all_cached()  # the index of cities the middleware reads once a process
    with django_assert_max_num_queries(30):
        assert client.get(f"/dasbor/?{PERIOD}").status_code == 200


def test_the_monthly_report_prints(client, history, people):
    client.force_login(people("admin"))
    html = body(client.get("/dasbor/bulanan/DLHK/?bulan=2026-01"))
    assert "Laporan bulanan" in html and "report-sheet" in html
    assert re.search(r"Laporan masuk</span><strong class=\"big\">8</strong>", html)


def test_the_public_page_needs_no_sign_in_and_hides_what_is_not_public(client, history,
                                                                       kupang, now):
    from sigap.dashboard import public
    from sigap.reports.models import Report

    Report.objects.filter(pk=history["R9"].pk).update(is_public=False)  # confidential
    public.refresh(kupang, now=now)
    html = body(client.get("/transparansi/"))
    # 9 reports less the rejected, the duplicate and the confidential one
    assert re.search(r'data-figure="received">6<', html)
    for secret in PERSONAL:
        assert secret not in html
    text = body(client.get("/transparansi/data.csv"))
    tickets = [r["tiket"] for r in csv.DictReader(io.StringIO(text))]
    assert sorted(tickets) == sorted(history[n].ticket for n in ("R1", "R2", "R3", "R4",
                                                                  "R7", "R8"))
    for secret in PERSONAL:
        assert secret not in text
    geo = json.loads(body(client.get("/transparansi/data.geojson")))
    assert len(geo["features"]) == 6
    assert "CC BY 4.0" in body(client.get("/transparansi/kamus-data/"))


def test_the_public_page_reads_the_worker_snapshot(client, history, kupang, now,
                                                   django_assert_max_num_queries):
    from sigap.dashboard import tasks

    assert tasks.refresh_transparency(now=now) >= 1
    # The snapshot, the city, the labels, the board's opted-in names: not reports.
    with django_assert_max_num_queries(7):
        assert client.get("/transparansi/").status_code == 200


def test_a_missing_public_snapshot_is_left_to_the_worker(client, history, kupang, monkeypatch):
    """No visitor computes the public figures (minutes at a million reports, and a crowd would
    each start their own): the page asks the worker, says the figures are being prepared,
    and offers the open data meanwhile. The worker's job makes the snapshot once."""
    from sigap.dashboard import public, tasks

    queued = []
    monkeypatch.setattr(tasks, "prepare_transparency", queued.append)  # a queue, not run yet
    response = client.get("/transparansi/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    html = body(response)
    assert 'data-pending="1"' in html and "/transparansi/data.csv" in html
    assert 'data-figure="received"' not in html
    assert queued == [kupang.pk]
    monkeypatch.undo()
    assert tasks.prepare_transparency.call_local(kupang.pk) is True
    assert tasks.prepare_transparency.call_local(kupang.pk) is False  # made once
    assert public.stored(kupang) is not None
    assert 'data-figure="received"' in body(client.get("/transparansi/"))


def test_the_public_page_says_so_when_the_queue_is_down(client, history, monkeypatch):
    from sigap.dashboard import tasks

    def down(city_id):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "prepare_transparency", down)
    response = client.get("/transparansi/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "figures are being prepared" in body(response)


def test_the_worker_keeps_the_citys_figures_ready(client, history, people, now, make_report,
                                                  time_machine, django_assert_max_num_queries):
    from datetime import timedelta

    from sigap.dashboard import tasks

    assert tasks.refresh_dashboards(now=now) == 1 + 6 + 8  # city, kecamatan, agencies
    client.force_login(people("executive"))
    with django_assert_max_num_queries(12):  # session, user, city, filters: no reports
        html = body(client.get("/dasbor/"))  # the default: this year up to today
    assert re.search(r'data-figure="received">.*?<strong class="big">9</strong>', html, re.S)
    make_report(at=now)
    assert re.search(r'data-figure="received">.*?<strong class="big">9</strong>',
                     body(client.get("/dasbor/")), re.S)  # stored figures, said how old
    time_machine.move_to(now + timedelta(minutes=59), tick=False)  # the worker is busy or late
    assert re.search(r'data-figure="received">.*?<strong class="big">9</strong>',
                     body(client.get("/dasbor/")), re.S)  # still the stored figures
    time_machine.move_to(now + timedelta(minutes=61), tick=False)
    assert re.search(r'data-figure="received">.*?<strong class="big">10</strong>',
                     body(client.get("/dasbor/")), re.S)  # too old: computed again


def test_one_refresh_of_the_citys_figures_runs_at_a_time(history, time_machine, now):
    """The periodic refresh does the public snapshot and the standard scopes in one task; a
    run that finds the previous one still going (a million reports take minutes) is skipped
    instead of taking the worker's other thread."""
    from huey.contrib.djhuey import HUEY
    from huey.exceptions import TaskLockedException

    from sigap.dashboard import tasks

    time_machine.move_to(now, tick=False)
    with HUEY.lock_task(tasks.REFRESH_LOCK):
        with pytest.raises(TaskLockedException):
            tasks.refresh_city_figures_periodically.call_local()
    assert tasks.refresh_city_figures_periodically.call_local() == (1, 1 + 6 + 8)


def test_it_speaks_english_through_the_catalogue(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Reports received" in html and "Closed by the agency without confirmation" in html
    assert "Laporan masuk" not in html
    assert "Received" in html  # the league tables' column, not the sign-in button's "Sign in"


def test_the_worker_reads_the_city_once_and_each_scope_gets_its_own_figures(history, kupang,
                                                                            now):
    from sigap.dashboard import figures, rollup

    scopes = rollup.standard_scopes(kupang, today=now.astimezone(kupang.tz).date())
    city_facts = figures.load(scopes[0], now=now)
    for scope in scopes:
        direct = figures.load(scope, now=now)
        part = rollup.part_of(city_facts, scope)
        assert sorted(f.id for f in part) == sorted(f.id for f in direct)
        assert figures.summarise(part) == figures.summarise(direct)
    assert any(len(rollup.part_of(city_facts, s)) < len(city_facts) for s in scopes[1:])


def test_the_list_says_which_deadline_each_report_missed(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/laporan/?{PERIOD}&f=all"))
    missed = {re.search(r"/office/r/([^/]+)/", row).group(1):
              re.search(r'<td class="left missed">([^<]*)</td>', row).group(1)
              for row in html.split("<tr>")[2:]}
    assert missed[history["R4"].ticket] == "tanggapan pertama"  # answered after 30 h of 24
    assert missed[history["R2"].ticket] == "penyelesaian"  # resolved after 80 h of 72
    assert missed[history["R1"].ticket] == "–"


def test_the_on_time_card_links_each_count_to_its_own_reports(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/?{PERIOD}"))
    card = html.split('data-figure="sla"')[1].split("</div>")[0]
    links = {fig: (url, int(n.replace(".", ""))) for url, fig, n in re.findall(
        r'href="([^"]+)" data-figure="(sla-met|sla-late)">([\d.]+)', card)}
    met_url, met = links["sla-met"]
    late_url, late = links["sla-late"]
    assert late > 0 and met > 0
    late_page = body(client.get(late_url.replace("&amp;", "&")))
    assert _count_in_list(client, late_url.replace("&amp;", "&")) == late
    assert "Diselesaikan terlambat" in late_page.split('id="filter-words"')[1]
    assert _count_in_list(client, met_url.replace("&amp;", "&")) == met
    decided = re.search(r'<a class="big" href="([^"]+)"', card).group(1).replace("&amp;", "&")
    assert _count_in_list(client, decided) == met + late


def test_every_list_names_its_filter(client, history, people, kupang):
    from sigap.agencies.models import Category

    client.force_login(people("executive"))
    sampah = Category.objects.get(city=kupang, code="SAMPAH")
    words = body(client.get(f"/dasbor/laporan/?{PERIOD}&f=fixed&f=category:{sampah.pk}"))
    assert re.search(r'id="filter-words"><strong>Beres</strong> · <strong>Kategori Sampah'
                     r'</strong></p>', words)
    assert "<strong>Semua laporan terbuka</strong>" in body(
        client.get(f"/dasbor/laporan/?{PERIOD}&open=1"))


def test_the_trend_marks_a_week_the_period_covers_in_part(kupang, now):
    from datetime import date

    from sigap.dashboard import figures, page
    from sigap.dashboard.scope import Scope

    scope = Scope(city_id=kupang.pk, tz=kupang.tz, start=date(2026, 10, 1),
                  end=date(2026, 11, 4))  # Thursday to a Wednesday
    weeks = page.weekly_series(scope, [])
    assert [w["partial"] for w in weeks] == [True, False, False, False, False, True]
    assert not figures.partial_week(date(2026, 10, 5), scope)


def test_the_city_monthly_report_compares_with_earlier_months(client, history, people):
    client.force_login(people("executive"))
    html = body(client.get("/dasbor/bulanan/?bulan=2026-02"))
    row = html.split('data-row="received"')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells[0] == "0" and cells[1] == "9" and cells[2].startswith("-9")
    assert "semua dinas" in html and 'id="partial-month"' not in html
    january = body(client.get("/dasbor/bulanan/?bulan=2026-01"))
    assert re.findall(r"<td[^>]*>([^<]*)</td>",
                      january.split('data-row="received"')[1].split("</tr>")[0])[:3] == [
        "9", "0", "+9"]
    assert 'id="partial-month"' in body(client.get("/dasbor/bulanan/?bulan=2026-11"))


def test_an_agency_head_gets_no_city_monthly_report(client, history, people):
    client.force_login(people("head"))
    assert client.get("/dasbor/bulanan/").status_code == 403
    assert client.get("/dasbor/bulanan/DLHK/").status_code == 200


def test_the_team_league_ranks_only_reports_that_reached_a_team(client, history, people):
    from sigap.reports.models import Report

    client.force_login(people("executive"))
    html = body(client.get(f"/dasbor/?{PERIOD}"))
    team_league = html.split("Peringkat: Tim reaksi cepat")[1].split("</section>")[0]
    assert "(tidak diketahui)" not in team_league
    assert "Hanya laporan yang sudah sampai ke tim" in team_league
    counted = sum(int(re.search(r'<td><a href="[^"]*">([\d.]+)</a></td>', row).group(1)
                      .replace(".", "")) for row in team_league.split("<tr>")[2:])
    with_team = Report.objects.exclude(team=None).count()
    assert Report.objects.filter(team=None).exists()
    assert counted == with_team > 0
    # The agency league and the public page each say how their counts differ.
    assert 'id="internal-count-note"' in html
    assert 'id="public-count-note"' in body(client.get("/transparansi/"))
