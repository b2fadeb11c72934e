"""The demand model: deterministic for a seed; seasons, hours, weekdays and places show."""

import math
import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sigap.capacity import citymodel as demand

WITA = ZoneInfo("Asia/Makassar")
YEAR = (datetime(2025, 1, 1, tzinfo=WITA), datetime(2026, 1, 1, tzinfo=WITA))


def toy_model(**overrides):
    """Two places (one twice as big), two categories (one rainy, one flat)."""
    places = [
        demand.Place(kelurahan="K1", kecamatan="C1", population=None, area_km2=2.0, weight=2.0,
                     points=((-10.10, 123.50),), jitter=0.0),
        demand.Place(kelurahan="K2", kecamatan="C2", population=None, area_km2=1.0, weight=1.0,
                     points=((-10.20, 123.60),), jitter=0.0),
    ]
    shapes = {
        "seasons": {"rainy": [3, 3, 3, 1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 1, 3]},
        "categories": {"FOGGING": {"share": 0.5, "season": "rainy"},
                       "SAMPAH": {"share": 0.5, "season": "flat"}},
        "hourly": [0.1] * 6 + [2] * 12 + [0.5] * 6,
        "weekday": [1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5],
    }
    kwargs = dict(city="toy", timezone_name="Asia/Makassar", places=places,
                  categories=["FOGGING", "SAMPAH"], shapes=shapes, weight_basis="area")
    kwargs.update(overrides)
    return demand.build_model(**kwargs)


def draw(model, n=20000, seed=7):
    return demand.arrivals(model, start=YEAR[0], end=YEAR[1], total=n, rng=random.Random(seed))


def test_it_gives_the_same_arrivals_for_the_same_seed_and_others_for_another():
    model = toy_model()
    assert draw(model, 500, seed=1) == draw(model, 500, seed=1)
    assert draw(model, 500, seed=1) != draw(model, 500, seed=2)


def test_it_returns_the_total_sorted_within_the_window_in_utc():
    got = draw(toy_model(), 3000)
    assert len(got) == 3000
    assert [a.at for a in got] == sorted(a.at for a in got)
    assert all(YEAR[0] <= a.at < YEAR[1] and a.at.tzinfo == timezone.utc for a in got)


def test_it_puts_more_reports_where_the_weight_is():
    by_place = Counter(a.kelurahan for a in draw(toy_model()))
    assert 1.8 < by_place["K1"] / by_place["K2"] < 2.2
    kecamatan = {a.kelurahan: a.kecamatan for a in draw(toy_model(), 100)}
    assert kecamatan == {"K1": "C1", "K2": "C2"}


def test_the_season_shows_in_the_rainy_category_only():
    got = draw(toy_model())
    fog = Counter(a.at.astimezone(WITA).month for a in got if a.category == "FOGGING")
    flat = Counter(a.at.astimezone(WITA).month for a in got if a.category == "SAMPAH")
    assert fog[1] > 8 * fog[7]  # January against July: 3 against 0.2
    assert 0.8 < flat[1] / flat[7] < 1.25


def test_the_hour_of_day_shows_in_local_time():
    hours = Counter(a.at.astimezone(WITA).hour for a in draw(toy_model()))
    day = sum(hours[h] for h in range(6, 18)) / 12
    night = sum(hours[h] for h in range(0, 6)) / 6
    assert day > 12 * night  # 2 against 0.1


def test_the_weekday_shows():
    days = Counter(a.at.astimezone(WITA).weekday() for a in draw(toy_model()))
    assert days[0] > 1.8 * days[6]  # Monday 1.2 against Sunday 0.5


def test_intensity_sums_to_the_yearly_total_over_a_year():
    model = toy_model()
    total, t = 0.0, YEAR[0]
    while t < YEAR[1]:
        total += demand.intensity(model, t, yearly_total=30000)
        t += timedelta(hours=1)
    assert total == pytest.approx(30000, rel=0.03)
    january_noon = datetime(2025, 1, 6, 12, tzinfo=WITA)  # a Monday
    july_noon = datetime(2025, 7, 7, 12, tzinfo=WITA)
    assert demand.intensity(model, january_noon, yearly_total=30000) > demand.intensity(
        model, july_noon, yearly_total=30000)


def test_it_refuses_shapes_of_the_wrong_length():
    with pytest.raises(ValueError):
        toy_model(shapes={"hourly": [1] * 23})


def test_place_weights_prefer_population_then_kecamatan_population_then_area():
    rows = [{"kelurahan": "A", "kecamatan": "X", "population": 100, "area_km2": 1.0},
            {"kelurahan": "B", "kecamatan": "X", "population": 300, "area_km2": 3.0}]
    assert demand.place_weights(rows, {}) == ([100.0, 300.0], "population")
    rows[0]["population"] = None
    assert demand.place_weights(rows, {"X": 1000}) == ([250.0, 750.0], "kecamatan-population")
    assert demand.place_weights(rows, {}) == ([1.0, 3.0], "area")
    # Settled area (the density proxy) where every place has one.
    rows[0]["settled"], rows[1]["settled"] = 0.9, 0.3
    assert demand.place_weights(rows, {}) == ([0.9, 0.3], "density")
    assert demand.place_weights(rows, {"X": 1200}) == ([900.0, 300.0],
                                                        "kecamatan-population")


def test_residents_thin_out_away_from_the_centre():
    centre = (-10.1772, 123.607)
    assert demand.density(centre, centre) == 1.0
    three_km_east = (centre[0], centre[1] + 3 / (demand.KM_PER_DEGREE * 0.984))
    assert demand.density(three_km_east, centre) == pytest.approx(math.exp(-1), rel=0.01)
    assert demand.density((-10.26, 123.59), centre) < 0.1  # Naioni's hills, ~9 km south


@pytest.mark.django_db
def test_kupang_model_reads_areas_categories_and_the_packs_shapes(kupang):
    from sigap.agencies.models import Category
    from sigap.cities import locate

    model = demand.model_for_city(kupang)
    assert model.timezone == "Asia/Makassar"
    assert len(model.places) == 51 and model.weight_basis == "density"
    assert set(model.categories) == set(
        Category.objects.filter(city=kupang, is_active=True).values_list("code", flat=True))
    assert sum(p.area_km2 for p in model.places) == pytest.approx(158.9, rel=0.1)
    fog = model.monthly[model.categories.index("FOGGING_DBD")]
    assert min(fog[0:4]) > max(fog[5:10])  # rainy season Dec-Apr

    got = demand.arrivals(model, start=YEAR[0], end=YEAR[1], total=400,
                          rng=random.Random(3))
    assert got == demand.arrivals(demand.model_for_city(kupang), start=YEAR[0],
                                  end=YEAR[1], total=400, rng=random.Random(3))
    from sigap.cities.models import Area

    code_of = dict(Area.objects.filter(city=kupang).values_list("pk", "code"))
    for a in got[:80]:  # each point lies in the kelurahan it was drawn for
        hit = locate.locate(kupang, a.lat, a.lng)
        assert (code_of[hit.kelurahan_id], code_of[hit.kecamatan_id]) == (a.kelurahan,
                                                                         a.kecamatan)
        assert hit.distance_m == 0
