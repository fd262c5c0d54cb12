"""Numbers that come from outside (a URL, a query string, a form, a socket
frame), read one way everywhere.

`str.isdigit()` is true for "²" and "١٢" and `int()` takes more than ASCII
digits, so a check-then-convert let odd input through to a 500; and a number
past what the database stores (10**30) failed there instead. These answer
None for anything that is not a plain, storable whole number, and the caller
treats None as "not found" or "not given".
"""

from typing import TypeVar

from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)

# The largest id PostgreSQL's bigint and SQLite's INTEGER hold.
MAX_ID = 2**63 - 1
# Epoch seconds up to the year 9999, what `datetime` can represent.
MAX_EPOCH_SECONDS = 253_402_300_799


def whole_number(value: object, *, maximum: int = MAX_ID) -> int | None:
    """`value` as an int if it is one, or a string of ASCII digits only, from
    0 to `maximum`; None for anything else (signs, spaces, other scripts'
    digits, superscripts, floats, booleans, too big)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > len(str(maximum)):
            return None
        number = int(value)
    else:
        return None
    return number if 0 <= number <= maximum else None


def with_id(queryset: QuerySet[_M], value: object, field: str = "pk") -> QuerySet[_M]:
    """`queryset` narrowed to the row whose `field` is the whole number
    `value`; no rows for an odd id ("²", 10**30, "-1"), which is simply not
    found."""
    number = whole_number(value)
    if number is None:
        return queryset.none()
    return queryset.filter(**{field: number})
