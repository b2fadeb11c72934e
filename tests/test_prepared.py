"""PreparedInsert writes the row Model.save() would, with the late values filled in."""

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
    prepared = PreparedInsert(report)
    for name, (index, field) in prepared.fields.items():
        expected = field.get_db_prep_save(field.pre_save(report, add=True), connection)
        sent = prepared.params[index]
        # On PostgreSQL Django wraps integers in psycopg's Int2/Int4/Int8 type hints (int
        # subclasses); a plain int is the same number to the server.
        assert type(sent) is type(expected) or (
            type(sent) is int and isinstance(expected, int) and type(expected) is not bool), name
        assert getattr(sent, "obj", sent) == getattr(expected, "obj", expected), name
