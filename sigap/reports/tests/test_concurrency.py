"""Concurrent submissions: unique ticket ids and no "database is locked" on either database."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from sigap.reports import services
from sigap.reports.models import Report


@pytest.mark.django_db(transaction=True)
def test_50_concurrent_reports_get_50_unique_consecutive_tickets(kupang, category, now):
    cat = category("MACET")
    barrier_errors = []

    def submit(i):
        try:
            data = services.NewReport(category=cat, lat=-10.17 + i * 1e-5, lng=123.60,
                                      description=f"Macet {i}")
            return services.create_report(kupang, data, now=now).report.ticket
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            barrier_errors.append(repr(exc))
            raise
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        tickets = list(pool.map(submit, range(50)))
    assert barrier_errors == []
    assert len(set(tickets)) == 50
    assert sorted(tickets) == [f"KPG-2026-{n:06d}" for n in range(1, 51)]
    assert Report.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_concurrent_idempotent_retries_make_one_report(kupang, category, now):
    cat = category("MACET")

    def submit(_):
        try:
            data = services.NewReport(category=cat, lat=-10.17, lng=123.60, description="Macet")
            return services.create_report(kupang, data, now=now,
                                          idempotency=("api", "same-key")).report.pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(submit, range(16)))
    assert len(set(ids)) == 1 and Report.objects.count() == 1


@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings; the PostgreSQL leg runs the same suite on Postgres")
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        assert cur.fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        # The test database is a file (not :memory:) so threads share it; WAL is on.
        assert cur.fetchone()[0] == "wal"
