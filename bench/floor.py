"""The write of a new report alone, as a reference for the create's figure (bench/api.py).

POST /bench/floor.json runs the product's write plan (reports.intake.write: the API key's
gate, the ticket, the report, its CREATED event, the outbox row, the data version) for a
copy of the newest report, with nothing else of a create: no form parsing, no validation, no
point-in-polygon, routing or SLA, no model built from the request. What create costs beyond
this is the request's own work; what this costs is the database's share.
"""

from __future__ import annotations

import copy

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sigap.lib.prepared import PreparedInsert
from sigap.open311 import keys
from sigap.open311.models import ApiKey
from sigap.reports import intake
from sigap.reports.models import Outbox, Report, ReportEvent

_template: dict = {}


def _refused():
    raise RuntimeError("the benchmark's API key refused the write")


@csrf_exempt
def floor(request):
    now = timezone.now()
    if not _template:
        report = Report.objects.select_related("city").order_by("-pk").first()
        event = ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.CREATED).first()
        _template.update(report=report, key=ApiKey.objects.filter(is_active=True).order_by(
            "-pk").first(), event=event or ReportEvent(
            report=report, kind=ReportEvent.Kind.CREATED, new=report.status,
            actor_role="reporter", agency_id=report.agency_id, is_public=True, at=now,
            data={"source": report.source}))
    report = copy.copy(_template["report"])
    report.pk, report._state.adding = None, True
    event = copy.copy(_template["event"])
    event.pk, event._state.adding = None, True
    event.report = report
    city = report.city
    intake.write(city=city, year=now.astimezone(city.tz).year,
                 report=PreparedInsert(report, later=("ticket",)),
                 event=PreparedInsert(event, later=("report",)),
                 extras=[PreparedInsert(Outbox(event=event), later=("event",))],
                 gate=keys.charge(_template["key"], now, _refused))
    return JsonResponse([{"service_request_id": report.ticket}], safe=False)
