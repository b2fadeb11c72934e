"""sigap.lib.postgresql: the health check without a round trip, and prepared statements.

PostgreSQL only (the PostgreSQL leg of `make test` / .ci/run runs them)."""

import select
import time
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.test import override_settings

from sigap.lib.postgresql.base import DatabaseWrapper
from sigap.reports import services
from sigap.reports.models import Report

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend only"),
]


@pytest.fixture
def own():
    """A connection of its own (not the test's transaction), opened and used once, with its
    backend's pid; closed after the test."""
    wrapper = connections.create_connection("default")
    assert isinstance(wrapper, DatabaseWrapper)
    try:
        yield wrapper, backend_pid(wrapper)
    finally:
        wrapper.close()


def next_request(wrapper):
    """What Django does to a kept connection between requests (no error occurred)."""
    wrapper.close_if_unusable_or_obsolete()
    assert wrapper.connection is not None and not wrapper.health_check_done


def backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid, wrapper):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(wrapper.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass


def test_a_quiet_connection_is_reused_without_select_1(own):
    wrapper, pid = own
    with mock.patch.object(DatabaseWrapper, "is_usable", autospec=True,
                           side_effect=DatabaseWrapper.is_usable) as checked:
        for _ in range(3):
            next_request(wrapper)
            assert backend_pid(wrapper) == pid
    assert checked.call_count == 0


def test_a_terminated_backend_is_replaced_before_the_first_query(own):
    wrapper, pid = own
    terminate(pid, wrapper)
    next_request(wrapper)
    with mock.patch.object(DatabaseWrapper, "is_usable", autospec=True,
                           side_effect=DatabaseWrapper.is_usable) as checked:
        new_pid = backend_pid(wrapper)  # no error: the dead connection was replaced
    assert new_pid != pid
    assert checked.call_count == 1  # the server spoke: Django's own check decided


def test_without_the_check_that_same_request_would_fail(own):
    # The control for the test above: the same sequence with no health check at all.
    wrapper, pid = own
    terminate(pid, wrapper)
    next_request(wrapper)
    wrapper.health_check_enabled = False
    with pytest.raises(OperationalError):
        backend_pid(wrapper)


def executions(cursor):
    """How often the server ran the prepared intake statement (generic + custom plans)."""
    cursor.execute("SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM "
                   "pg_prepared_statements WHERE statement LIKE 'WITH %%reports_ticketsequence%%'")
    return cursor.fetchone()[0]


def new(category):
    return services.NewReport(category=category("MACET"), lat=-10.17, lng=123.60,
                              description="Macet")


def test_the_intake_statement_is_prepared_on_the_server(kupang, category, now):
    with connection.cursor() as cursor:
        before = executions(cursor)
        services.create_report(kupang, new(category), now=now)
        services.create_report(kupang, new(category), now=now)
        assert executions(cursor) == before + 2
    assert list(Report.objects.values_list("ticket", flat=True).order_by("ticket")) == [
        "KPG-2026-000001", "KPG-2026-000002"]


@override_settings(SIGAP_PG_PREPARED=False)
def test_prepared_statements_can_be_switched_off(kupang, category, now):
    with connection.cursor() as cursor:
        before = executions(cursor)
        services.create_report(kupang, new(category), now=now)
        assert executions(cursor) == before
    assert Report.objects.get().ticket == "KPG-2026-000001"
