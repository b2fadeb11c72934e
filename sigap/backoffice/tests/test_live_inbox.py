"""Issue 23, item 1: the open inbox hears of new and re-routed reports without a reload, from
a poll that costs the same few queries however many reports arrived."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sigap.agencies.models import Agency
from sigap.cities.models import City
from sigap.reports import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user):
    return make_user("dispatcher", agency="DLHK")


def poll(client, since, **params):
    response = client.get(reverse("backoffice:arrivals"), {"since": since.isoformat(),
                                                           **params})
    assert response.status_code == 200
    return response.json()


def test_it_shows_a_report_that_arrived_since_the_cursor(client, desk, make_report, photo,
                                                         now):
    old = make_report(at=now - timedelta(hours=1))
    client.force_login(desk)
    assert poll(client, now - timedelta(minutes=5))["rows"] == ""

    new = make_report(at=now + timedelta(seconds=2), photos=[photo()])
    data = poll(client, now)
    assert new.ticket in data["rows"] and old.ticket not in data["rows"]
    assert 'class="arrived"' in data["rows"] and "P" + str(new.priority) in data["rows"]
    assert 'class="thumb"' in data["rows"]  # the photo thumbnail
    assert data["points"] == [{"t": new.ticket, "lat": new.lat, "lng": new.lng,
                               "p": new.priority,
                               "u": reverse("backoffice:report", args=[new.ticket])}]


def test_a_report_rerouted_to_the_agency_arrives_the_same_way(client, make_user, make_report,
                                                               now):
    pupr_desk = make_user("dispatcher", agency="PUPR")
    report = make_report(at=now - timedelta(hours=2))
    services.reassign(report.pk, actor=make_user("dispatcher", agency="DLHK"), now=now,
                      agency=Agency.objects.get(code="PUPR"), reason="Saluran")
    client.force_login(pupr_desk)
    assert report.ticket in poll(client, now - timedelta(seconds=1))["rows"]


def test_another_agencys_report_does_not_arrive(client, make_user, make_report, now):
    client.force_login(make_user("dispatcher", agency="PUPR"))
    report = make_report(at=now)  # DLHK's
    assert report.ticket not in poll(client, now - timedelta(seconds=1))["rows"]


def test_the_poll_costs_the_same_queries_for_one_or_many_arrivals(
        client, desk, make_report, photo, now, django_assert_max_num_queries):
    # Session, user, the second-factor devices (accounts), the desk's agency, the arrivals
    # (report_agency_arrivals), their photos: 7, whatever the number of rows.
    client.force_login(desk)
    make_report(at=now, photos=[photo()])
    City.all_cached()  # the index of cities the middleware reads once a process
    with CaptureQueriesContext(connection) as first, django_assert_max_num_queries(7):
        one = poll(client, now - timedelta(seconds=1), bulk="1")
    for i in range(8):
        make_report(at=now + timedelta(seconds=i), photos=[photo()])
    with CaptureQueriesContext(connection) as second:
        many = poll(client, now - timedelta(seconds=1), bulk="1")
    assert len(one["points"]) == 1 and len(many["points"]) == 9
    assert len(second) == len(first)


def test_the_inbox_page_listens_only_on_its_open_first_page(client, desk, now):
    client.force_login(desk)
    assert 'id="inbox-live"' in client.get(reverse("backoffice:inbox")).content.decode()
    closed = client.get(reverse("backoffice:inbox"), {"status": "closed"}).content.decode()
    assert 'id="inbox-live"' not in closed


def test_it_refuses_a_missing_cursor(client, desk):
    client.force_login(desk)
    assert client.get(reverse("backoffice:arrivals")).status_code == 400
