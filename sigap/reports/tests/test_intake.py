"""Writing a new report (reports.intake): the same plan as steps (SQLite) and as one statement
(PostgreSQL); every test runs on both legs."""

from datetime import datetime, timezone

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from sigap.reports import freshness, intake, services
from sigap.reports.models import (
    Follower, IdempotencyKey, Photo, Report, ReportEvent, TicketSequence,
)

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def refuse():
    raise Refused


def gate(city, allow: bool) -> intake.Gate:
    """A gate on the city's row that matches it or nothing (any row will do: what matters is
    what the plan does when the gate matches nothing)."""
    return intake.Gate(type(city), "UPDATE {table} SET name = name WHERE id = %s AND %s "
                       "RETURNING id", [city.pk, allow], refuse)


def new(category, **kwargs):
    return services.NewReport(category=category("MACET"), lat=-10.17, lng=123.60,
                              description=kwargs.pop("description", "Macet total"), **kwargs)


def counters(city):
    return (Report.objects.count(), ReportEvent.objects.count(),
            TicketSequence.objects.filter(city=city).values_list("last", flat=True).first(),
            freshness.version())


def test_it_writes_the_report_its_event_and_bumps_the_version(kupang, category, now):
    before = freshness.version()
    created = services.create_report(kupang, new(category), now=now).report
    stored = Report.objects.get()
    assert created.pk == stored.pk and created.ticket == stored.ticket == "KPG-2026-000001"
    event = ReportEvent.objects.get()
    assert (event.report_id, event.kind, event.new) == (stored.pk, "created", "submitted")
    assert freshness.version() == before + 1
    assert not created._state.adding


def test_every_value_reaches_the_database_as_it_was_in_memory(kupang, category, now):
    # On PostgreSQL the values travel as one JSON object per row: dates, floats, JSON
    # answers, booleans and empty values must come back exactly.
    cat = category("SAMPAH")
    answers = {a.code: (a.values[0][0] if a.values else "x")
               for a in cat.attributes.filter(required=True)}
    data = services.NewReport(
        category=cat, lat=-10.171234567891, lng=123.6012345678901, description="Ünïcode ✓ 'q'",
        answers=answers, address="Jl. \"El Tari\" No. 1", is_anonymous=True,
        contact=services.Contact(name="Ina", phone="0812", email=""),
        origin={"nested": {"list": [1, 2.5, None, True]}})
    created = services.create_report(kupang, data, now=now).report
    stored = Report.objects.get(pk=created.pk)
    for field in Report._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(created, field.attname), field.name
    event = ReportEvent.objects.get(report=stored)
    assert event.data == {"nested": {"list": [1, 2.5, None, True]}, "source": "web"}
    assert event.at == now and event.actor_id is None


def test_a_refused_gate_writes_nothing_and_draws_no_ticket(kupang, category, now):
    services.create_report(kupang, new(category), now=now)
    before = counters(kupang)
    with pytest.raises(Refused):
        services.create_report(kupang, new(category), now=now, gate=gate(kupang, False))
    assert counters(kupang) == before
    after = services.create_report(kupang, new(category), now=now, gate=gate(kupang, True)).report
    assert after.ticket == "KPG-2026-000002"  # no gap


def test_the_first_report_of_a_year_starts_its_counter(kupang, category):
    at = datetime(2030, 3, 1, 2, 0, tzinfo=timezone.utc)
    assert not TicketSequence.objects.filter(year=2030).exists()
    report = services.create_report(kupang, new(category), now=at).report
    assert report.ticket == "KPG-2030-000001"
    assert TicketSequence.objects.get(year=2030).last == 1


def test_numbers_past_six_digits_keep_every_digit(kupang, category, now):
    services.create_report(kupang, new(category), now=now)
    TicketSequence.objects.filter(city=kupang, year=2026).update(last=999_999)
    report = services.create_report(kupang, new(category), now=now).report
    assert report.ticket == "KPG-2026-1000000" == Report.objects.get(pk=report.pk).ticket
    assert intake.ticket_text("KPG", 2026, 7) == "KPG-2026-000007"


def test_rows_hanging_off_the_report_and_event_get_their_ids(kupang, category, make_user,
                                                              photo, now):
    citizen = make_user("citizen")
    created = services.create_report(
        kupang, new(category, reporter=citizen, photos=[photo(), photo()]), now=now,
        idempotency=("web", "k1")).report
    event = ReportEvent.objects.get(report=created)
    photos = list(Photo.objects.filter(report=created))
    assert len(photos) == 2 and {p.event_id for p in photos} == {event.pk}
    assert all(p.image.storage.exists(p.image.name) for p in photos)
    assert Follower.objects.get(report=created).user == citizen
    assert IdempotencyKey.objects.get(key="k1").report_id == created.pk


def test_an_extra_row_that_fails_undoes_the_whole_report(kupang, category, now):
    from sigap.lib.prepared import PreparedInsert

    services.create_report(kupang, new(category), now=now, idempotency=("web", "taken"))
    before = counters(kupang)

    def clashing(report):  # a row that violates a unique constraint, written with the report
        return [PreparedInsert(IdempotencyKey(scope="web", key="taken", report=report,
                                              created_at=now), later=("report",))]

    with pytest.raises(IntegrityError):
        services.create_report(kupang, new(category), now=now, extras=clashing)
    assert counters(kupang) == before


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_write_is_one_statement_on_postgresql(kupang, category,
                                                                         now):
    data = new(category)
    services.create_report(kupang, data, now=now)  # warm: catalogue, compiled inserts
    with CaptureQueriesContext(connection) as queries:
        report = services.create_report(kupang, data, now=now).report
    writes = [q["sql"] for q in queries.captured_queries
              if not q["sql"].lstrip().upper().startswith("SELECT")]
    if connection.vendor == "postgresql":
        assert writes[0].startswith("WITH ") and "reports_outbox" in writes[0]
        written = 1
    else:  # BEGIN, counter, report, event, outbox row, version, COMMIT (no gate, no extras)
        written = writes.index("COMMIT") + 1
        assert written == 7, writes
    # What follows is the outbox drain after the commit (the queue is immediate in tests).
    assert all("reports_report\"" not in sql for sql in writes[written:])
    assert Report.objects.get(pk=report.pk).ticket == "KPG-2026-000002"
