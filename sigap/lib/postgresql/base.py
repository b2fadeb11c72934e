"""Django's PostgreSQL backend with a health check that needs no round trip, and prepared
statements for the few hot statements that ask for them.

Health check. With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of
every request that reuses a connection: one more round trip per request, which on a small
machine costs about as much CPU as the query it protects (a cached public read is one
query). Here the check first asks the kernel whether the server has sent anything on the
idle connection. A server that shuts down, restarts or terminates the backend sends an
error message and closes the socket, which makes it readable; an idle healthy connection
has nothing to read. Nothing to read → the connection is as usable as `SELECT 1` would
show (a silently dropped network path defeats both: `SELECT 1` would hang as well).
Anything to read, or a connection psycopg already knows is closed or broken → Django's own
check decides. The check after an error inside a request is Django's, unchanged.

Prepared statements. Django keeps psycopg's client-side binding (every statement sent as
text, parsed and planned by the server each time) so that connection poolers work.
`prepared_cursor()` gives a cursor with server-side binding that prepares its statement
on the connection the first time and afterwards only sends the parameters: for the one
large statement that writes a new report (reports.intake) the server skips parsing and
planning. SIGAP_PG_PREPARED=0 turns it off (a transaction-mode pooler older than
PgBouncer 1.21 does not carry prepared statements across server connections).
"""

from __future__ import annotations

import select

from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg import pq


class PreparedCursor(base.ServerBindingCursor):
    """Server-side binding, and every statement prepared on the connection."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare,
                               binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, PreparedCursor):  # what the server ran, for logs and tests
            try:
                return self.compose_sql(sql, params)
            except Exception:  # noqa: BLE001 - as Django: no text rather than an error
                return None
        return super().last_executed_query(cursor, sql, params)


# psycopg prepares a statement after this many executions of it; Django passes None, which
# disables preparing altogether, explicit requests included. A number no statement reaches
# keeps psycopg from preparing anything on its own while PreparedCursor's requests count.
_NEVER_BY_ITSELF = 2**31


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        if conn.prepare_threshold is None and settings.SIGAP_PG_PREPARED:
            conn.prepare_threshold = _NEVER_BY_ITSELF
        return conn

    def close_if_health_check_failed(self):
        if (not self.pool and self.connection is not None and self.health_check_enabled
                and not self.health_check_done and self._quiet()):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """True when the idle connection is open and the server has sent nothing on it."""
        conn = self.connection
        if conn.closed or conn.broken or conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False

    def prepared_cursor(self):
        """A Django cursor whose statements are prepared on the server (see module doc);
        an ordinary one when SIGAP_PG_PREPARED is off."""
        if not settings.SIGAP_PG_PREPARED:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparedCursor(self.connection)
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, pq.Format.TEXT)
            if self.timezone != loader.timezone:
                base.register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
