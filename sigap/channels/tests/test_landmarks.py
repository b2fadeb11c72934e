"""Known places (landmarks): the pack's file, the loader, the admin, and typed places matched
to them — fuzzy on names and aliases, and confirmed back to the citizen."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from sigap.channels.admin import LandmarkForm
from sigap.channels.landmarks import COLUMNS, LandmarkFileError, load_landmarks, read
from sigap.channels.models import Landmark
from sigap.channels.services import CityContext
from sigap.channels.tests.test_sms import sms as sms_fixture  # noqa: F401 - the fixture
from sigap.cities.citypack import LoadResult, _upsert
from sigap.reports.models import Report

PHONE = "6281234500041"
PACK = Path(django_settings.BASE_DIR) / "data" / "kupang" / "landmarks.csv"


def test_the_kupang_file_names_a_source_and_licence_for_every_row():
    rows = read(PACK)
    assert rows and all(r["source"] and r["licence"] for r in rows)
    assert {r["name"] for r in rows} >= {"Bakunase Dua", "Lai Lai Bisi Kopan"}


def test_the_pack_loads_its_landmarks_with_their_kelurahan(kupang):
    bakunase = Landmark.objects.get(city=kupang, name="Bakunase Dua")
    assert bakunase.kelurahan.name == "Bakunase Dua" and "Bakunase II" in bakunase.names()
    assert Landmark.objects.filter(city=kupang).count() == len(read(PACK))


@pytest.mark.parametrize("typed, kelurahan", [
    ("bakunase II", "Bakunase Dua"),  # the BPS spelling, an alias
    ("kel. Naikoten 1", "Naikoten Satu"),
    ("naikoten II", "Naikoten Dua"),
    ("Lahilai Bisi Kopan", "Lai Lai Bisi Kopan"),  # the BPS name, misspelt
])
def test_typed_aliases_match_their_kelurahan(kupang, typed, kelurahan):
    place = CityContext(kupang).match_place(typed)
    assert place is not None and f"Kelurahan {kelurahan}," in place.name


def test_a_typed_alias_is_confirmed_back_on_whatsapp(fake_wa):
    fake_wa.text(PHONE, "sampah")
    fake_wa.tap(PHONE, "skip")
    fake_wa.text(PHONE, "dekat bakunase II")
    confirm = fake_wa.sent_to(PHONE)[-1]
    assert confirm["text"] == "Maksud Anda Kelurahan Bakunase Dua, Kecamatan Kota Raja?"
    fake_wa.tap(PHONE, "place:yes")
    fake_wa.text(PHONE, "Sampah di got")
    fake_wa.tap(PHONE, "ans:kecil")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = Report.objects.get(contact_phone="+" + PHONE)
    assert report.kelurahan.name == "Bakunase Dua" and report.address == "dekat bakunase II"


def test_a_typed_alias_works_in_the_one_sms_format(sms_fixture):  # noqa: F811
    [done] = sms_fixture("LAPOR pohon tumbang lahilai bissi kopan: menutup jalan")
    report = Report.objects.get()
    assert report.kelurahan.name == "Lai Lai Bisi Kopan" and report.ticket in done


def test_a_city_adds_a_landmark_in_the_admin_and_citizens_find_it(fake_wa, kupang, admin_client):
    # A test fixture place (not shipped): a point inside kelurahan Oebobo.
    page = admin_client.post("/admin/channels/landmark/add/", {
        "city": kupang.pk, "name": "Taman Uji Sigap", "aliases": "taman uji; TUS",
        "lat": "-10.17", "lng": "123.60", "kelurahan": "", "source": "survey by the city",
        "licence": "city's own data", "is_active": "on"})
    assert page.status_code == 302, page.content.decode()[:2000]
    landmark = Landmark.objects.get(name="Taman Uji Sigap")
    assert landmark.kelurahan.name == "Oebobo"  # found from the point

    fake_wa.text(PHONE, "sampah")
    fake_wa.tap(PHONE, "skip")
    fake_wa.text(PHONE, "depan taman uji sigp")  # misspelt
    assert fake_wa.sent_to(PHONE)[-1]["text"] == (
        "Maksud Anda Taman Uji Sigap (Kelurahan Oebobo, Kecamatan Oebobo)?")
    fake_wa.tap(PHONE, "place:yes")
    fake_wa.text(PHONE, "Sampah di taman")
    fake_wa.tap(PHONE, "ans:kecil")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = Report.objects.get(contact_phone="+" + PHONE)
    assert (report.lat, report.lng) == (-10.17, 123.60)

    landmark.is_active = False
    landmark.save()  # as the admin saves it: this process forgets its kept places
    assert CityContext(kupang).match_place("taman uji sigap") is None


def test_the_admin_refuses_a_point_outside_the_city(kupang):
    form = LandmarkForm(data={"city": kupang.pk, "name": "Laut", "lat": "-10.10",
                              "lng": "123.58", "source": "x", "licence": "y"})
    assert not form.is_valid() and "outside" in str(form.errors)


def test_the_file_refuses_rows_without_source_or_licence(tmp_path, kupang):
    header = ",".join(COLUMNS)
    (tmp_path / "landmarks.csv").write_text(
        f"{header}\nPasar Uji,,-10.17,123.60,,,\n", encoding="utf-8")
    with pytest.raises(LandmarkFileError, match="source and licence"):
        load_landmarks(kupang, tmp_path, {}, LoadResult(), _upsert)
    (tmp_path / "landmarks.csv").write_text("name,lat\nX,1\n", encoding="utf-8")
    with pytest.raises(LandmarkFileError, match="missing columns"):
        read(tmp_path / "landmarks.csv")
    (tmp_path / "landmarks.csv").write_text(
        f"{header}\nPasar Uji,pasar;uji,-10.17,123.60,Oebobo,survey,CC0\n", encoding="utf-8")
    result = LoadResult()
    load_landmarks(kupang, tmp_path, {}, result, _upsert)
    assert result.created == {"landmark": 1}
    assert Landmark.objects.get(name="Pasar Uji").names() == ["Pasar Uji", "pasar", "uji"]
