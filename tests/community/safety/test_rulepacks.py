"""Rule packs find what a community asked not to share, and say why."""

import pytest

from community.safety.rulepacks import check_rule_packs

ED = ["eating_disorders"]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("I was 7 stone at my lowest", "7 stone"),
        ("eating 1200 kcal a day", "1200 kcal"),
        ("I fit a size 6 now", "size 6"),
        ("down to 45kg", "45kg"),
        ("my BMI of 15 scared them", "BMI of 15"),
        ("I weigh eight stone", "eight stone"),
        ("I lost two pounds", "two pounds"),
        ("bmi is 17.5", "bmi is 17.5"),
        ("back in size zero jeans", "size zero"),
        ("500 calories", "500 calories"),
        ("roedd hi'n saith carreg", "saith carreg"),
    ],
)
def test_eating_disorder_numbers_are_found(text, excerpt):
    hits = check_rule_packs(text, ED)
    assert [hit.excerpt for hit in hits] == [excerpt]
    assert hits[0].message


@pytest.mark.parametrize(
    "text",
    [
        "I ate 3 meals today",
        "I have 2 kids",
        "a 10 minute walk",
        "group is at 7pm",
        "I walked 5 miles",
        "Today was a good day",
    ],
)
def test_other_numbers_are_fine(text):
    assert check_rule_packs(text, ED) == []


def test_packs_apply_only_where_chosen():
    assert check_rule_packs("I was 7 stone", []) == []


def test_watched_words_match_whole_words_ignoring_case():
    hits = check_rule_packs(
        "Pro-Ana tips? no, proana is banned", [], ["pro-ana", "proana"]
    )
    assert [hit.excerpt for hit in hits] == ["Pro-Ana", "proana"]
    assert check_rule_packs("anagram", [], ["ana"]) == []
