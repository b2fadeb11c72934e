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
