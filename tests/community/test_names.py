"""Display names are cleaned, compared by how they look, and refused when
they mix scripts or claim a role (community/models/names.py)."""

import pytest

from community.models import names


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ｈａｚｅｌ", "Hazel"),  # full-width letters
        ("𝐇𝐚𝐳𝐞𝐥", "Hazel"),  # mathematical bold
        ("Ha\u200bzel", "Hazel"),  # zero-width space
        ("Ha\u200dzel\u2060", "Hazel"),  # zero-width joiner, word joiner
        ("\u202eHazel\u202c", "Hazel"),  # right-to-left override
        ("\u2066Hazel\u2069", "Hazel"),  # isolates
        ("Hazel\ufeff", "Hazel"),  # byte order mark
        ("Ha\u00adzel", "Hazel"),  # soft hyphen
        ("  Sea \t  Glass ", "Sea Glass"),
        ("Zoe\u0308", "Zoë"),  # composed
    ],
)
def test_names_are_normalised(typed, stored):
    assert names.normalise(typed) == stored


@pytest.mark.parametrize(
    "name",
    [
        "Nurse \u0397azel",  # Greek capital Eta
        "Dr \u0410sh",  # Cyrillic capital A
        "P\u0430ul",  # Cyrillic small a
        "\u03a1eter",  # Greek Rho
    ],
)
def test_confusable_mixed_scripts_are_caught(name):
    assert names.mixes_scripts(name)


@pytest.mark.parametrize(
    "name", ["Zoë", "José", "Siân", "Дмитрий", "Γιώργος", "田中 Taro", "たなかタロウ"]
)
def test_names_in_one_script_or_a_usual_mix_are_fine(name):
    assert not names.mixes_scripts(name)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ash", "\u0410sh"),  # Cyrillic A
        ("Hazel", "HAZEL"),
        ("Il", "ll"),  # capital i and small L
        ("Bo0k", "BoOk"),
        ("Mum", "Rnurn"),
        ("Hazel", "Ｈａｚｅｌ"),
        ("Hazel", "Ha\u200bzel"),
    ],
)
def test_names_that_look_alike_share_a_skeleton(one, other):
    assert names.skeleton(one) == names.skeleton(other)


@pytest.mark.parametrize(
    ("one", "other"), [("Ash", "Ask"), ("Zoë", "Zoe"), ("Al", "A1l")]
)
def test_names_that_look_different_do_not(one, other):
    assert names.skeleton(one) != names.skeleton(other)


@pytest.mark.parametrize(
    "name",
    [
        "Nurse Hazel",
        "Dr Ash",
        "Dr. Ash",
        "DrAsh",
        "doctor who",
        "Clinician Sam",
        "The Moderator",
        "Site Admin",
        "Adm1n",
        "St4ff Member",
        "NHS Helper",
        "Harbour Team",
        "nurse_joy",
        "Nyrs Siân",
        "Meddyg Jones",
        "Clinigydd Alun",
        "Cymedrolwr",
        "Gweinyddwr Gwyn",
        "GIG Cymru",
        "Ｎｕｒｓｅ Jo",
        "nurseash",
        "ashthemoderator",
        "doctorsam",
        "harbourhelper",
        "meddygalun",
        "adm1nsam",
    ],
)
def test_role_words_are_found(name):
    assert names.claims_role(name)


@pytest.mark.parametrize(
    "name",
    [
        "Drew",
        "Nursery Rhymes",
        "nurserymum",
        "Badminton Fan",
        "Staffordshire",
        "Gigi",
        "Sam",
        "Modesty",
        "Drummer",
    ],
)
def test_ordinary_words_are_not_role_words(name):
    assert not names.claims_role(name)
