"""The city's reports (list, map, filters), "saya juga", comments, my reports, nearby."""

from datetime import timedelta

import pytest
from django.urls import reverse

from sigap.cities.models import Area
from sigap.reports import services
from sigap.reports.models import Report, ReportEvent, Support

LIST = "/laporan/"
GEOJSON = "/laporan/peta.json"


def tickets(response):
    return {r.ticket for r in response.context["page"].object_list}


def test_it_lists_public_reports_newest_first_with_paging(client, make_report, now):
    made = [make_report(at=now + timedelta(minutes=i)) for i in range(22)]
    first = client.get(LIST)
    assert first.context["page"].object_list[0] == made[-1]
    assert len(first.context["page"].object_list) == 20
    second = client.get(LIST + "?hal=2")
    assert tickets(second) == {made[1].ticket, made[0].ticket}


def test_it_lists_without_a_query_per_row(client, make_report, django_assert_num_queries,
                                          django_assert_max_num_queries):
    for i in range(3):
        make_report(lat=-10.17 + i / 1000)
    client.get(LIST)  # warm the city cache
    with django_assert_max_num_queries(7) as few:
        client.get(LIST)
    for i in range(10):
        make_report("JALAN_RUSAK", lat=-10.18 + i / 1000)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(LIST)
    with django_assert_num_queries(1):  # the reports; the city is the request's (kept)
        client.get(GEOJSON)


def test_it_filters_by_category_status_kecamatan_and_date(client, make_report, make_user, now):
    sampah = make_report("SAMPAH", lat=-10.1772, lng=123.6070)
    jalan = make_report("JALAN_RUSAK", lat=-10.1772, lng=123.6070, at=now - timedelta(days=10))
    elsewhere = make_report("SAMPAH", lat=-10.2000, lng=123.5500)
    dispatcher = make_user("dispatcher", agency="DLHK")
    services.reject(elsewhere.pk, actor=dispatcher, now=now, reason="spam")
    third = make_report("SAMPAH", lat=-10.1600, lng=123.6300)
    services.verify(third.pk, actor=dispatcher, now=now)

    assert tickets(client.get(LIST + "?kategori=JALAN_RUSAK")) == {jalan.ticket}
    assert tickets(client.get(LIST + "?status=verified")) == {third.ticket}
    assert elsewhere.ticket not in tickets(client.get(LIST))  # rejected: not public
    kec = Area.objects.get(pk=sampah.kecamatan_id)
    by_kec = tickets(client.get(LIST + f"?kecamatan={kec.pk}"))
    assert sampah.ticket in by_kec and all(
        Report.objects.get(ticket=t).kecamatan_id == kec.pk for t in by_kec)
    day = (now - timedelta(days=10)).astimezone(jalan.city.tz).date().isoformat()
    assert tickets(client.get(LIST + f"?dari={day}&sampai={day}")) == {jalan.ticket}
    assert tickets(client.get(LIST + "?status=open&kategori=SAMPAH")) == {
        sampah.ticket, third.ticket}
    # A bad filter value is ignored rather than failing.
    assert client.get(LIST + "?dari=kemarin").status_code == 200


def test_it_maps_public_locations_only(client, make_report):
    plain = make_report("SAMPAH", lat=-10.17234, lng=123.60123)
    sensitive = make_report("ORANG_HILANG", lat=-10.17234, lng=123.60123,
                            answers={"nama_orang": "Ani"})
    features = {f["properties"]["ticket"]: f for f in client.get(GEOJSON).json()["features"]}
    assert features[plain.ticket]["geometry"]["coordinates"] == [123.60123, -10.17234]
    lat, lng = sensitive.public_location()
    assert features[sensitive.ticket]["geometry"]["coordinates"] == [lng, lat]
    assert "Ani" not in client.get(GEOJSON).content.decode()


def test_it_counts_one_support_per_browser(client, make_report):
    report = make_report()
    url = reverse("citizen:support", args=[report.ticket])
    first = client.post(url, HTTP_ACCEPT="application/json").json()
    second = client.post(url, HTTP_ACCEPT="application/json").json()
    assert first["added"] is True and first["count"] == 1
    assert second["added"] is False and second["count"] == 1
    client.cookies.clear()
    assert client.post(url, HTTP_ACCEPT="application/json").json()["count"] == 2


def test_it_counts_one_support_per_account(client, make_report, make_user):
    report = make_report()
    client.force_login(make_user())
    url = reverse("citizen:support", args=[report.ticket])
    client.post(url)
    client.cookies.pop("sigap_sk", None)
    client.post(url)
    report.refresh_from_db()
    assert report.support_count == 1
    assert Support.objects.get().supporter_key.startswith("u")


def test_it_lets_signed_in_citizens_comment(client, make_report, make_user):
    report = make_report()
    url = reverse("citizen:comment", args=[report.ticket])
    response = client.post(url, {"text": "Di sini juga bau sekali"})
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert not report.events.filter(kind=ReportEvent.Kind.COMMENT).exists()

    citizen = make_user(first_name="Rahasia", last_name="Warga")
    client.force_login(citizen)
    client.post(url, {"text": "Di sini juga bau sekali"})
    client.post(url, {"text": ""})
    assert report.events.filter(kind=ReportEvent.Kind.COMMENT).count() == 1
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Di sini juga bau sekali" in html and "Rahasia" not in html


def test_it_lists_my_reports_for_signed_in_citizens(client, make_report, make_user):
    me, other = make_user(), make_user()
    mine = make_report(reporter=me)
    make_report(reporter=other)
    assert client.get("/saya/").status_code == 302  # sign in first
    client.force_login(me)
    assert tickets(client.get("/saya/")) == {mine.ticket}


def test_it_offers_the_reports_remembered_on_this_device(client, kupang):
    html = client.get("/di-perangkat/").content.decode()
    assert 'id="device-list"' in html


def test_it_finds_open_reports_of_the_same_category_within_100_m(client, make_report, now,
                                                                  make_user):
    near = make_report("SAMPAH", lat=-10.17720, lng=123.60700)
    make_report("SAMPAH", lat=-10.17900, lng=123.60700)  # about 200 m away
    make_report("JALAN_RUSAK", lat=-10.17720, lng=123.60700)  # another category
    closed = make_report("SAMPAH", lat=-10.17721, lng=123.60701)
    services.reject(closed.pk, actor=make_user("dispatcher", agency="DLHK"), now=now,
                    reason="spam")
    body = client.get("/lapor/sekitar?category=SAMPAH&lat=-10.17725&lng=123.60705").json()
    assert [r["ticket"] for r in body["reports"]] == [near.ticket]
    assert body["reports"][0]["distance"] <= 10
    assert client.get("/lapor/sekitar?category=SAMPAH&lat=x").json() == {"reports": []}


def test_it_never_offers_sensitive_reports_nearby(client, make_report):
    make_report("TUNAWISMA", lat=-10.17720, lng=123.60700)
    body = client.get("/lapor/sekitar?category=TUNAWISMA&lat=-10.17720&lng=123.60700").json()
    assert body == {"reports": []}


def test_it_shows_category_names_in_english_when_chosen(client, make_report):
    make_report()
    client.post("/i18n/setlang/", {"language": "en", "next": "/laporan/"})
    html = client.get("/laporan/").content.decode()
    assert "Garbage / waste" in html and '<html lang="en">' in html


def test_it_names_the_kelurahan_of_a_point(client, kupang):
    inside = client.get("/lapor/lokasi?lat=-10.1772&lng=123.6070").json()
    assert inside["ok"] is True and inside["kelurahan"] and inside["kecamatan"]
    outside = client.get("/lapor/lokasi?lat=-9.0&lng=124.5").json()
    assert outside["ok"] is False and "di luar wilayah" in outside["error"]


@pytest.mark.parametrize("url", ["/", "/laporan/", "/offline/"])
def test_it_renders_the_public_pages(client, make_report, url):
    make_report()
    response = client.get(url)
    assert response.status_code == 200
    assert b'action="/i18n/setlang/"' in response.content


def test_it_finds_a_report_by_the_ticket_typed_on_the_home_page(client, make_report):
    report = make_report()
    response = client.get("/cari", {"tiket": f" {report.ticket.lower()} "})
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    missing = client.get("/cari", {"tiket": "KPG-1999-000001"}, follow=True)
    assert "Nomor tiket tidak ditemukan" in missing.content.decode()
