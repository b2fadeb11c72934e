"""INSERTs compiled by Django's ORM before a write transaction, run inside it.

On SQLite every write transaction holds the one database-wide write lock, so whatever runs
between BEGIN and COMMIT is paid by every other writer waiting in line. Compiling an INSERT
(every field's pre_save and database preparation, the SQL text) is most of an ORM save's
cost; done here ahead of time, the transaction only executes the statement. Values known
only inside the transaction (a ticket number, the id of the row just inserted) are
declared `later` and filled in then.

This is Model.save() for a plain new row and nothing more: no signals are sent (Sigap's
models have no receivers) and the instance's own save() override does not run, so callers
do what it would (e.g. Report.place_cells()).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.db import connections
from django.db.models.sql import InsertQuery


_COMPILED: dict = {}


def _compiled(model, using: str):
    """Return (sql, fields, returning_params) of a one-row INSERT into `model`, compiled once.

    Compiled by Django's own InsertQuery; kept only when every field is one plain
    placeholder, so that the parameters can be prepared field by field as as_sql() does.
    """
    key = (model, using)
    if key not in _COMPILED:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields
                  if f is not meta.auto_field and not getattr(f, "generated", False)]
        query = InsertQuery(model)
        query.insert_values(fields, [model()], raw=False)
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = list(meta.db_returning_fields)
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(fields) or sql.count("%s") != len(fields):
            raise ValueError(f"{meta.label}: cannot prepare this insert")
        _COMPILED[key] = (sql, fields, compiler.returning_params)
    return _COMPILED[key]


class PreparedInsert:
    def __init__(self, obj, *, later: tuple[str, ...] = (), using: str = "default"):
        self.obj = obj
        self.using = using
        self.sql, fields, self.returning_params = _compiled(type(obj), using)
        connection = connections[using]
        self.fields = {f.name: (i, f) for i, f in enumerate(fields)}
        self.later = set(later)
        params = []
        for field in fields:  # what SQLInsertCompiler.as_sql() does for each value
            if field.name in self.later:
                params.append(None)
                continue
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"{field.name}: expressions cannot be prepared")
            params.append(field.get_db_prep_save(value, connection))
        self.params = params

    def execute(self, **values):
        """Run the INSERT with the `later` values; set and return the new primary key."""
        if set(values) != self.later:
            raise TypeError(f"expected exactly {sorted(self.later)}, got {sorted(values)}")
        connection = connections[self.using]
        params = list(self.params)
        for name, value in values.items():
            index, field = self.fields[name]
            setattr(self.obj, field.attname, value)
            params[index] = field.get_db_prep_save(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = connection.ops.fetch_returned_insert_columns(cursor, self.returning_params)
        for field, value in zip(self.obj._meta.db_returning_fields, row, strict=True):
            setattr(self.obj, field.attname, value)
        self.obj._state.adding = False
        self.obj._state.db = self.using
        return self.obj.pk

    def as_select(self, refs: dict[str, str | tuple[str, list]], source: str
                  ) -> tuple[str, list]:
        """Return this INSERT as `INSERT … SELECT … RETURNING pk` and its params (PostgreSQL).

        For data-modifying WITH clauses: each `later` field takes the SQL expression given in
        `refs` (e.g. "r.id", a column of an earlier clause; or a pair of an expression and
        its params), and the row is inserted once per row of `source`, so not at all when a
        clause before it matched nothing. Every other value travels in ONE parameter, a JSON
        object turned into a row of the table by jsonb_populate_record (each value cast to
        its column's type by the server): a statement with a few parameters stays short
        enough for psycopg to keep its parsed form, where one placeholder per column made it
        parse the whole statement again on every call.
        """
        if set(refs) != self.later:
            raise TypeError(f"expected exactly {sorted(self.later)}, got {sorted(refs)}")
        connection = connections[self.using]
        quote = connection.ops.quote_name
        meta = self.obj._meta
        columns, items, params, values = [], [], [], {}
        for name, (index, field) in self.fields.items():
            column = quote(field.column)
            columns.append(column)
            if name in refs:
                expression, expression_params = (refs[name] if isinstance(refs[name], tuple)
                                                  else (refs[name], []))
                items.append(expression)
                params += expression_params
            else:
                items.append(f"j.{column}")
                values[field.column] = self.params[index]
        table = quote(meta.db_table)
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(items)} "
               f"FROM jsonb_populate_record(NULL::{table}, %s::jsonb) AS j, {source} "
               f"RETURNING {quote(meta.pk.column)}")
        # The JSON parameter sits where its placeholder is: after the SELECT list's.
        return sql, params + [json.dumps(values, default=_json_value, separators=(",", ":"))]

    def inserted(self, pk, **values) -> None:
        """Record on the instance what a statement run elsewhere (as_select) inserted."""
        for name, value in values.items():
            setattr(self.obj, self.fields[name][1].attname, value)
        self.obj.pk = pk
        self.obj._state.adding = False
        self.obj._state.db = self.using


def _json_value(value):
    """JSON for what get_db_prep_save() hands PostgreSQL beyond JSON's own types."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if hasattr(value, "obj"):  # psycopg's Json/Jsonb wrapper of a JSONField's value
        return value.obj
    raise TypeError(f"cannot send {type(value).__name__} as JSON")
