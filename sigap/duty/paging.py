"""Emergency paging: page the kecamatan team on duty, ask for an acknowledgement, re-page,
then escalate to the agency head; every step is a line of the report's history.

A callout is opened (in the outbox drain's transaction, unique per triggering event) when an
emergency report arrives at an agency (created, or re-routed to it). Its steps follow
`rota.schedule`; `run_due(now)` takes each step that is due with a conditional UPDATE on
(callout, step) in the same transaction as the step's ReportEvent and outbox row, so two
workers, or a worker killed and restarted, never take a step twice and never lose one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F

from sigap.accounts.models import Role as AccountRole
from sigap.agencies import routing
from sigap.agencies.models import Team
from sigap.duty import rota
from sigap.duty.models import Callout, PagingRule
from sigap.duty.services import heads_of, team_on_duty
from sigap.reports import services as report_services, workflow
from sigap.reports.models import ReportEvent

log = logging.getLogger(__name__)
K = ReportEvent.Kind
S = Callout.State


def steps_of(callout: Callout) -> list[rota.Step]:
    return rota.schedule(callout.ack_minutes, callout.repages, callout.escalate_after_minutes)


def plan_callouts(events) -> list[Callout]:
    """Return the callouts (unsaved) these arrival events open: emergency categories only."""
    arrivals = [e for e in events if e.kind in (K.CREATED, K.REASSIGNED)]
    if not arrivals:
        return []
    rules = {r.category_id: r for r in PagingRule.objects.filter(
        page=True, category_id__in={e.report.category_id for e in arrivals})}
    out = []
    for event in arrivals:
        rule = rules.get(event.report.category_id)
        if rule is None:
            continue
        out.append(Callout(report_id=event.report_id, trigger_id=event.pk,
                           agency_id=event.report.agency_id, ack_minutes=rule.ack_minutes,
                           repages=rule.repages,
                           escalate_after_minutes=rule.escalate_after_minutes,
                           started_at=event.at, next_at=event.at))
    return out


def _team_id(report) -> int | None:
    teams = list(Team.objects.filter(agency_id=report.agency_id).prefetch_related("kecamatan"))
    return report.team_id or routing.pick_team(
        [routing.TeamOption(t.pk, frozenset(a.pk for a in t.kecamatan.all())) for t in teams],
        report.kecamatan_id)


def take_step(callout_id: int, *, now: datetime) -> str | None:
    """Take the callout's next step if it is due; return its kind (None: nothing taken)."""
    with transaction.atomic():
        callout = Callout.objects.select_related("report__agency__city").get(pk=callout_id)
        if callout.state != S.OPEN or callout.next_at is None or callout.next_at > now:
            return None
        steps = steps_of(callout)
        if callout.step >= len(steps):
            return None
        report = callout.report
        if report.status not in workflow.OPEN or report.agency_id != callout.agency_id:
            # Rejected, merged, closed or sent to another agency: nobody is paged for it.
            Callout.objects.filter(pk=callout.pk, step=callout.step, state=S.OPEN).update(
                state=S.CLOSED, next_at=None)
            return None
        step = steps[callout.step]
        following = steps[callout.step + 1] if callout.step + 1 < len(steps) else None
        changes = {"step": F("step") + 1,
                   "next_at": callout.started_at + timedelta(minutes=following.minutes)
                   if following else None}
        if step.kind == "escalate":
            changes["state"] = S.ESCALATED
        # The claim: only one worker moves the callout from this step to the next.
        if not Callout.objects.filter(pk=callout.pk, step=callout.step, state=S.OPEN) \
                .update(**changes):
            return None
        report, agency = callout.report, callout.report.agency
        if step.kind == "page":
            people = team_on_duty(agency, _team_id(report), now)
            kind, data = K.PAGE, {"callout": callout.pk, "round": callout.step,
                                  "to": [u.pk for u in people]}
        else:
            people = heads_of(agency)
            kind, data = K.PAGE_ESCALATED, {"callout": callout.pk,
                                            "to": [u.pk for u in people]}
        report_services.record_event(report, kind=kind, now=now, actor_role="system",
                                     note=", ".join(str(u) for u in people), data=data)
    return step.kind


def run_due(now: datetime, *, limit: int = 200) -> list[tuple[int, str]]:
    """Take every callout step that is due (safe to run twice, or in two workers)."""
    taken = []
    for pk in list(Callout.objects.filter(state=S.OPEN, next_at__lte=now)
                   .order_by("next_at").values_list("pk", flat=True)[:limit]):
        while (kind := take_step(pk, now=now)) is not None:
            taken.append((pk, kind))
    return taken


class NotYours(Exception):
    """This person may not acknowledge this callout."""


def may_acknowledge(user, callout: Callout) -> bool:
    return user.is_active and user.agency_id == callout.agency_id and user.role in (
        AccountRole.OFFICER, AccountRole.DISPATCHER, AccountRole.HEAD)


def acknowledge(callout_id: int, *, user, now: datetime) -> bool:
    """Record that `user` took the emergency; return False when it was already taken."""
    with transaction.atomic():
        callout = Callout.objects.select_related("report").get(pk=callout_id)
        if not may_acknowledge(user, callout):
            raise NotYours
        if not Callout.objects.filter(pk=callout.pk, acked_at__isnull=True).exclude(
                state=S.CLOSED).update(acked_at=now, acked_by=user, state=S.ACKED,
                                       next_at=None):
            return False
        report_services.record_event(callout.report, kind=K.PAGE_ACK, now=now, actor=user,
                                     actor_role=user.role, data={"callout": callout.pk})
    return True
