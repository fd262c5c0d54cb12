"""Numbers from outside: only plain, storable whole numbers get through."""

import pytest

from community.inputs import MAX_EPOCH_SECONDS, MAX_ID, whole_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (42, 42),
        (str(MAX_ID), MAX_ID),
        (MAX_ID, MAX_ID),
    ],
)
def test_plain_whole_numbers_are_read(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "²",
        "١٢",
        "１２",
        "-1",
        -1,
        "+1",
        " 1",
        "1.0",
        1.0,
        "",
        None,
        True,
        str(MAX_ID + 1),
        10**30,
        "9" * 10_000,
        ["1"],
    ],
)
def test_anything_else_is_none(value):
    assert whole_number(value) is None


def test_a_maximum_bounds_the_number():
    assert whole_number(str(MAX_EPOCH_SECONDS), maximum=MAX_EPOCH_SECONDS)
    assert whole_number(str(10**30), maximum=MAX_EPOCH_SECONDS) is None
