"""The report form: plain POST (no JavaScript) and the JSON answer the script uses."""

import pytest
from django.urls import reverse

from sigap.reports.models import Photo, Report

URL = "/lapor/"


def test_it_shows_categories_grouped_with_icons(client, kupang):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lingkungan" in html and "Jalan &amp; Lalu Lintas" in html
    assert 'value="SAMPAH"' in html and "icons.svg#trash" in html
    assert 'name="key"' in html


def test_it_shows_emergency_numbers_for_emergency_categories(client, kupang):
    html = client.get(URL + "?kategori=KEBAKARAN").content.decode()
    assert 'href="tel:113"' in html and 'href="tel:112"' in html
    assert 'data-emergency="1"' in html


def test_it_files_a_report_without_javascript(client, kupang, form_data, upload, photo):
    response = client.post(URL, {**form_data(), "photos": [upload(photo())]})
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/r/{report.ticket}/terkirim?k={report.tracking_key}"
    assert report.category.code == "JALAN_RUSAK"
    assert report.kelurahan is not None and report.source == Report.Source.WEB
    assert report.photos.count() == 1


def test_it_stores_photos_without_exif(client, kupang, form_data, upload, photo):
    from PIL import Image

    client.post(URL, {**form_data(), "photos": [upload(photo(exif_gps=True))]})
    stored = Report.objects.get().photos.get()
    with stored.image.open("rb") as fh:
        assert not Image.open(fh).getexif()


def test_it_answers_json_to_the_script(client, kupang, form_data):
    response = client.post(URL, form_data(), HTTP_ACCEPT="application/json")
    body = response.json()
    report = Report.objects.get()
    assert body["ok"] is True and body["ticket"] == report.ticket
    assert body["tracking_url"] == report.tracking_url()
    assert body["replayed"] is False


def test_it_stores_a_double_tap_once(client, kupang, form_data):
    first = client.post(URL, form_data(), HTTP_ACCEPT="application/json").json()
    second = client.post(URL, form_data(), HTTP_ACCEPT="application/json").json()
    assert Report.objects.count() == 1
    assert second["ticket"] == first["ticket"] and second["replayed"] is True


def test_it_takes_the_idempotency_key_from_the_header(client, kupang, form_data):
    data = form_data(key=None)
    for _ in range(2):
        response = client.post(URL, data, HTTP_ACCEPT="application/json",
                               HTTP_X_IDEMPOTENCY_KEY="offline-retry-0001")
        assert response.status_code == 200
    assert Report.objects.count() == 1


def test_it_uses_the_kelurahan_centre_without_a_map(client, kupang, form_data):
    from sigap.cities.models import Area

    kel = Area.objects.filter(city=kupang, level="kelurahan").order_by("name").first()
    client.post(URL, form_data(lat="", lng="", kelurahan=str(kel.pk)))
    report = Report.objects.get()
    assert (report.lat, report.lng) == (kel.centroid_lat, kel.centroid_lng)
    assert report.kelurahan_id == kel.pk


def test_it_files_signed_in_reports_under_the_account_unless_anonymous(client, kupang,
                                                                       form_data, make_user):
    user = make_user()
    client.force_login(user)
    client.post(URL, form_data(key="a" * 32))
    client.post(URL, form_data(key="b" * 32, anonymous="on"))
    client.post(URL, form_data(key="c" * 32, anonymous="on", contact_name="Siti",
                               contact_phone="081234567890"))
    named, anonymous, typed = Report.objects.order_by("pk")
    assert named.reporter == user and not named.is_anonymous
    assert anonymous.reporter is None and anonymous.is_anonymous
    assert (typed.contact_name, typed.contact_phone) == ("", "")


def test_it_stores_the_answers_to_extra_questions(client, kupang, form_data):
    client.post(URL, form_data(category="SAMPAH", **{"attribute[volume]": "besar"}))
    assert Report.objects.get().answers == {"volume": "besar"}


def assert_rejected(response, message, typed="Jalan berlubang di depan sekolah"):
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html, html[:3000]
    if typed:
        assert typed in html  # what the citizen typed is still on the form
    assert Report.objects.count() == 0 and Photo.objects.count() == 0


@pytest.mark.parametrize("overrides, message", [
    ({"category": ""}, "Pilih kategori masalah."),
    ({"category": "NOPE"}, "Kategori tidak dikenal."),
    ({"lat": "", "lng": ""}, "Tentukan lokasi"),
    ({"lat": "-9.0", "lng": "124.5"}, "di luar wilayah Kota Kupang"),
    ({"description": "", "contact_name": "Budi"},
     "Tuliskan keterangan singkat atau lampirkan foto"),
    ({"contact_email": "bukan-email"}, "Alamat e-mail tidak valid."),
    ({"contact_phone": "abc"}, "Nomor HP tidak valid"),
    ({"category": "SAMPAH"}, "Wajib diisi: Perkiraan jumlah sampah"),
])
def test_it_refuses_bad_input_and_keeps_what_was_typed(client, kupang, form_data, overrides,
                                                       message):
    response = client.post(URL, form_data(**overrides))
    typed = "Budi" if overrides.get("description") == "" else "Jalan berlubang di depan sekolah"
    assert_rejected(response, message, typed)


def test_it_refuses_a_5000_character_description(client, kupang, form_data):
    response = client.post(URL, form_data(description="a" * 5000))
    assert_rejected(response, "Keterangan terlalu panjang", typed="a" * 5000)


def test_it_refuses_files_that_are_not_photos(client, kupang, form_data, upload):
    response = client.post(URL, {**form_data(), "photos": [upload(b"%PDF-1.4 hello", "a.pdf")]})
    assert_rejected(response, "Berkas ini bukan foto")


def test_it_refuses_corrupt_photos(client, kupang, form_data, upload, photo):
    broken = photo(size=(400, 300))[:300]
    response = client.post(URL, {**form_data(), "photos": [upload(broken)]})
    assert_rejected(response, "Foto 1:")


def test_it_refuses_photos_over_10_mb(client, kupang, form_data, upload, photo):
    huge = photo() + b"\0" * (10 * 1024 * 1024)
    response = client.post(URL, {**form_data(), "photos": [upload(huge)]})
    assert_rejected(response, "Foto terlalu besar (maksimal 10 MB)")


def test_it_refuses_photos_over_the_pixel_limit(client, kupang, form_data, upload, photo,
                                                settings):
    settings.SIGAP_MAX_PHOTO_PIXELS = 1000  # 64×48 = 3072 pixels: over this small limit
    response = client.post(URL, {**form_data(), "photos": [upload(photo())]})
    assert_rejected(response, "Resolusi foto terlalu besar")


def test_it_refuses_more_than_three_photos(client, kupang, form_data, upload, photo):
    files = [upload(photo(), f"f{i}.jpg") for i in range(4)]
    response = client.post(URL, {**form_data(), "photos": files})
    assert_rejected(response, "Paling banyak 3 foto")


def test_it_answers_errors_as_json_to_the_script(client, kupang, form_data):
    response = client.post(URL, form_data(lat="-9.0", lng="124.5"),
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "di luar wilayah" in response.json()["errors"]["lat"][0]


def test_it_refuses_a_malformed_key(client, kupang, form_data):
    response = client.post(URL, form_data(key="<script>"))
    assert_rejected(response, "Formulir tidak lengkap")


def test_it_shows_the_private_link_only_with_the_key(client, make_report):
    report = make_report()
    sent = reverse("citizen:sent", args=[report.ticket])
    response = client.get(f"{sent}?k={report.tracking_key}")
    assert report.tracking_key in response.content.decode()
    assert report.ticket in response.content.decode()
    assert client.get(f"{sent}?k=wrong").status_code == 302


def test_it_files_emergencies_with_top_priority(client, kupang, form_data):
    client.post(URL, form_data(category="KEBAKARAN", **{"attribute[korban]": "tidak"}))
    report = Report.objects.get()
    assert report.priority == 1 and report.category.is_emergency


def test_it_fills_in_the_contact_of_a_signed_in_citizen(client, make_user):
    client.force_login(make_user(display_name="Siti", phone="+6281234567890",
                                 email="siti@contoh.id"))
    html = client.get(URL).content.decode()
    assert 'value="Siti"' in html and 'value="+6281234567890"' in html


def test_it_refuses_a_long_description_and_keeps_every_character(client, kupang, form_data):
    from sigap.reports.models import Report

    text = "Sampah menumpuk di depan pasar. " * 164  # 5,248 characters
    page = client.get(URL).content.decode()
    textarea = page.split('name="description"')[1].split(">")[0]
    assert "maxlength" not in textarea  # the browser would cut a pasted text silently
    response = client.post(URL, form_data(description=text))
    body = response.content.decode()
    assert Report.objects.count() == 0
    assert "Keterangan terlalu panjang: maksimal 4000 karakter (sekarang 5247)." in body
    assert text.strip() in body  # sent back whole, to shorten
