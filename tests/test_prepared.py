"""PreparedInsert writes the row Model.save() would, with the late values filled in."""

from datetime import datetime
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.forms.models import model_to_dict

from sigap.lib.prepared import PreparedInsert
from sigap.reports.models import Report, ReportEvent

pytestmark = pytest.mark.django_db


def test_it_inserts_what_save_would(make_report, now):
    saved = make_report()  # through the services (PreparedInsert inside)
    twin = Report.objects.get(pk=saved.pk)
    twin.pk, twin.ticket, twin.tracking_key = None, "KPG-2026-999999", "other-key"
    twin._state.adding = True
    twin.save()  # the ORM's own save, for comparison
    prepared = Report.objects.get(pk=saved.pk)
    ignore = {"id", "ticket", "tracking_key"}
    assert {k: v for k, v in model_to_dict(prepared).items() if k not in ignore} == \
        {k: v for k, v in model_to_dict(Report.objects.get(pk=twin.pk)).items()
         if k not in ignore}


def test_it_fills_late_values_and_sets_the_new_key(make_report, now):
    report = make_report()
    event = ReportEvent(kind=ReportEvent.Kind.PUBLIC_NOTE, note="catatan", is_public=True, at=now,
                        data={"a": 1})
    insert = PreparedInsert(event, later=("report",))
    with pytest.raises(TypeError):
        insert.execute()
    pk = insert.execute(report=report.pk)
    assert pk == event.pk and not event._state.adding
    stored = ReportEvent.objects.get(pk=pk)
    assert (stored.report_id, stored.note, stored.data, stored.at) == (
        report.pk, "catatan", {"a": 1}, now)


def test_values_passed_through_untouched_are_what_django_would_send(make_report):
    from django.db import connection
    from django.utils.translation import gettext_lazy

    report = Report.objects.get(pk=make_report().pk)
    report.pk = None
    # Values of the "wrong" plain type take Django's path: a bool in an integer field, an
    # int in a float field, a lazy string in a text field.
    report.priority, report.lat, report.description = True, -10, gettext_lazy("Sampah")
    # Datetimes: aware in UTC (the fast path), aware in the city's zone and in a zoneinfo
    # UTC (Django's path), empty.
    utc = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt_timezone.utc)
    report.created_at, report.updated_at = utc, utc.replace(microsecond=0)
    report.due_at = utc.astimezone(ZoneInfo("Asia/Makassar"))
    report.response_due_at = utc.astimezone(ZoneInfo("UTC"))
    report.closed_at = None
    prepared = PreparedInsert(report)
    for name, (index, field) in prepared.fields.items():
        expected = field.get_db_prep_save(field.pre_save(report, add=True), connection)
        sent = prepared.params[index]
        # On PostgreSQL Django wraps integers in psycopg's Int2/Int4/Int8 type hints (int
        # subclasses); a plain int is the same number to the server.
        assert type(sent) is type(expected) or (
            type(sent) is int and isinstance(expected, int) and type(expected) is not bool), name
        assert getattr(sent, "obj", sent) == getattr(expected, "obj", expected), name


def test_it_still_counts_as_a_query_when_queries_are_captured(make_report, now):
    """The SQLite shortcut past Django's cursor is off while queries are logged: tests that
    count statements (and DEBUG's query log) see every INSERT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = make_report()
    event = ReportEvent(kind=ReportEvent.Kind.PUBLIC_NOTE, note="x", is_public=True, at=now)
    with CaptureQueriesContext(connection) as queries:
        PreparedInsert(event, later=("report",)).execute(report=report.pk)
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]


def test_a_failing_insert_raises_djangos_integrity_error(make_report, now):
    from django.db import IntegrityError, transaction

    report = make_report()
    twin = Report.objects.get(pk=report.pk)
    twin.pk = None
    twin._state.adding = True  # same ticket: the unique constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        PreparedInsert(twin).execute()


def _state(obj):
    # tracking_key's default is random: compared apart
    return ({k: v for k, v in obj.__dict__.items() if k not in ("_state", "tracking_key")},
            dict(obj._state.fields_cache), obj._state.adding, obj._state.db)


def test_new_builds_what_the_keyword_constructor_builds(kupang, now):
    from sigap.agencies.models import Category
    from sigap.lib.prepared import new
    from sigap.reports.models import Outbox

    category = Category.objects.filter(city=kupang).select_related("agency").first()
    values = dict(city=kupang, category=category, agency=category.agency, reporter=None,
                  description="Sampah", answers={"a": 1}, lat=-10.17, lng=123.6,
                  kelurahan_id=None, status="submitted", created_at=now, updated_at=now,
                  due_at=now)
    built, expected = new(Report, **values), Report(**values)
    assert _state(built) == _state(expected)
    assert built.city is kupang and built.category is category and built.reporter is None
    # Callable defaults are called per instance, as Django does.
    assert len(built.tracking_key) == len(expected.tracking_key) > 8
    assert new(Report, **values).tracking_key != built.tracking_key
    event = new(ReportEvent, report=built, kind="created", at=now, data={})
    assert _state(event) == _state(ReportEvent(report=built, kind="created", at=now, data={}))
    assert _state(new(Outbox, event=event)) == _state(Outbox(event=event))
    assert new(Report).answers is not new(Report).answers  # JSONField default=dict


def test_new_refuses_what_the_constructor_refuses(kupang):
    from sigap.lib.prepared import new

    with pytest.raises(TypeError):
        new(Report, no_such_field=1)
    with pytest.raises(ValueError):
        new(Report, city="kupang")  # not a City
