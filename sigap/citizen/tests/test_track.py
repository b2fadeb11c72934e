"""/r/<ticket>: the public timeline, privacy, and the reporter's "Sudah beres?"."""

import pytest
from django.urls import reverse

from sigap.reports import services, tasks
from sigap.reports.models import Report, ReportEvent
from sigap.reports.workflow import Status


@pytest.fixture
def resolved(make_report, make_user, now, photo):
    """Return a make(**kwargs) of a report resolved by a DLHK officer with a proof photo."""

    def make(code="SAMPAH", **kwargs):
        report = make_report(code, **kwargs)
        dispatcher = make_user("dispatcher", agency="DLHK", first_name="Dina",
                               last_name="Dispatcher")
        officer = make_user("officer", agency="DLHK", first_name="Oskar", last_name="Petugas")
        services.verify(report.pk, actor=dispatcher, now=now)
        services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
        services.add_note(report.pk, actor=officer, now=now, text="Truk dijadwalkan besok pagi",
                          public=True)
        services.add_note(report.pk, actor=officer, now=now, text="RAHASIA internal", public=False)
        services.resolve(report.pk, actor=officer, now=now, note="Sampah sudah diangkut",
                         photos=[photo(color=(10, 200, 10))])
        return Report.objects.get(pk=report.pk)

    return make


def test_it_shows_the_public_timeline_with_agency_names_only(client, resolved):
    report = resolved(contact=services.Contact(name="Siti Pelapor", phone="081234567890",
                                               email="siti@contoh.id"))
    html = client.get(report.get_absolute_url()).content.decode()
    for text in ["Laporan diterima", "Status: Diverifikasi", "Ditugaskan ke petugas lapangan",
                 "Truk dijadwalkan besok pagi", "Status: Selesai", "Sampah sudah diangkut",
                 "DLHK", "Foto bukti penyelesaian"]:
        assert text in html, text
    for secret in ["RAHASIA internal", "Oskar", "Petugas Oskar", "Dina", "Siti Pelapor",
                   "081234567890", "siti@contoh.id", report.tracking_key]:
        assert secret not in html, secret
    assert "Sudah beres?" not in html  # only the reporter is asked


def test_it_hides_photos_and_exact_place_of_sensitive_reports(client, make_report, photo):
    report = make_report("TUNAWISMA", lat=-10.17234, lng=123.60123, photos=[photo()],
                         description="Anak jalanan tidur di emperan")
    html = client.get(report.get_absolute_url()).content.decode()
    lat, lng = report.public_location()
    assert (lat, lng) != (report.lat, report.lng)
    assert f'data-lat="{lat}"' in html and "-10.17234" not in html
    assert "/media/photos/" not in html and "Anak jalanan" not in html
    own = client.get(report.tracking_url()).content.decode()
    # The reporter sees the place, and the photo as the public would (decision 0013): its
    # blurred copy once made, a placeholder until then, never the original.
    assert "Foto sedang diproses" in own and "-10.17234" in own
    assert "/media/photos/" not in own
    tasks.anonymise_photo.call_local(report.photos.get().pk)
    own = client.get(report.tracking_url()).content.decode()
    assert "/media/public/" in own and "/media/photos/" not in own


def test_it_asks_the_reporter_with_the_private_link_if_it_is_fixed(client, resolved):
    report = resolved()
    html = client.get(report.tracking_url()).content.decode()
    assert "Sudah beres?" in html and f'value="{report.tracking_key}"' in html


def test_it_closes_and_rates_when_the_reporter_says_fixed(client, resolved):
    report = resolved()
    url = reverse("citizen:confirm", args=[report.ticket])
    response = client.post(url, {"k": report.tracking_key, "fixed": "yes", "stars": "4",
                                 "comment": "Cepat sekali"})
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == Status.CLOSED
    assert report.rating == 4
    rating = report.events.get(kind=ReportEvent.Kind.RATING)
    assert rating.actor_role == "reporter" and rating.note == "Cepat sekali"
    html = client.get(report.get_absolute_url()).content.decode()
    assert "★★★★☆" in html


def test_it_reopens_with_a_reason_when_not_fixed(client, resolved, make_user):
    reporter = make_user()
    report = resolved(reporter=reporter)
    client.force_login(reporter)
    url = reverse("citizen:confirm", args=[report.ticket])
    client.post(url, {"fixed": "no", "reason": ""})
    report.refresh_from_db()
    assert report.status == Status.RESOLVED  # a reason is required
    client.post(url, {"fixed": "no", "reason": "Masih ada sisa sampah"})
    report.refresh_from_db()
    assert report.status == Status.REOPENED
    assert report.events.filter(action="reopen", actor=reporter).exists()


def test_it_refuses_confirmation_from_anyone_else(client, resolved, make_user):
    report = resolved()
    client.force_login(make_user())
    url = reverse("citizen:confirm", args=[report.ticket])
    assert client.post(url, {"fixed": "yes", "k": "wrong"}).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_it_explains_when_the_report_is_not_resolved_yet(client, make_report):
    report = make_report()
    url = reverse("citizen:confirm", args=[report.ticket])
    response = client.post(url, {"fixed": "yes", "k": report.tracking_key}, follow=True)
    assert "tidak bisa" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_it_hides_rejected_private_reports_from_the_public(client, make_report):
    report = make_report()
    Report.objects.filter(pk=report.pk).update(is_public=False)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(report.tracking_url()).status_code == 200


def test_it_answers_404_for_unknown_tickets(client, kupang):
    assert client.get("/r/KPG-2026-999999").status_code == 404


def test_it_renders_the_page_in_few_queries(client, resolved, django_assert_max_num_queries):
    report = resolved()
    with django_assert_max_num_queries(8):
        client.get(report.get_absolute_url())


def test_the_timeline_credits_the_reopen_to_the_citizen(client, resolved, make_user, now):
    from sigap.citizen import timeline

    report = resolved()
    services.reporter_confirms(report.pk, fixed=False, now=now, reason="Masih ada sampah")
    entries = timeline.entries(report.events.select_related("agency").order_by("at", "pk"))
    reopened = [e for e in entries if e.status == Status.REOPENED]
    assert [e.who for e in reopened] == ["Pelapor"]
    resolved_by = [e.who for e in entries if e.status == Status.RESOLVED]
    assert resolved_by and "Pelapor" not in resolved_by  # the agency's acts stay the agency's


def test_an_unknown_ticket_answers_a_page_in_the_citys_language_with_a_way_home(client, kupang):
    response = client.get("/r/KPG-2026-999999")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page and 'href="/"' in page
    assert "Kota Kupang" in page
    english = client.get("/r/KPG-2026-999999", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 404 and "Page not found" in english.content.decode()


def test_a_signed_in_citizen_is_not_asked_to_sign_in_on_the_device_list(client, make_user):
    client.force_login(make_user())
    page = client.get(reverse("citizen:device")).content.decode()
    assert "Dikirim tanpa akun dari HP ini" in page and "Laporan saya di HP ini" not in page
    assert reverse("accounts:signin") not in page
