"""Risk detection: tolerant of how people write, of negation and idiom, in
English and Welsh; measured against the labelled corpus."""

from pathlib import Path

import pytest

from community.safety.corpus import measure, read_corpus
from community.safety.risk import detect_risk, normalise

CORPUS = Path(__file__).parent / "corpus.tsv"


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("i wanna k1ll mys3lf", "i wanna kill myself"),
        ("k i l l myself", "kill myself"),
        ("im so suicdal", "im so suicidal"),
        ("slef-harm", "self harm"),
        ("💊", " pills "),
    ],
)
def test_normalise_folds_how_people_type(text, normalised):
    assert normalise(text) == normalised


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I want to kill myself", "suicide"),
        ("I want to diiiie", "suicide"),
        ("kms", "suicide"),
        ("I keep cutting my arms", "self_harm"),
        ("I keep having thoughts of harming my baby", "harm_to_others"),
        ("my stepdad hits me", "safeguarding"),
        ("Dw i eisiau lladd fy hun", "suicide"),
        ("Mae fy llystad yn fy nharo", "safeguarding"),
    ],
)
def test_risk_is_found(text, category):
    language = "cy" if text.startswith(("Dw", "Mae")) else "en"
    assert category in detect_risk(text, language).categories


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal",
        "kill time",
        "this exam is killing me",
        "I could murder a pizza",
        "I haven't self harmed in 3 months",
        "I cut my hair today",
    ],
)
def test_negation_and_idiom_are_not_alerts(text):
    assert detect_risk(text).categories == []


def test_a_contrast_undoes_a_negation():
    assert detect_risk("I'm not suicidal but I want to die").categories == ["suicide"]


def test_english_phrases_in_welsh_text_are_still_found():
    assert (
        "suicide"
        in detect_risk("Dw i'n teimlo, I want to kill myself", "cy").categories
    )


def test_corpus_is_large_enough_and_balanced():
    rows = read_corpus(CORPUS)
    assert len(rows) >= 300
    languages = {language for language, _, _ in rows}
    assert languages == {"en", "cy"}
    assert sum(1 for _, labels, _ in rows if not labels) >= 100


@pytest.mark.parametrize("language", ["en", "cy"])
def test_corpus_recall_and_false_positive_targets(language):
    rows = [row for row in read_corpus(CORPUS) if row[0] == language]
    figures, _mistakes = measure(rows)
    for (_lang, category), cell in figures.items():
        assert cell.positives >= 5, category
        assert cell.recall >= 0.95, (category, cell)
        assert cell.false_positive_rate <= 0.05, (category, cell)
