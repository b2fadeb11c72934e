"""Hypothesis over the parsers at the edge: any input is a value or a clean refusal."""

from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings, strategies as st

from sigap.lib import text
from sigap.lib.images import BadImage, clean_photo
from sigap.open311.adapter import Problem, attributes, date_time, integer, number

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
TZ = ZoneInfo("Asia/Makassar")
anything = st.text(st.characters(), max_size=60)


def params(**values) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in values.items():
        q[key] = value
    return q


@FUZZ
@given(raw=anything | st.from_regex(r"-?\d{1,400}(\.\d{0,20})?([eE][+-]?\d{1,5})?"))
def test_coordinates_parse_or_refuse(raw):
    try:
        value = number(params(lat=raw), "lat", low=-90, high=90)
    except Problem as problem:
        assert problem.status == 400
    else:
        assert value is None or -90 <= value <= 90


@FUZZ
@given(raw=anything | st.from_regex(r"\d{1,30}"))
def test_integers_parse_or_refuse(raw):
    try:
        value = integer(params(page=raw), "page", default=1, low=1, high=1000)
    except Problem as problem:
        assert problem.status == 400
    else:
        assert 1 <= value <= 1000


@FUZZ
@given(raw=anything | st.datetimes().map(lambda d: d.isoformat()) |
       st.from_regex(r"\d{4,9}-\d{1,3}-\d{1,3}(T\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?)?"))
def test_dates_parse_or_refuse(raw):
    try:
        value = date_time(params(start_date=raw), "start_date", TZ)
    except Problem as problem:
        assert problem.status == 400
    else:
        assert value is None or value.tzinfo is not None


@FUZZ
@given(pairs=st.lists(st.tuples(anything, anything), max_size=8))
def test_attributes_are_a_dict_of_strings_or_lists(pairs):
    post = QueryDict(mutable=True)
    for key, value in pairs:
        post.appendlist(f"attribute[{key}]" if key and "]" not in key else key, value)
    answers = attributes(post)
    assert all(isinstance(v, (str, list)) for v in answers.values())


@FUZZ
@given(raw=st.binary(max_size=2048) | st.sampled_from([
    b"\xff\xd8\xff\xe0" + b"\x00" * 100, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"RIFF0000WEBP"]))
def test_uploads_are_a_photo_or_a_named_refusal(raw):
    try:
        clean_photo(raw, max_bytes=10_000_000, max_pixels=40_000_000)
    except BadImage as refusal:
        assert refusal.args[0] in {"not_image", "corrupt", "too_large", "too_many_pixels",
                                   "empty"}


@FUZZ
@given(value=st.recursive(anything, lambda inner: st.lists(inner, max_size=3) |
                          st.dictionaries(anything, inner, max_size=3), max_leaves=10))
def test_control_characters_are_found_wherever_they_hide(value):
    import json

    found = text.first_control(value) is not None
    assert found == bool(text.CONTROL.search(json.dumps(value, ensure_ascii=False)
                                             .replace("\\n", "").replace("\\t", "")
                                             .replace("\\r", "")) or
                         any(text.has_control(s) for s in _strings(value)))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.django_db
@FUZZ
# A query string is UTF-8 on the wire: a lone surrogate cannot be sent (the test client
# refuses to encode it), so the text here is any character but those.
@given(cursor=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
       | st.binary(max_size=60).map(lambda b: __import__("base64").b64encode(b).decode()))
def test_rest_cursors_are_ours_or_a_400(cursor):
    from rest_framework.test import APIClient

    from sigap.cities.citypack import load_pack
    from sigap.cities.models import City

    from unittest import mock

    from rest_framework.throttling import SimpleRateThrottle

    if not City.objects.exists():
        load_pack("kupang")
    with mock.patch.object(SimpleRateThrottle, "allow_request", return_value=True):
        response = APIClient().get("/api/v1/reports/", {"cursor": cursor})
    assert response.status_code == 400, (cursor, response.status_code)
