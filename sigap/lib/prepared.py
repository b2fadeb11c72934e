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
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import connections, models, router
from django.db.models.sql import InsertQuery

from sigap.lib import rawsql

_COMPILED: dict = {}
_SELECTS: dict = {}
_BUILD: dict = {}
_MISSING = object()


def new(model, **values):
    """`model(**values)` for a row about to be inserted, at a fraction of the cost.

    Django's keyword constructor visits every field with its keyword handling, its default
    and, for a related object, the descriptor's checks; for a report (45 fields) that was
    80–90 µs of a create. Here the values are laid out in field order once and handed to
    the positional constructor (the one Django uses for rows read from the database);
    related objects are type-checked and cached on the instance as the descriptor would.
    Names are field names or attnames (`city=` or `city_id=`); anything else is a TypeError.
    """
    plan = _BUILD.get(model)
    if plan is None:
        plan = _BUILD[model] = [
            (f.name, f.attname, f._get_default,
             f.related_model if f.is_relation else None,
             f.target_field.attname if f.is_relation else None)
            for f in model._meta.concrete_fields]
    args, related = [], []
    for name, attname, default, related_model, target in plan:
        if related_model is not None and name in values:
            value = values.pop(name)
            if value is not None and not isinstance(value, related_model):
                raise ValueError(f"{model.__name__}.{name} must be a "
                                 f"{related_model.__name__} instance, not {value!r}")
            related.append((name, value))
            args.append(None if value is None else getattr(value, target))
        elif attname in values:
            args.append(values.pop(attname))
        elif name in values:
            args.append(values.pop(name))
        else:
            args.append(default())
    if values:
        raise TypeError(f"{model.__name__}() got unexpected fields {sorted(values)}")
    obj = model(*args)
    state = obj._state
    for name, value in related:
        state.fields_cache[name] = value
        if value is not None and state.db is None:  # as the descriptor does
            state.db = router.db_for_write(model, instance=value)
    return obj

# Field classes whose database value is the Python value itself when it has one of these
# exact types (what their get_prep_value/to_python would return unchanged), and whose
# pre_save is Field's own (no auto_now, no file to commit). Anything else — another type,
# a subclass, a lazy string — goes through Django's own preparation. (On PostgreSQL Django
# would wrap an integer in psycopg's Int2/Int4/Int8 type hint; the server reads the plain
# number the same way.)
_PLAIN = {
    models.CharField: (str,), models.TextField: (str,), models.EmailField: (str,),
    models.URLField: (str,), models.SlugField: (str,),
    models.IntegerField: (int,), models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,), models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,), models.PositiveBigIntegerField: (int,),
    models.FloatField: (float,), models.BooleanField: (bool,),
}


def _plain_types(field) -> tuple:
    """The value types `field` passes to the database untouched (see _PLAIN), or ()."""
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return (int,) if type(target) in (models.AutoField, models.BigAutoField) else ()
    if type(field).pre_save is not models.Field.pre_save:
        return ()
    return _PLAIN.get(type(field), ())


def _utc_text(value):
    """SQLite: what Django sends for an aware datetime in UTC (naive UTC as text)."""
    return str(value.replace(tzinfo=None)) if value.tzinfo is dt_timezone.utc else _MISSING


def _aware(value):
    """PostgreSQL: Django sends an aware datetime as it is (psycopg adapts it)."""
    return value if value.tzinfo is not None else _MISSING


def _datetime_fast(field, connection):
    """For a plain DateTimeField (no auto_now…), a function giving the database value of a
    datetime the way Django's preparation would, or _MISSING for any other case; else None.
    Django's own path costs 10–15 µs per datetime (a new report has four set, seven empty)."""
    if (type(field) is not models.DateTimeField or field.auto_now or field.auto_now_add
            or not settings.USE_TZ):
        return None
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        return _utc_text
    if connection.vendor == "postgresql":
        return _aware
    return None


def _compiled(model, using: str):
    """Return (sql, fields, returning_params, kinds) of a one-row INSERT into `model`, compiled
    once; kinds: per field, the plain types passed through and the datetime shortcut.

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
        plain = [types + (type(None),) if (types := _plain_types(f)) else () for f in fields]
        connection = connections[using]
        fast = [_datetime_fast(f, connection) for f in fields]
        _COMPILED[key] = (sql, fields, compiler.returning_params,
                          list(zip(plain, fast, strict=True)))
    return _COMPILED[key]


class PreparedInsert:
    def __init__(self, obj, *, later: tuple[str, ...] = (), using: str = "default"):
        self.obj = obj
        self.using = using
        self.sql, fields, self.returning_params, kinds = _compiled(type(obj), using)
        self._kinds = kinds
        connection = connections[using]
        self.fields = {f.name: (i, f) for i, f in enumerate(fields)}
        self.later = set(later)
        params = []
        values = obj.__dict__
        # What SQLInsertCompiler.as_sql() does, field by field.
        for field, (types, fast) in zip(fields, kinds, strict=True):
            if field.name in self.later:
                params.append(None)
                continue
            value = values.get(field.attname, _MISSING)
            if types and type(value) in types:
                params.append(value)  # already what the database gets
                continue
            if fast is not None:
                if value is None:
                    params.append(None)
                    continue
                if type(value) is datetime and (sent := fast(value)) is not _MISSING:
                    params.append(sent)
                    continue
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"{field.name}: expressions cannot be prepared")
            params.append(field.get_db_prep_save(value, connection))
        self.params = params

    def _expect(self, names) -> None:
        if set(names) != self.later:
            raise TypeError(f"expected exactly {sorted(self.later)}, got {sorted(names)}")

    def _saved(self) -> None:
        self.obj._state.adding = False
        self.obj._state.db = self.using

    def execute(self, **values):
        """Run the INSERT with the `later` values; set and return the new primary key."""
        self._expect(values)
        connection = connections[self.using]
        params = list(self.params)
        for name, value in values.items():
            index, field = self.fields[name]
            setattr(self.obj, field.attname, value)
            types = self._kinds[index][0]
            params[index] = value if types and type(value) in types else \
                field.get_db_prep_save(value, connection)
        if connection.vendor == "sqlite":  # RETURNING: the new row's key is the first row
            row = rawsql.first_row(connection, self.sql, params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                row = connection.ops.fetch_returned_insert_columns(cursor,
                                                                   self.returning_params)
        for field, value in zip(self.obj._meta.db_returning_fields, row, strict=True):
            setattr(self.obj, field.attname, value)
        self._saved()
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
        self._expect(refs)
        expressions = {name: ref if isinstance(ref, tuple) else (ref, [])
                       for name, ref in refs.items()}
        key = (type(self.obj), self.using, source,
               tuple(sorted((name, sql) for name, (sql, _) in expressions.items())))
        if key not in _SELECTS:
            quote = connections[self.using].ops.quote_name
            meta = self.obj._meta
            columns, items, sent = [], [], []
            for name, (index, field) in self.fields.items():
                columns.append(quote(field.column))
                if name in expressions:
                    items.append(expressions[name][0])
                else:
                    items.append(f"j.{quote(field.column)}")
                    sent.append((field.column, index))
            table = quote(meta.db_table)
            _SELECTS[key] = (
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(items)} "
                f"FROM jsonb_populate_record(NULL::{table}, %s::jsonb) AS j, {source} "
                f"RETURNING {quote(meta.pk.column)}", sent)
        sql, sent = _SELECTS[key]
        params = [param for name in self.fields if name in expressions
                  for param in expressions[name][1]]
        values = {column: self.params[index] for column, index in sent}
        # The JSON parameter sits where its placeholder is: after the SELECT list's.
        return sql, params + [json.dumps(values, default=_json_value, separators=(",", ":"))]

    def inserted(self, pk, **values) -> None:
        """Record on the instance what a statement run elsewhere (as_select) inserted."""
        for name, value in values.items():
            setattr(self.obj, self.fields[name][1].attname, value)
        self.obj.pk = pk
        self._saved()


def _json_value(value):
    """JSON for what get_db_prep_save() hands PostgreSQL beyond JSON's own types."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if hasattr(value, "obj"):  # psycopg's Json/Jsonb wrapper of a JSONField's value
        return value.obj
    raise TypeError(f"cannot send {type(value).__name__} as JSON")
