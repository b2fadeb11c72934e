"""Answers from simulated years: SLA compliance, time to fix, backlog, utilisation (pure).

A run's summary is plain data (dicts, lists, numbers) so it can be stored as JSON, written as
CSV, drawn as charts and compared across replications.

Definitions: the dashboard's own (`dashboard.stats.sla_state`), read at the end of the run
(the cut), so that a simulated year and a recorded one are counted alike:
- first response met: the report's first answer (`first_response_at`) came by
  `response_due_at`; resolution met: `resolved_at` by `due_at` (after a reopening, the
  last resolution against the new deadline); a deadline that has passed unmet is missed,
  one still ahead is pending and left out of the share;
- rejected reports and duplicates count for neither deadline (as on the dashboard);
- time to fix: from the citizen's report to its last resolution (reopens included);
- utilisation: hours travelling or on site over hours on duty (overtime included).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

from sigap.capacity.engine import Run
from sigap.dashboard.stats import count_sla, sla_state
from sigap.reports.workflow import Status

# Time-to-fix histogram: upper bounds in hours (the last bucket is "later", then "never").
TTF_BUCKETS = (2, 4, 8, 24, 48, 72, 168, 336)
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Return the mean and the half-width of its 95 % confidence interval (Student's t)."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    m = statistics.fmean(values)
    if len(values) < 2:
        return m, math.nan
    t = _T975[len(values) - 2] if len(values) - 1 <= len(_T975) else 1.96
    return m, t * statistics.stdev(values) / math.sqrt(len(values))


def _quantile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


class _Tally:
    def __init__(self):
        self.reports = self.rejected = self.duplicates = 0
        self.states: dict[str, list] = {"response": [], "resolve": []}  # sla_state per report
        self.resolved = self.unresolved = self.handbacks = self.reopens = self.reassigned = 0
        self.escalated = [0, 0, 0]
        self.ttf: list[float] = []
        self.waits: list[float] = []
        self.late = [0, 0.0, 0.0, 0.0, 0.0, 0]  # n, desk, lead, queue, field hours, reopened
        self.hist = [0] * (len(TTF_BUCKETS) + 2)

    def add(self, r, level: int, cut) -> None:
        self.reports += 1
        if r.status in (Status.REJECTED, Status.DUPLICATE):
            if r.status == Status.REJECTED:
                self.rejected += 1
            else:
                self.duplicates += 1
            return
        self.states["response"].append(sla_state(
            done_at=r.first_response_at, due_at=r.response_due_at, paused=False, now=cut))
        resolve = sla_state(done_at=r.resolved_at, due_at=r.due_at, paused=False, now=cut)
        self.states["resolve"].append(resolve)
        if resolve == "breached":
            self._late(r, cut)
        self.handbacks += r.handbacks
        self.reopens += r.reopens
        self.reassigned += r.reassigned
        for i in range(level):
            self.escalated[i] += 1
        if r.started is not None and r.first_response_at is not None:
            answered = r.created + (r.first_response_at - r.created_at).total_seconds() / 3600
            self.waits.append(r.started - answered)
        end = r.final if r.final is not None else r.resolved
        if r.resolved is None:
            self.unresolved += 1
            self.hist[-1] += 1
            return
        self.resolved += 1
        ttf = end - r.created
        self.ttf.append(ttf)
        for i, bound in enumerate(TTF_BUCKETS):
            if ttf <= bound:
                self.hist[i] += 1
                break
        else:
            self.hist[len(TTF_BUCKETS)] += 1

    def _late(self, r, cut) -> None:
        """Where a late report's time went, in hours: the desk (to its first answer), the
        lead time (materials, equipment), the queue for an officer, and the field."""
        answered = r.first_response_at or cut
        desk = (answered - r.created_at).total_seconds() / 3600
        begun = r.started if r.started is not None else (cut - r.created_at).total_seconds() \
            / 3600 + r.created
        queue = max(begun - r.created - desk - r.lead_hours, 0.0)
        row = self.late
        row[0] += 1
        row[1] += desk
        row[2] += min(r.lead_hours, max(begun - r.created - desk, 0.0))
        row[3] += queue
        row[4] += r.field_hours
        row[5] += r.reopens > 0

    def drivers(self) -> dict | None:
        n, desk, lead, queue, field, reopened = self.late
        if not n:
            return None
        return {"late": n, "desk_hours": desk / n, "lead_hours": lead / n,
                "queue_hours": queue / n, "field_hours": field / n,
                "reopened_share": reopened / n}

    def as_dict(self) -> dict:
        ttf = sorted(self.ttf)
        response, resolve = (count_sla(self.states[n]) for n in ("response", "resolve"))
        response_met, response_missed = response.met, response.breached
        resolve_met, resolve_missed = resolve.met, resolve.breached
        return {
            "reports": self.reports, "rejected": self.rejected, "duplicates": self.duplicates,
            "resolved": self.resolved, "unresolved": self.unresolved,
            "response_met": response_met, "response_missed": response_missed,
            "resolve_met": resolve_met, "resolve_missed": resolve_missed,
            "response_compliance": _ratio(response_met, response_met + response_missed),
            "resolve_compliance": _ratio(resolve_met, resolve_met + resolve_missed),
            "ttf_p50": _quantile(ttf, 0.5), "ttf_p90": _quantile(ttf, 0.9),
            "ttf_p95": _quantile(ttf, 0.95),
            "ttf_mean": statistics.fmean(ttf) if ttf else None,
            "mean_wait": statistics.fmean(self.waits) if self.waits else None,
            "p_wait": (sum(1 for w in self.waits if w > 1e-9) / len(self.waits)
                       if self.waits else None),
            "handbacks": self.handbacks, "reopens": self.reopens,
            "reassigned": self.reassigned,
            "reminders": self.escalated[0], "to_head": self.escalated[1],
            "to_admin": self.escalated[2], "ttf_histogram": self.hist,
            "late_drivers": self.drivers(),
        }


def summarise(run: Run, *, warmup_hours: float = 0.0) -> dict:
    """Return the answers of one simulated year as plain data (reports created in the first
    `warmup_hours`, while the empty system fills up, left out)."""
    total, by_agency = _Tally(), defaultdict(_Tally)
    by_category: dict = defaultdict(_Tally)
    cut = run.cut
    for r, level in zip(run.reports, run.escalations, strict=True):
        if r.agency is None or r.created < warmup_hours:
            continue
        total.add(r, level, cut)
        by_agency[r.agency.code].add(r, level, cut)
        by_category[(r.agency.code, r.category)].add(r, level, cut)
    staff: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for o in run.officers:
        row = staff[o.agency]
        row[0] += 1
        row[1] += o.busy_hours
        row[2] += o.duty_hours
    agencies = {}
    for code in sorted(set(by_agency) | set(staff)):
        row = by_agency[code].as_dict()
        officers, busy, duty = staff.get(code, (0, 0.0, 0.0))
        row.update(officers=officers, utilisation=_ratio(busy, duty),
                   duty_hours_per_officer=duty / officers if officers else None)
        agencies[code] = row
    overall = total.as_dict()
    busy = sum(o.busy_hours for o in run.officers)
    duty = sum(o.duty_hours for o in run.officers)
    overall.update(officers=len(run.officers), utilisation=_ratio(busy, duty),
                   unroutable=run.unroutable)
    codes = sorted(agencies)
    backlog = [{"day": int(hour // 24), "total": sum(counts.values()),
                **{code: counts.get(code, 0) for code in codes}}
               for hour, counts in run.backlog]
    return {
        "scenario": run.scenario.name, "seed": run.seed, "year": run.scenario.year,
        "overall": overall, "agencies": agencies,
        "categories": {f"{a}/{c}": t.as_dict() for (a, c), t in sorted(by_category.items())},
        "backlog": backlog, "ttf_buckets": list(TTF_BUCKETS),
    }


# Figures averaged over replications, with a confidence interval.
CI_FIELDS = ("response_compliance", "resolve_compliance", "utilisation", "ttf_p50", "ttf_p90",
             "mean_wait", "p_wait")
SUM_FIELDS = ("reports", "rejected", "duplicates", "response_met", "response_missed",
              "resolve_met", "resolve_missed", "resolved", "unresolved", "handbacks", "reopens",
              "reassigned", "reminders", "to_head", "to_admin", "officers")


def _combine_rows(rows: list[dict]) -> dict:
    out = {}
    for name in CI_FIELDS:
        m, ci = mean_ci([r.get(name) for r in rows])
        out[name] = None if math.isnan(m) else m
        out[name + "_ci"] = None if math.isnan(ci) else ci
    for name in SUM_FIELDS:
        values = [r.get(name) or 0 for r in rows]
        out[name] = statistics.fmean(values) if values else 0
    drivers = [r["late_drivers"] for r in rows if r.get("late_drivers")]
    out["late_drivers"] = ({k: statistics.fmean(d[k] for d in drivers) for k in drivers[0]}
                           if drivers else None)
    hists = [r["ttf_histogram"] for r in rows if r.get("ttf_histogram")]
    out["ttf_histogram"] = ([statistics.fmean(col) for col in zip(*hists, strict=True)]
                            if hists else [])
    return out


def combine(summaries: list[dict]) -> dict:
    """Return the mean answers over replications (different seeds), with 95 % intervals."""
    first = summaries[0]
    agencies = {code: _combine_rows([s["agencies"][code] for s in summaries
                                     if code in s["agencies"]])
                for code in first["agencies"]}
    categories = {key: _combine_rows([s["categories"][key] for s in summaries
                                      if key in s["categories"]])
                  for key in first["categories"]}
    days = min(len(s["backlog"]) for s in summaries)
    backlog = []
    for i in range(days):
        rows = [s["backlog"][i] for s in summaries]
        backlog.append({k: (rows[0][k] if k == "day" else statistics.fmean(r[k] for r in rows))
                        for k in rows[0]})
    overall = _combine_rows([s["overall"] for s in summaries])
    overall["unroutable"] = statistics.fmean(s["overall"]["unroutable"] for s in summaries)
    return {"scenario": first["scenario"], "year": first["year"],
            "replications": len(summaries), "seeds": [s["seed"] for s in summaries],
            "overall": overall, "agencies": agencies, "categories": categories,
            "backlog": backlog, "ttf_buckets": first["ttf_buckets"]}


def _share(met_missed) -> float | None:
    met, missed = met_missed
    return _ratio(met, met + missed)


def attach_recorded(summary: dict, recorded: dict[str, dict]) -> None:
    """Put the recorded figures of a replayed period beside the simulated ones, per agency
    and for the city: `recorded_response_compliance`, `recorded_resolve_compliance` and the
    differences in points (simulated minus recorded)."""
    city = {"reports": 0, "response": [0, 0], "resolve": [0, 0]}
    for row in recorded.values():
        city["reports"] += row["reports"]
        for name in ("response", "resolve"):
            city[name] = [a + b for a, b in zip(city[name], row[name], strict=True)]
    rows = [(summary["agencies"].get(code), row) for code, row in recorded.items()]
    rows.append((summary["overall"], city))
    for simulated, row in rows:
        if simulated is None:
            continue
        simulated["recorded_reports"] = row["reports"]
        for name in ("response", "resolve"):
            value = _share(row[name])
            simulated[f"recorded_{name}_compliance"] = value
            mine = simulated.get(f"{name}_compliance")
            simulated[f"{name}_difference_points"] = (
                None if value is None or mine is None else round(100 * (mine - value), 2))
