"""Population in the city pack: a figure only with its source; the demand model uses it."""

import shutil

import pytest

from sigap.cities.citypack import PACKS_DIR, load_pack
from sigap.cities.models import Area
from sigap.capacity import citymodel as demand


def pack_with(tmp_path, rows: list[str]):
    folder = tmp_path / "kupang"
    shutil.copytree(PACKS_DIR / "kupang", folder)
    lines = (folder / "population.csv").read_text().splitlines()
    by_code = {line.split(",")[1]: n for n, line in enumerate(lines)}
    for row in rows:
        lines[by_code[row.split(",")[1]]] = row
    (folder / "population.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_kupang_has_no_population_figure_without_a_source():
    lines = (PACKS_DIR / "kupang" / "population.csv").read_text().splitlines()
    assert lines[0] == "level,code,name,population,year,source"
    assert len(lines) == 1 + 6 + 51
    for line in lines[1:]:
        level, code, name, population, year, source = line.split(",")
        assert not population or source, code


@pytest.mark.django_db
def test_a_figure_without_a_source_is_refused(tmp_path):
    packs = pack_with(tmp_path, ["kecamatan,53.71.01,Alak,1000,2020,"])
    with pytest.raises(ValueError, match="without a source"):
        load_pack("kupang", packs_dir=packs)


@pytest.mark.django_db
def test_kecamatan_figures_weigh_the_places_when_every_kecamatan_has_one(tmp_path):
    codes = ["53.71.01", "53.71.02", "53.71.03", "53.71.04", "53.71.05", "53.71.06"]
    rows = [f"kecamatan,{code},X,{1000 * (n + 1)},2020,Test source table 1"
            for n, code in enumerate(codes)]
    load_pack("kupang", packs_dir=pack_with(tmp_path, rows))
    alak = Area.objects.get(code="53.71.01")
    assert alak.population == 1000 and alak.population_source == "Test source table 1 (2020)"
    from sigap.cities.models import City

    model = demand.model_for_city(City.objects.get(code="kupang"))
    assert model.weight_basis == "kecamatan-population"
    weight = {code: 0.0 for code in codes}
    for place in model.places:
        weight[place.kecamatan] += place.weight
    assert [round(weight[c]) for c in codes] == [1000, 2000, 3000, 4000, 5000, 6000]
