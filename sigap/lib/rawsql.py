"""Plain SQL statements on a model's table, for the few hot statements the ORM cannot
express in one round trip (UPDATE … RETURNING, an upsert) or costs more to build than to run."""

from __future__ import annotations

from functools import lru_cache

from django.db import connection
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX


def table(model) -> str:
    """The model's table, quoted for this database."""
    return connection.ops.quote_name(model._meta.db_table)


def on_table(model, sql: str) -> str:
    """`sql` with `{table}` standing for the model's quoted table."""
    return sql.format(table=table(model))


def fetch_one(model, sql: str, params: list) -> tuple | None:
    """Run `sql` (`{table}` standing for the model's table; no model: `sql` as it is);
    return the first row."""
    if model is not None:
        sql = on_table(model, sql)
    return first_row(connection, sql, params)


@lru_cache(maxsize=256)
def qmark(sql: str) -> str:
    """`sql` with Django's `%s` placeholders in SQLite's `?` style (as Django's SQLite cursor
    converts every statement), converted once per statement text."""
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def first_row(conn, sql: str, params: list) -> tuple | None:
    """Run `sql` on the connection `conn`; return the first row.

    On SQLite, unless queries are being logged (DEBUG, CaptureQueriesContext), straight on
    the driver's connection: Django's cursor layers (wrapper, placeholder conversion on
    every call, debug hooks) cost more than a short statement on an in-process database.
    Errors still become Django's (IntegrityError …), as through a cursor.
    """
    if conn.vendor == "sqlite" and not conn.queries_logged:
        conn.ensure_connection()
        with conn.wrap_database_errors:
            return conn.connection.execute(qmark(sql), params).fetchone()
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def increment_sql(model, keys: tuple[str, ...], column: str, source: str | None = None) -> str:
    """An upsert that adds 1 to `column` of the row with these `keys` (one parameter per key,
    in order), creating the row at 1 if missing, and returns the new value. With `source`
    (a WITH clause), once per row of it."""
    name = table(model)
    placeholders = ", ".join(["%s"] * len(keys))
    values = (f"SELECT {placeholders}, 1 FROM {source}" if source
              else f"VALUES ({placeholders}, 1)")
    return (f"INSERT INTO {name} ({', '.join(keys)}, {column}) {values} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {column} = {name}.{column} + 1 "
            f"RETURNING {column}")
