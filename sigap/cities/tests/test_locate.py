"""Point → kelurahan/kecamatan for the known places in the Kupang city pack."""

import pytest

from sigap.cities.locate import OutsideCity, locate
from sigap.cities.models import Area

KNOWN = [
    ("El Tari airport", -10.1716, 123.6711, "Penfui", "Maulafa"),
    ("Lasiana beach", -10.1396, 123.6683, "Lasiana", "Kelapa Lima"),
    ("Tenau port", -10.2003, 123.5325, "Alak", "Alak"),
    ("Oebobo", -10.17, 123.60, "Oebobo", "Oebobo"),
]


@pytest.mark.parametrize("place,lat,lng,kelurahan,kecamatan", KNOWN)
def test_it_finds_the_kelurahan_of_known_places(kupang, place, lat, lng, kelurahan, kecamatan):
    hit = locate(kupang, lat, lng)
    kel = Area.objects.get(pk=hit.kelurahan_id)
    kec = Area.objects.get(pk=hit.kecamatan_id)
    assert (kel.name, kec.name) == (kelurahan, kecamatan)
    assert kel.parent_id == kec.pk
    assert hit.distance_m == 0


@pytest.mark.parametrize("lat,lng", [
    (-10.10, 123.58),     # the sea north of the city
    (-6.2, 106.8),        # Jakarta
    (-10.30, 123.75),     # Kabupaten Kupang, south-east
    (91, 0), (float("nan"), 123.6), (-10.17, float("inf")),
])
def test_it_refuses_points_outside_the_city(kupang, lat, lng):
    with pytest.raises(OutsideCity):
        locate(kupang, lat, lng)


def test_it_puts_a_point_in_a_sliver_into_the_nearest_kelurahan(kupang):
    from shapely.geometry import Point, shape
    from shapely.ops import unary_union

    kelurahan = list(Area.objects.filter(city=kupang, level="kelurahan"))
    union = unary_union([shape(a.boundary) for a in kelurahan])
    city = shape(kupang.boundary)
    gaps = city.difference(union)
    # Take a point inside a gap, a few metres from the nearest kelurahan.
    gap_points = [g.representative_point() for g in getattr(gaps, "geoms", [gaps])
                  if not g.is_empty and g.area > 0]
    point = next(p for p in gap_points if union.distance(p) < 0.0004)
    assert not union.contains(point)
    hit = locate(kupang, point.y, point.x)
    assert 0 < hit.distance_m <= 50
    nearest = min(kelurahan, key=lambda a: shape(a.boundary).distance(Point(point.x, point.y)))
    assert hit.kelurahan_id == nearest.pk


def test_it_refuses_a_point_just_beyond_the_tolerance(kupang):
    # 0.01° (~1.1 km) north of the northernmost edge of the city is open sea.
    with pytest.raises(OutsideCity):
        locate(kupang, kupang.max_lat + 0.01, 123.60)


def test_it_agrees_with_shapely_point_by_point_across_the_city(kupang):
    """The vectorised test (sigap.lib.geo) against plain shapely on a 40 × 40 grid over the
    city's box: inside some kelurahan → that one (or, on a shared border, one of those it
    touches); outside every kelurahan → the sliver rule or OutsideCity, never a kelurahan
    that does not hold the point."""
    from shapely.geometry import Point, shape

    kelurahan = [(a.pk, shape(a.boundary)) for a in
                 Area.objects.filter(city=kupang, level="kelurahan")]
    inside = outside = 0
    for i in range(40):
        for j in range(40):
            lat = kupang.min_lat + (kupang.max_lat - kupang.min_lat) * (i + 0.5) / 40
            lng = kupang.min_lng + (kupang.max_lng - kupang.min_lng) * (j + 0.5) / 40
            holders = {pk for pk, geom in kelurahan if geom.intersects(Point(lng, lat))}
            try:
                hit = locate(kupang, lat, lng)
            except OutsideCity:
                assert not holders
                outside += 1
                continue
            if holders:
                assert hit.kelurahan_id in holders and hit.distance_m == 0
                inside += 1
            else:
                assert 0 < hit.distance_m <= 50
    assert inside > 300 and outside > 100  # the grid covers both
