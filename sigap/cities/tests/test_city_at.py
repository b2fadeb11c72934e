"""Which city serves a point (routing by place, docs/decisions/0012-routing-by-place.md)."""

import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from sigap.cities.locate import NoCityHere, city_at, locate
from sigap.cities.models import Area

SLIVER = (-10.213068, 123.532535)  # in both Kota and Kabupaten Kupang (shared/data README)


@pytest.mark.parametrize("lat,lng,code", [
    (-10.1716, 123.6711, "kupang"),              # El Tari airport
    (-10.23, 123.75, "kabupaten-kupang"),
    (-2.533, 140.717, "jayapura"),
    (-10.161656, 123.577418, "kupang"),          # a kelurahan beyond the coarse kota outline
])
def test_it_gives_a_point_to_the_city_that_covers_it(province, lat, lng, code):
    assert city_at(lat, lng).code == code


def test_it_refuses_the_bay_and_names_the_nearest_city(province):
    with pytest.raises(NoCityHere) as refused:
        city_at(-10.05, 123.45)
    assert refused.value.nearest.code == "kabupaten-kupang"  # Semau island, 7 km away
    assert 5_000 < refused.value.distance_m < 10_000


def test_the_smaller_city_wins_the_sliver_both_boundaries_claim(province):
    kota, kabupaten = province["kupang"], province["kabupaten-kupang"]
    point = Point(SLIVER[1], SLIVER[0])
    assert shape(kota.boundary).contains(point) and shape(kabupaten.boundary).contains(point)
    assert locate(kabupaten, *SLIVER).distance_m == 0  # the regency's desa contain it too
    assert shape(kota.boundary).area < shape(kabupaten.boundary).area
    assert city_at(*SLIVER) == kota


def test_a_point_on_the_shared_border_goes_to_the_city(province):
    kota, kabupaten = province["kupang"], province["kabupaten-kupang"]
    city = unary_union([shape(a.boundary) for a in Area.objects.filter(
        city=kota, level="kelurahan")])
    regency = unary_union([shape(a.boundary) for a in Area.objects.filter(
        city=kabupaten, level="kelurahan")])
    # Vertices of the city's outline that lie inside the regency's desa: on the border,
    # claimed by both.
    border = [Point(x, y) for poly in getattr(city, "geoms", [city])
              for x, y in poly.exterior.coords if regency.contains(Point(x, y))]
    assert border
    for p in border[:20]:
        assert city_at(p.y, p.x) == kota


def test_an_inactive_city_serves_no_point(kabupaten_kupang, kupang):
    from sigap.cities import locate as module

    kupang.is_active = False
    kupang.save(update_fields=["is_active"])
    module.reset_cache()
    assert city_at(*SLIVER) == kabupaten_kupang  # the regency's own claim stands
    with pytest.raises(NoCityHere) as refused:
        city_at(-10.1716, 123.6711)  # the airport is the city's, not the regency's
    assert refused.value.nearest == kabupaten_kupang


def test_it_refuses_nonsense_coordinates(province):
    for lat, lng in ((91, 0), (float("nan"), 123.6)):
        with pytest.raises(NoCityHere) as refused:
            city_at(lat, lng)
        assert refused.value.nearest is None
