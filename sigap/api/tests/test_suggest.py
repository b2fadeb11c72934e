"""GET /api/v1/categories/suggest/: the city's suggester behind the public API."""

import pytest

from sigap.suggest import training

URL = "/api/v1/categories/suggest/"


@pytest.fixture
def trained(kupang, now):
    return training.retrain(kupang, now=now)


def test_it_ranks_the_categories_for_the_words(api, trained):
    r = api.get(URL, {"text": "got tasumbat, air naik ke jalan"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["city"] == "kupang"
    assert body["model_version"] == trained.version
    codes = [s["code"] for s in body["suggestions"]]
    assert codes[0] == "BANJIR_DRAINASE"
    assert len(codes) <= 3
    scores = [s["score"] for s in body["suggestions"]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    assert body["suggestions"][0]["name"] == "Banjir / saluran tersumbat"


def test_it_answers_in_english_names_for_english_clients(api, trained):
    r = api.get(URL, {"text": "traffic light not working at the junction"},
                HTTP_ACCEPT_LANGUAGE="en")
    top = r.json()["suggestions"][0]
    assert (top["code"], top["name"]) == ("LALIN_RUSAK", "Broken traffic lights & road signs")


@pytest.mark.parametrize("text, message", [
    ("", "Tulis beberapa kata tentang masalahnya."),
    ("  ", "Tulis beberapa kata tentang masalahnya."),
    ("ab", "Tulis paling sedikit 3 huruf tentang masalahnya."),
    ("x" * 501, "Teks terlalu panjang untuk saran kategori: paling banyak 500 karakter."),
])
def test_it_refuses_empty_and_too_long_text_clearly(api, trained, text, message):
    r = api.get(URL, {"text": text})
    assert r.status_code == 400
    assert r.json()["text"] == [message]


def test_it_refuses_a_missing_text_and_half_a_point(api, trained):
    assert api.get(URL).json()["text"] == ["Tulis beberapa kata tentang masalahnya."]
    r = api.get(URL, {"text": "sampah menumpuk", "lat": "-10.17"})
    assert r.status_code == 400 and "lat" in r.json()


def test_it_names_an_unknown_city(api, trained):
    r = api.get(URL, {"text": "sampah menumpuk", "city": "atlantis"})
    assert r.status_code == 404


def test_the_point_chooses_the_city(api, trained, jayapura, now):
    training.retrain(jayapura, now=now)
    r = api.get(URL, {"text": "sampah menumpuk", "lat": "-2.54", "lng": "140.70"})
    assert r.json()["city"] == "jayapura"
    r = api.get(URL, {"text": "sampah menumpuk", "city": "jayapura"})
    assert r.json()["city"] == "jayapura"
    assert r.json()["suggestions"][0]["code"] == "SAMPAH"


def test_words_it_never_saw_get_no_suggestion(api, trained):
    r = api.get(URL, {"text": "qqqq zzzz xxxx"})
    assert r.status_code == 200 and r.json()["suggestions"] == []


def test_a_city_without_a_model_answers_none_yet(api, kupang):
    from sigap.suggest.models import SuggestionModel

    SuggestionModel.objects.all().delete()
    body = api.get(URL, {"text": "sampah menumpuk"}).json()
    assert body["model_version"] is None and body["suggestions"] == []


def test_the_schema_documents_it(api):
    r = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = r.json() if r["Content-Type"].startswith("application/json") else None
    text = r.content.decode()
    assert "/api/v1/categories/suggest/" in text
    if schema:
        op = schema["paths"]["/api/v1/categories/suggest/"]["get"]
        assert {p["name"] for p in op["parameters"]} >= {"text", "city", "lat", "lng"}


def test_it_is_throttled_like_the_other_public_endpoints(api, trained, real_throttles,
                                                          monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    codes = [api.get(URL, {"text": "sampah menumpuk"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
