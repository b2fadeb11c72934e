"""Public reads are cached under the data version: never stale after a change."""

import pytest

pytestmark = pytest.mark.django_db


def tickets(o311):
    _response, body = o311.get("requests", lat="-10.17", long="123.60", radius="500")
    return [item["service_request_id"] for item in body]


def test_a_change_is_visible_on_the_next_read(o311, make_report, make_user, now,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_report("MACET", description="Macet")
    assert tickets(o311) == [first.ticket]
    # A second identical read is served from the cache: no query of the reports table.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert tickets(o311) == [first.ticket]
    assert not [q for q in queries.captured_queries if "reports_report\"" in q["sql"]]
    assert len(queries.captured_queries) <= 2  # the city and the data version
    with django_capture_on_commit_callbacks(execute=True):
        second = make_report("MACET", description="Macet lagi")
    assert tickets(o311) == [second.ticket, first.ticket]
    from sigap.reports import services

    dispatcher = make_user("dispatcher", "DISHUB")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(second.pk, actor=dispatcher, now=now, reason="spam")
    assert tickets(o311) == [first.ticket]


def test_the_cache_can_be_switched_off(o311, make_report, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SIGAP_READ_CACHE_SECONDS = 0
    make_report("MACET", description="Macet")
    tickets(o311)
    with CaptureQueriesContext(connection) as queries:
        tickets(o311)
    assert any("reports_report" in q["sql"] for q in queries.captured_queries)


def test_a_client_can_ask_for_a_fresh_answer(o311, make_report, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_report("MACET", description="Macet")
    tickets(o311)
    with CaptureQueriesContext(connection) as queries:
        client.get("/open311/v2/requests.json", {"lat": "-10.17", "long": "123.60",
                                                 "radius": "500"},
                   HTTP_CACHE_CONTROL="no-cache")
    assert any("reports_report" in q["sql"] for q in queries.captured_queries)
