"""One plain SQL statement on a model's table, for the few hot statements the ORM cannot
express in one round trip (UPDATE … RETURNING) or costs more to build than to run."""

from __future__ import annotations

from django.db import connection


def fetch_one(model, sql: str, params: list) -> tuple | None:
    """Run `sql`, with `{table}` standing for the model's quoted table (no model: `sql` as
    it is); return the first row."""
    if model is not None:
        sql = sql.format(table=connection.ops.quote_name(model._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
