"""Concurrent submissions: unique ticket ids and no "database is locked" on either database."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from sigap.cities import tenancy
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
        tickets = list(pool.map(tenancy.as_system(submit), range(50)))
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
        ids = list(pool.map(tenancy.as_system(submit), range(16)))
    assert len(set(ids)) == 1 and Report.objects.count() == 1


def test_sqlite_runs_in_wal_with_immediate_transactions(tmp_path):
    """The embedded default, checked in a fresh process (whatever database this leg uses)."""
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print([c.execute('PRAGMA ' + p).fetchone()[0] for p in "
        "('journal_mode', 'busy_timeout', 'synchronous')],"
        " connection.settings_dict['OPTIONS']['transaction_mode'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="sigap.settings", SIGAP_VAR_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.strip()
    assert out == "['wal', 30000, 1] IMMEDIATE"
