import json

import pytest
from django.core.management import call_command

from sigap.agencies.models import Agency, Category
from sigap.cities.citypack import load_pack
from sigap.cities.models import Area


def snapshot():
    return (
        list(Area.objects.order_by("pk").values()),
        list(Agency.objects.order_by("pk").values()),
        list(Category.objects.order_by("pk").values()),
    )


def test_it_loads_kupang_completely(kupang):
    assert kupang.ticket_prefix == "KPG" and kupang.timezone == "Asia/Makassar"
    assert Area.objects.filter(city=kupang, level="kecamatan").count() == 6
    assert Area.objects.filter(city=kupang, level="kelurahan").count() == 51
    field = set(Agency.objects.filter(city=kupang, is_field_agency=True)
                .values_list("code", flat=True))
    assert field == {"DLHK", "PUPR", "DISHUB", "DINSOS", "SATPOLPP", "DINKES", "DAMKAR"}
    lines = open("data/kupang/categories.csv").read().splitlines()[1:]
    csv_codes = {line.split(",")[0] for line in lines}
    assert set(Category.objects.filter(city=kupang).values_list("code", flat=True)) == csv_codes
    fire = Category.objects.get(city=kupang, code="KEBAKARAN")
    assert fire.agency.code == "DAMKAR" and fire.is_emergency and fire.response_sla_hours == 0.25
    assert Category.objects.get(city=kupang, code="ORANG_HILANG").is_sensitive
    assert Category.objects.get(city=kupang, code="LAINNYA").is_triage
    alak = Area.objects.get(city=kupang, code="53.71.01")
    assert alak.children.count() == 12


def test_it_changes_nothing_when_loaded_twice(kupang, capsys):
    before = snapshot()
    result = load_pack("kupang")
    assert not result.changed
    assert snapshot() == before
    call_command("loadcity", "kupang")
    assert "already up to date" in capsys.readouterr().out


def test_it_updates_a_changed_pack_in_place(kupang, tmp_path):
    import shutil

    shutil.copytree("data/kupang", tmp_path / "kupang")
    meta = json.loads((tmp_path / "kupang/city.json").read_text())
    meta["agencies"][0]["name"] = "Dinas Lingkungan Hidup"
    (tmp_path / "kupang/city.json").write_text(json.dumps(meta))
    count = Agency.objects.count()
    result = load_pack("kupang", packs_dir=tmp_path)
    assert result.updated == {"agency": 1} and not result.created
    assert Agency.objects.count() == count
    assert Agency.objects.get(code="DLHK").name == "Dinas Lingkungan Hidup"


def test_a_second_city_is_just_another_pack(kupang, tmp_path):
    import shutil

    shutil.copytree("data/kupang", tmp_path / "kota-baru")
    meta = json.loads((tmp_path / "kota-baru/city.json").read_text())
    meta.update(code="kota-baru", name="Kota Baru", ticket_prefix="KBR")
    (tmp_path / "kota-baru/city.json").write_text(json.dumps(meta))
    load_pack("kota-baru", packs_dir=tmp_path)
    assert Area.objects.filter(city__code="kota-baru", level="kelurahan").count() == 51
    assert Agency.objects.filter(city__code="kota-baru").count() == 8


def test_category_groups_are_named_in_both_languages(kupang, client):
    from django.utils import translation

    sampah = Category.objects.get(city=kupang, code="SAMPAH")
    with translation.override("id"):
        assert sampah.group_name == "Lingkungan"
    with translation.override("en"):
        assert sampah.group_name == "Environment"
    client.cookies["django_language"] = "en"
    body = client.get("/lapor/").content.decode()
    assert "Environment" in body and "Roads &amp; traffic" in body


def test_loadcity_loads_the_three_packs_once(kupang, capsys):
    from sigap.cities.models import City

    call_command("loadcity", "kupang", "kabupaten-kupang", "jayapura")
    out = capsys.readouterr().out
    assert "City pack kupang: already up to date." in out
    assert "City pack kabupaten-kupang: created" in out and "City pack jayapura: created" in out
    cities = {c.code: c for c in City.objects.all()}
    assert (cities["jayapura"].timezone, cities["jayapura"].ticket_prefix) == (
        "Asia/Jayapura", "JYP")
    assert Area.objects.filter(city=cities["kabupaten-kupang"], level="kelurahan").count() == 177
    assert Area.objects.filter(city=cities["jayapura"], level="kecamatan").count() == 5
    # Each pack's agencies are its own, even where the codes repeat (PUPR).
    assert Agency.objects.filter(code="PUPR").count() == 3
    assert Category.objects.get(city=cities["kabupaten-kupang"], code="KEBAKARAN") \
        .agency.code == "DAMKAR"
    before = snapshot()
    call_command("loadcity", "kupang", "kabupaten-kupang", "jayapura")
    assert capsys.readouterr().out.count("already up to date") == 3
    assert snapshot() == before


def test_loadcity_refuses_an_unknown_pack_before_loading_any(kupang):
    from django.core.management import CommandError

    from sigap.cities.models import City

    with pytest.raises(CommandError, match="atlantis"):
        call_command("loadcity", "jayapura", "atlantis")
    assert not City.objects.filter(code="jayapura").exists()
