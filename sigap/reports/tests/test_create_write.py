"""Writing a new report: one ORM transaction, all or nothing; every test runs on both legs."""

from datetime import datetime, timezone

import pytest
from django.db import IntegrityError, transaction

from sigap.reports import freshness, services
from sigap.reports.models import (
    Follower, IdempotencyKey, Photo, Report, ReportEvent, TicketSequence,
)

pytestmark = pytest.mark.django_db


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
        contact=services.Contact(name="Ina", phone="0812 3456 7890", email=""),
        origin={"nested": {"list": [1, 2.5, None, True]}})
    created = services.create_report(kupang, data, now=now).report
    stored = Report.objects.get(pk=created.pk)
    for field in Report._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(created, field.attname), field.name
    event = ReportEvent.objects.get(report=stored)
    assert event.data == {"nested": {"list": [1, 2.5, None, True]}, "source": "web"}
    assert event.at == now and event.actor_id is None


class Refused(Exception):
    pass


def test_a_refusal_in_the_callers_transaction_writes_nothing_and_draws_no_ticket(
        kupang, category, photo, now):
    services.create_report(kupang, new(category), now=now)
    before = counters(kupang)
    created = []
    with pytest.raises(Refused):
        with transaction.atomic():  # as an adapter does around its own rows
            created.append(services.create_report(kupang, new(category), now=now).report)
            raise Refused
    assert counters(kupang) == before
    after = services.create_report(kupang, new(category), now=now).report
    assert after.ticket == "KPG-2026-000002"  # no gap


def test_a_refused_create_leaves_no_photo_file(kupang, category, photo, now, settings):
    services.create_report(kupang, new(category), now=now, idempotency=("web", "taken"))
    files_before = _files(settings.MEDIA_ROOT)
    IdempotencyKey.objects.filter(key="taken").update(report=None)  # no replay to fall back on
    with pytest.raises(IntegrityError):
        services.create_report(kupang, new(category, photos=[photo()]), now=now,
                               idempotency=("web", "taken"))
    assert Photo.objects.count() == 0
    assert _files(settings.MEDIA_ROOT) == files_before


def _files(root):
    import os

    return sorted(os.path.join(d, f) for d, _dirs, fs in os.walk(root) for f in fs)


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
    assert services.create.ticket_text("KPG", 2026, 7) == "KPG-2026-000007"


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


def test_a_row_of_the_callers_that_fails_undoes_the_whole_report(kupang, category, now):
    services.create_report(kupang, new(category), now=now, idempotency=("web", "taken"))
    before = counters(kupang)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            report = services.create_report(kupang, new(category), now=now).report
            IdempotencyKey.objects.create(scope="web", key="taken", report=report,
                                          created_at=now)  # violates a unique constraint
    assert counters(kupang) == before
