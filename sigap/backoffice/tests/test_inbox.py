"""The dispatcher inbox: order, filters, actions, bulk, templates, auto-assignment, queries."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from sigap.backoffice.models import ResponseTemplate
from sigap.reports import services
from sigap.reports.models import Follower, Report, Support


def _tickets(response):
    return re.findall(r'name="tickets" value="([^"]+)"', response.content.decode())


def _act(client, report, action, **data):
    return client.post(reverse("backoffice:act", args=[report.ticket, action]), data)


@pytest.mark.django_db
def test_it_sorts_by_priority_then_due_time(client, people, make_report, category, now):
    late = make_report(at=now)                                 # P3, due +24 h
    early = make_report(at=now - timedelta(hours=20))          # P3, due +4 h
    urgent = make_report("POHON_TUMBANG", at=now)              # DLHK too; priority from CSV
    urgent_report = Report.objects.get(pk=urgent.pk)
    Report.objects.filter(pk=urgent.pk).update(priority=1)
    client.force_login(people("dispatcher"))
    order = _tickets(client.get(reverse("backoffice:inbox")))
    assert order == [urgent_report.ticket, early.ticket, late.ticket]


@pytest.mark.django_db
def test_it_filters_by_status_category_kecamatan_and_overdue(client, people, make_report, now):
    overdue = make_report(at=now - timedelta(days=3))
    fresh = make_report(at=now, lat=-10.16, lng=123.58)
    client.force_login(people("dispatcher"))
    url = reverse("backoffice:inbox")
    with time_machine.travel(now, tick=False):
        assert _tickets(client.get(url, {"overdue": "1"})) == [overdue.ticket]
        page = client.get(url).content.decode()
    assert 'class="due overdue"' in page
    assert _tickets(client.get(url, {"status": "verified"})) == []
    other_cat = client.get(url, {"category": fresh.category_id + 1000})
    assert _tickets(other_cat) == []
    assert set(_tickets(client.get(url, {"category": fresh.category_id}))) == {
        overdue.ticket, fresh.ticket}
    kec = Report.objects.get(pk=fresh.pk).kecamatan_id
    expected = {t for t, k in Report.objects.values_list("ticket", "kecamatan_id") if k == kec}
    assert set(_tickets(client.get(url, {"kecamatan": kec}))) == expected


@pytest.mark.django_db
def test_it_lets_the_admin_see_every_agency_and_the_triage_desk(client, people, make_report):
    sampah = make_report()
    other = make_report("LAINNYA", description="Entah dinas mana")
    client.force_login(people("admin"))
    url = reverse("backoffice:inbox")
    assert set(_tickets(client.get(url))) == {sampah.ticket, other.ticket}
    assert _tickets(client.get(url, {"agency": "KOMINFO"})) == [other.ticket]
    client.force_login(people("dispatcher"))
    assert _tickets(client.get(url)) == [sampah.ticket]


@pytest.mark.django_db
def test_it_verifies_rejects_and_keeps_the_reason(client, people, make_report):
    a, b = make_report(), make_report()
    client.force_login(people("dispatcher"))
    _act(client, a, "verify")
    _act(client, b, "reject", reason="not_city_matter", note="Milik provinsi")
    assert Report.objects.get(pk=a.pk).status == "verified"
    b = Report.objects.get(pk=b.pk)
    assert b.status == "rejected" and b.reject_reason == "Bukan kewenangan pemerintah kota"


@pytest.mark.django_db
def test_it_needs_a_reject_reason(client, people, make_report):
    report = make_report()
    client.force_login(people("dispatcher"))
    response = _act(client, report, "reject", reason="")
    assert Report.objects.get(pk=report.pk).status == "submitted"
    assert "Pilih alasan penolakan" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_it_merges_a_duplicate_into_the_kept_report(client, people, make_report, make_user, now):
    kept, dup = make_report(), make_report()
    fan = make_user("citizen")
    services.follow(dup.pk, user=fan, now=now)
    services.support(dup.pk, supporter_key="browser-1", user=None, now=now)
    client.force_login(people("dispatcher"))
    _act(client, dup, "duplicate", of=kept.ticket.lower())
    dup.refresh_from_db()
    assert dup.status == "duplicate" and dup.duplicate_of_id == kept.pk
    assert Follower.objects.filter(report=kept, user=fan).exists()
    assert Support.objects.filter(report=kept, supporter_key="browser-1").exists()


@pytest.mark.django_db
def test_it_reassigns_to_another_agency_with_a_reason(client, people, make_report):
    from sigap.agencies.models import Agency

    report = make_report()
    pupr = Agency.objects.get(code="PUPR")
    client.force_login(people("dispatcher"))
    _act(client, report, "reassign", agency=pupr.pk, reason="")
    assert Report.objects.get(pk=report.pk).agency.code == "DLHK"
    response = _act(client, report, "reassign", agency=pupr.pk, reason="Jalan, bukan sampah")
    assert response["Location"] == reverse("backoffice:inbox")  # no longer this desk's
    report.refresh_from_db()
    assert report.agency_id == pupr.pk
    event = report.events.get(kind="reassigned")
    assert event.note == "Jalan, bukan sampah"


@pytest.mark.django_db
def test_it_assigns_to_a_team_or_officer_and_can_override(client, people, make_report, make_user):
    from sigap.agencies.models import Team

    report = make_report()
    officer = people("officer")
    second = make_user("officer", agency="DLHK")
    client.force_login(people("dispatcher"))
    _act(client, report, "verify")
    _act(client, report, "assign", officer=officer.pk)
    assert Report.objects.get(pk=report.pk).officer_id == officer.pk
    _act(client, report, "assign", officer=second.pk)
    assert Report.objects.get(pk=report.pk).officer_id == second.pk
    other_team = Team.objects.create(agency=report.agency, code="dlhk-2", name="Tim 2")
    _act(client, report, "assign", team=other_team.pk)
    report.refresh_from_db()
    assert report.team_id == other_team.pk and report.officer_id is None
    _act(client, report, "assign", officer=people("officer_other").pk)
    assert Report.objects.get(pk=report.pk).team_id == other_team.pk  # refused: other agency


@pytest.mark.django_db
def test_it_auto_assigns_to_the_least_loaded_officer_on_duty(people, make_report, make_user, now):
    from sigap.agencies.models import Agency

    Agency.objects.filter(code="DLHK").update(auto_assign=True)
    busy, idle, off = people("officer"), make_user("officer", agency="DLHK"), \
        make_user("officer", agency="DLHK", on_duty=False)
    first = make_report()
    services.assign(first.pk, actor=people("admin"), now=now, officer=busy)
    report = make_report()
    services.verify(report.pk, actor=people("dispatcher"), now=now)
    report.refresh_from_db()
    assert report.status == "assigned" and report.officer_id == idle.pk
    assert report.officer_id != off.pk
    assert report.events.filter(kind="assigned", actor_role="system").exists()


@pytest.mark.django_db
def test_it_adds_public_and_internal_notes_from_templates(client, people, make_report):
    report = make_report()
    ResponseTemplate.objects.create(agency=report.agency, title="Dijadwalkan",
                                    text="Petugas dijadwalkan besok pagi.")
    ResponseTemplate.objects.create(city=report.city, agency=None, title="Untuk semua",
                                    text="Terima kasih.")
    from sigap.agencies.models import Agency

    ResponseTemplate.objects.create(agency=Agency.objects.get(code="PUPR"), title="PUPR saja",
                                    text="x")
    client.force_login(people("dispatcher"))
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Dijadwalkan" in page and "Untuk semua" in page and "PUPR saja" not in page
    _act(client, report, "note", text="Petugas dijadwalkan besok pagi.", visibility="public")
    _act(client, report, "note", text="Truk sedang servis", visibility="internal")
    events = {e.kind: e for e in report.events.all()}
    assert events["public_note"].is_public and not events["internal_note"].is_public
    assert Report.objects.get(pk=report.pk).status_note == "Petugas dijadwalkan besok pagi."


@pytest.mark.django_db
def test_it_bulk_verifies_and_assigns(client, people, make_report):
    reports = [make_report() for _ in range(3)]
    officer = people("officer")
    client.force_login(people("dispatcher"))
    tickets = [r.ticket for r in reports]
    client.post(reverse("backoffice:bulk"), {"action": "verify", "tickets": tickets[:2]})
    statuses = dict(Report.objects.values_list("ticket", "status"))
    assert [statuses[t] for t in tickets] == ["verified", "verified", "submitted"]
    client.post(reverse("backoffice:bulk"), {"action": "assign", "tickets": tickets,
                                              "officer": officer.pk})
    assert set(Report.objects.filter(ticket__in=tickets).values_list("officer", flat=True)) \
        == {officer.pk}


@pytest.mark.django_db
def test_it_pauses_and_resumes_the_sla_from_the_report_page(client, people, make_report):
    report = make_report()
    client.force_login(people("dispatcher"))
    _act(client, report, "pause", note="Mohon kirim foto dari dekat")
    assert Report.objects.get(pk=report.pk).sla_paused_at is not None
    _act(client, report, "resume")
    assert Report.objects.get(pk=report.pk).sla_paused_at is None
    assert report.events.filter(kind="sla_resumed").exists()


def _inbox_queries(client, django_assert_max_num_queries, url):
    # One more than before issue 26: the index of cities the middleware reads (once a process).
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 30])
def test_it_answers_with_a_bounded_number_of_queries(
        client, people, make_report, django_assert_max_num_queries, rows, now):
    officer = people("officer")
    for i in range(rows):
        report = make_report(at=now - timedelta(minutes=i))
        if i % 2:
            services.assign(report.pk, actor=people("admin"), now=now, officer=officer)
    client.force_login(people("dispatcher"))
    response = _inbox_queries(client, django_assert_max_num_queries, reverse("backoffice:inbox"))
    assert len(_tickets(response)) == rows
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        tasks = client.get(reverse("backoffice:tasks"))
    assert tasks.content.decode().count('href="/office/tugas/KPG-') == rows // 2


@pytest.mark.django_db
def test_it_shows_the_delivery_state_of_notifications(client, people, make_report, make_user,
                                                      committed, now):
    report = make_report(reporter=make_user("citizen", email="warga@contoh.id"))
    committed(services.verify, report.pk, actor=people("admin"), now=now)
    client.force_login(people("dispatcher"))
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Pemberitahuan terkirim" in page and "<strong>Terkirim</strong>" in page
    inbox = client.get(reverse("backoffice:inbox")).content.decode()
    assert 'hx-trigger="every 60s' in inbox  # the list refreshes itself


@pytest.mark.django_db
def test_it_never_redirects_off_site(client, people, make_report):
    report = make_report()
    client.force_login(people("dispatcher"))
    for data in ({"action": "verify", "tickets": [report.ticket], "next": "https://evil.test/"},
                 {"action": "nothing", "next": "https://evil.test/"}):
        response = client.post(reverse("backoffice:bulk"), data)
        assert response["Location"] == reverse("backoffice:inbox")
    response = client.post(reverse("backoffice:act", args=[report.ticket, "note"]),
                           {"text": "x", "next": "//evil.test/"})
    assert response["Location"] == reverse("backoffice:report", args=[report.ticket])


def test_the_inbox_shows_each_reports_photo_and_the_page_on_a_map(client, people, make_report,
                                                                  photo):
    import json

    with_photo = make_report(photos=[photo()])
    without = make_report(lat=-10.18, lng=123.61)
    client.force_login(people("dispatcher"))
    html = client.get(reverse("backoffice:inbox")).content.decode()
    thumb = with_photo.photos.get().thumb_url
    assert f'class="thumb" src="{thumb}"' in html
    assert html.count('class="thumb"') == 1
    points = json.loads(html.split('id="inbox-points" type="application/json">')[1]
                        .split("</script>")[0])
    assert {p["t"] for p in points} == {with_photo.ticket, without.ticket}
    assert 'id="inbox-map"' in html


def test_the_city_pack_seeds_response_templates_per_agency(kupang, client, people,
                                                         make_report):
    from sigap.backoffice.models import ResponseTemplate
    from sigap.cities.citypack import load_pack

    dlhk = ResponseTemplate.objects.filter(agency__code="DLHK", agency__city=kupang)
    titles = set(dlhk.values_list("title", flat=True))
    assert {"Sudah dijadwalkan", "Di luar kewenangan", "Butuh informasi tambahan",
            "Sampah dijadwalkan diangkut"} <= titles
    assert "Lampu jalan diganti" not in titles  # PUPR's
    count = ResponseTemplate.objects.count()
    load_pack("kupang")  # loading again changes nothing
    assert ResponseTemplate.objects.count() == count
    report = make_report()
    client.force_login(people("dispatcher"))
    html = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Sampah dijadwalkan diangkut" in html and "data-template-for" in html


def test_the_detail_page_names_commenters_and_shows_the_rating(client, people, make_report,
                                                               make_user, now, photo):
    from sigap.reports import services

    named = make_user("citizen", display_name="Bu Maria", username="w1a2b3c4d5e6")
    nameless = make_user("citizen", username="w9f8e7d6c5b4")
    reporter = make_user("citizen")
    report = make_report(reporter=reporter)
    services.add_comment(report.pk, actor=named, now=now, text="Saya juga lihat")
    services.add_comment(report.pk, actor=nameless, now=now, text="Betul")
    officer = people("officer")
    services.assign(report.pk, actor=people("dispatcher"), now=now, officer=officer)
    services.resolve(report.pk, actor=officer, now=now, note="Beres", photos=[photo()])
    services.reporter_confirms(report.pk, fixed=True, now=now, actor=reporter, stars=4)
    client.force_login(people("dispatcher"))
    html = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Bu Maria" in html
    assert "w9f8e7d6c5b4" not in html and "w1a2b3c4d5e6" not in html
    assert 'id="rating">4/5' in html
