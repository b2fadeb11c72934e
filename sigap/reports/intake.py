"""How a new report is written: one plan, run as steps on SQLite, as one statement on PostgreSQL.

The plan (built by services.create_report, which alone decides what a new report is):
  1. the gate, when there is one: an adapter's UPDATE … RETURNING on a row it contends for
     (Open311: the API key's budget for this minute) that matches no row to refuse;
  2. the ticket number, drawn from the city's counter for the year (an upsert, so the first
     report of a year needs no other path);
  3. the report row, with that ticket;
  4. its CREATED event;
  5. the rows that hang off the report or the event (photos, the reporter as follower, the
     idempotency key, the event's outbox row (reports.outbox), an adapter's metadata);
  6. the data version bumped (cached public reads recompute).
All or nothing: tickets stay gapless, a refused gate or a failing insert leaves no trace.

SQLite is in the process, so the plan runs as those statements in one write transaction.
On PostgreSQL each statement is a round trip to the server, and on a small machine a round
trip costs more than the statement: the plan runs as ONE statement, each step a
data-modifying WITH clause feeding the next (`INSERT … SELECT … FROM previous`), in its own
implicit transaction — one round trip where the steps took nine (BEGIN … COMMIT), and the
contended rows stay locked only while that statement runs. Measured in docs/benchmarks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NoReturn

from django.db import connection, transaction

from sigap.lib import rawsql
from sigap.lib.prepared import PreparedInsert
from sigap.reports import freshness


@dataclass
class Gate:
    """A contended row that must let the write through: `sql` (`{table}` standing for the
    model's table) is an UPDATE … RETURNING that matches no row to refuse, and then
    `refused()` raises the adapter's error."""

    model: type
    sql: str
    params: list
    refused: Callable[[], NoReturn]


def ticket_text(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def _counter_sql(source: str | None) -> str:
    """The ticket counter upsert: +1 on the (city, year) row, created at 1 if missing."""
    from sigap.reports.models import TicketSequence

    return rawsql.increment_sql(TicketSequence, ("city_id", "year"), "last", source)


def draw_ticket(city, year: int) -> int:
    """Return the next ticket number of the city for the year (inside a transaction)."""
    return rawsql.fetch_one(None, _counter_sql(None), [city.pk, year])[0]


def write(*, city, year: int, report: PreparedInsert, event: PreparedInsert,
          extras: list[PreparedInsert], gate: Gate | None) -> None:
    """Run the plan; afterwards every instance carries its primary key (and the report its
    ticket). `report` has `later=("ticket",)`, `event` `later=("report",)`, each extra a
    subset of ("report", "event")."""
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:  # inside a caller's transaction: undo only our part
            with transaction.atomic():
                _one_statement(city, year, report, event, extras, gate)
        else:  # one statement is its own transaction: no BEGIN, no COMMIT
            _one_statement(city, year, report, event, extras, gate)
        return
    with transaction.atomic():
        _steps(city, year, report, event, extras, gate)


def _steps(city, year, report, event, extras, gate) -> None:
    if gate is not None and rawsql.fetch_one(gate.model, gate.sql, gate.params) is None:
        gate.refused()
    number = draw_ticket(city, year)
    report.execute(ticket=ticket_text(city.ticket_prefix, year, number))
    event.execute(report=report.obj.pk)
    refs = {"report": report.obj.pk, "event": event.obj.pk}
    for extra in extras:
        extra.execute(**{name: refs[name] for name in extra.later})
    freshness.bump()


def _one_statement(city, year, report, event, extras, gate) -> None:
    clauses, params = [], []
    if gate is not None:
        clauses.append(f"g AS ({rawsql.on_table(gate.model, gate.sql)})")
        params += gate.params
    clauses.append(f"s AS ({_counter_sql('g' if gate is not None else None)})")
    params += [city.pk, year]
    # The ticket as ticket_text() writes it: the number zero-padded to six digits or more.
    ticket = ("%s || lpad(s.last::text, greatest(6, length(s.last::text)), '0')",
              [f"{city.ticket_prefix}-{year}-"])
    sql, values = report.as_select({"ticket": ticket}, "s")
    clauses.append(f"r AS ({sql})")
    params += values
    sql, values = event.as_select({"report": "r.id"}, "r")
    clauses.append(f"e AS ({sql})")
    params += values
    names = []
    for i, extra in enumerate(extras):
        refs = {name: {"report": "r.id", "event": "e.id"}[name] for name in extra.later}
        sql, values = extra.as_select(refs, "r, e")
        clauses.append(f"x{i} AS ({sql})")
        params += values
        names.append(f"x{i}")
    clauses.append(f"v AS ({freshness.bump_sql('r')})")
    params.append(freshness.ROW)
    columns = ", ".join(["r.id", "s.last", "e.id"] + [f"{n}.id" for n in names])
    sources = ", ".join(["r", "s", "e"] + names)
    statement = f"WITH {', '.join(clauses)} SELECT {columns} FROM {sources}"
    # Prepared on the connection the first time (sigap.lib.postgresql): afterwards the server
    # neither parses nor plans it again.
    with connection.prepared_cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:  # only a gate stops the plan without an error
        gate.refused()
    report_id, number, event_id, *extra_ids = row
    report.inserted(report_id, ticket=ticket_text(city.ticket_prefix, year, number))
    event.inserted(event_id, report=report_id)
    refs = {"report": report_id, "event": event_id}
    for extra, pk in zip(extras, extra_ids, strict=True):
        extra.inserted(pk, **{name: refs[name] for name in extra.later})

