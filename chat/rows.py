"""Statements written out for the few on every chat frame's path, where
building the query cost Django several times what running it did
(`access_room`'s join: 1.4 ms through the ORM, 0.3 ms written out;
`Room.allocate_seq`'s UPDATE ... RETURNING, and a message's INSERT numbered
in the same statement, which the ORM cannot write): tables' and columns'
names from the models, rows of several models made into instances as the ORM
makes them, converters and all, and a new row's values as the ORM would send
them (decision 0036). They run through `cms.db.prepared_cursor`, so
PostgreSQL plans each once per connection (decision 0039). Everything else
goes through the ORM.
"""

from collections.abc import Sequence
from functools import cache
from typing import Generic, TypeVar

from django.db import connection, connections
from django.db.models import Field, Model

_M = TypeVar("_M", bound=Model)


def table(model: type[Model]) -> str:
    """`model`'s table, quoted for the default database."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field: str) -> str:
    """The column of `model`'s concrete field `field`, quoted."""
    name = getattr(model._meta.get_field(field), "column", None)
    assert name  # noqa: S101 - a concrete field has a column
    return connection.ops.quote_name(name)


def insert_values(obj: Model, fields: Sequence[Field], using: str) -> list | None:
    """The values of `obj`'s `fields` as Django's INSERT would send them for
    a new row (each field's `pre_save`, then `get_db_prep_save`), each for a
    plain placeholder; None when one needs more (an expression, or a field
    with a placeholder of its own): the caller then leaves it to Django."""
    connection = connections[using]
    values = []
    for field in fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression") or hasattr(field, "get_placeholder"):
            return None
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


class Columns(Generic[_M]):
    """Every concrete column of `model` under the table alias `alias` on the
    database `using`: `sql` selects them in the model's field order, `make`
    turns those values (a slice of a row) into an instance."""

    def __init__(self, model: type[_M], alias: str, using: str):
        connection = connections[using]
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        self.model, self.using, self.width = model, using, len(fields)
        self.attnames = [field.attname for field in fields]
        self.sql = ", ".join(
            f"{quote(alias)}.{quote(field.column or '')}" for field in fields
        )
        # What the compiler would apply to each column (SQLite's dates, JSON).
        self.converters = []
        for at, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if found:
                self.converters.append((at, column, found))

    def make(self, row: Sequence, start: int = 0) -> _M:
        """The instance whose columns `row` holds from `start` on."""
        values = list(row[start : start + self.width])
        connection = connections[self.using]
        for at, column, converters in self.converters:
            for convert in converters:
                values[at] = convert(values[at], column, connection)
        return self.model.from_db(self.using, self.attnames, values)


@cache
def columns(model: type[_M], alias: str, using: str = "default") -> Columns[_M]:
    """`Columns` of `model` under `alias`, made once per process."""
    return Columns(model, alias, using)
