"""Risk detection: tolerant of how people write, of negation and idiom, in
English and Welsh; measured against the labelled corpus."""

import dataclasses
from pathlib import Path

import pytest

from community.safety.corpus import measure, read_corpus
from community.safety.risk import detect_risk, load_lexicon, normalise

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


def test_ordinary_words_are_not_corrected_into_key_words():
    assert normalise("i keep putting myself down") == "i keep putting myself down"
    assert normalise("i was amused") == "i was amused"


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("I've been slashing my thighs again", "en", "self_harm"),
        ("i burnt my wrist on purpose with the straighteners", "en", "self_harm"),
        ("I can't stop picturing hurting my son", "en", "harm_to_others"),
        ("I'll batter the lot of them", "en", "harm_to_others"),
        ("my boyfriend grabs me by the throat when he's angry", "en", "safeguarding"),
        ("my husband takes my wages and gives me pocket money", "en", "safeguarding"),
        (
            "spent last night googling how much sertraline would kill me",
            "en",
            "suicide",
        ),
        ("my kids would honestly be happier if I wasn't here", "en", "suicide"),
        ("Hoffwn i jyst farw", "cy", "suicide"),
        ("Nes i losgi fy mraich gyda'r haearn smwddio ar bwrpas", "cy", "self_harm"),
        ("Dw i'n mynd i'w thrywanu hi", "cy", "harm_to_others"),
        ("Mae fy ngŵr wedi fy nhagu i", "cy", "safeguarding"),
    ],
)
def test_phrasing_families_are_found(text, language, category):
    assert category in detect_risk(text, language).categories


def test_weak_signs_alert_only_together():
    assert detect_risk("I'm such a burden").categories == []
    together = "I'm such a burden, nobody would even notice"
    assert detect_risk(together).categories == ["suicide"]


def test_negation_inside_a_phrase_is_seen():
    assert detect_risk("I'd never hurt my baby").categories == []
    assert detect_risk("I'm scared I'll hurt my baby").categories == ["harm_to_others"]


def test_looking_back_is_not_an_alert_unless_it_is_happening_again():
    assert detect_risk("ten years ago I cut myself every day").categories == []
    assert detect_risk("I'm 2 years free from self harm").categories == []
    assert (
        "self_harm"
        in detect_risk(
            "I used to self harm and I relapsed last night, cut myself again"
        ).categories
    )


def test_a_disclosure_of_abuse_is_an_alert_however_old():
    assert (
        "safeguarding"
        in detect_risk("when I was younger my uncle abused me").categories
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I dropped my son off at nursery", "en"),
        ("NHS cuts are hitting our ward hard", "en"),
        ("I cut myself shaving this morning", "en"),
        ("he beat me at pool again", "en"),
        ("watched a drama about a man who poisoned his wife", "en"),
        ("Mae'r gêm yn fy lladd i", "cy"),
        ("Fe wnaeth fy mrawd fy nghuro i mewn ras", "cy"),
    ],
)
def test_everyday_uses_are_not_alerts(text, language):
    assert detect_risk(text, language).categories == []


def test_merged_lexicons_keep_the_looking_back_cues():
    # community.safety.lexicon_store builds lexicons with dataclasses.replace
    merged = dataclasses.replace(load_lexicon("en"), idioms=None)
    assert merged.past is not None and merged.recovery is not None


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("he threatened to kill me", "en", "safeguarding"),
        ("she said she'd take the kids if I left", "en", "safeguarding"),
        ("I want to hurt the man who attacked my sister", "en", "harm_to_others"),
        ("I've been planning how to hurt her", "en", "harm_to_others"),
        ("it would be easier for everyone if I was gone", "en", "suicide"),
        ("Dywedodd hi y byddai'n fy mrifo os dw i'n gadael", "cy", "safeguarding"),
        ("Dw i'n mynd i neidio o'r bont heno", "cy", "suicide"),
    ],
)
def test_families_from_retired_heldout_misses_are_found(text, language, category):
    assert category in detect_risk(text, language).categories


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("the GP asked if I was suicidal and I said no", "en"),
        ("I haven't had any urges to cut this month", "en"),
        ("had bloods taken from my arm", "en"),
        ("my son hit his sister with a toy, kids eh", "en"),
        ("my meds are ready to collect", "en"),
        ("if you're feeling suicidal please ring 111", "en"),
        ("Dw i ddim wedi cael unrhyw ysfa i frifo fy hun", "cy"),
        ("Mae'r gwaith yn fy lladd i", "cy"),
    ],
)
def test_questions_answered_no_and_everyday_talk_are_not_alerts(text, language):
    assert detect_risk(text, language).categories == []
