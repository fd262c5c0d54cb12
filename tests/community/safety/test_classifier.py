"""The risk classifier: the pure-Python scorer reproduces scikit-learn's
margins, alerts on plain statements of risk in English and Welsh, stays quiet
on everyday sentences, and can say which features drove an alert."""

import json
from pathlib import Path

import pytest

from community.safety.classifier import classify, explain
from community.safety.risk import CATEGORIES

CHECK = json.loads(
    (Path(__file__).parent / "classifier_check.json").read_text(encoding="utf-8")
)


def test_check_fixture_covers_both_languages():
    assert len(CHECK) >= 40
    assert {row["language"] for row in CHECK} == {"en", "cy"}


@pytest.mark.parametrize(
    "row", CHECK, ids=[f"{r['language']}-{i}" for i, r in enumerate(CHECK)]
)
def test_margins_agree_with_scikit_learn(row):
    margins = classify(row["text"], row["language"])
    assert set(margins) == set(CATEGORIES)
    for category in CATEGORIES:
        expected = row["margins"][category]
        assert margins[category] == pytest.approx(expected, abs=1e-4), category


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("I want to kill myself tonight, I've got the pills ready", "en", "suicide"),
        ("I cut my arms again last night with a blade", "en", "self_harm"),
        ("Dw i eisiau lladd fy hun heno", "cy", "suicide"),
        ("Dw i wedi bod yn hunan-niweidio eto neithiwr", "cy", "self_harm"),
    ],
)
def test_plain_statement_of_risk_alerts(text, language, category):
    assert classify(text, language)[category] > 0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I went to the shops and bought some bread and milk", "en"),
        ("Es i i'r siop i brynu bara a llaeth", "cy"),
    ],
)
def test_everyday_sentence_does_not_alert(text, language):
    margins = classify(text, language)
    assert all(margin < 0 for margin in margins.values()), margins


def test_other_languages_use_the_english_model():
    text = "I want to kill myself tonight, I've got the pills ready"
    assert classify(text, "pl") == classify(text, "en")


def test_explain_names_the_features_behind_an_alert():
    text = "I want to kill myself tonight, I've got the pills ready"
    features = explain(text, "en", "suicide", n=3)
    assert len(features) == 3
    assert features[0] == ("kill myself", pytest.approx(features[0][1]))
    contributions = [value for _name, value in features]
    assert all(value > 0 for value in contributions)
    assert contributions == sorted(contributions, reverse=True)


def test_explain_finds_nothing_in_an_empty_text():
    assert explain("", "cy", "safeguarding") == []
    assert all(margin < 0 for margin in classify("", "cy").values())


def test_why_flagged_names_words_for_the_flagged_category():
    from community.safety.classifier import why_flagged

    reasons = why_flagged(
        "there is no reason for me to keep going on like this", ["suicide"]
    )
    assert list(reasons) == ["suicide"] and reasons["suicide"]
    assert why_flagged("A calm walk by the sea today", ["suicide"]) == {}
