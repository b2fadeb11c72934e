"""Plain SQL statements on a model's table, for the few hot statements the ORM cannot
express in one round trip (UPDATE … RETURNING, an upsert) or costs more to build than to run."""

from __future__ import annotations

from django.db import connection


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
    with connection.cursor() as cursor:
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
