"""Leads' risk phrases join the shipped lexicons; every process reloads them
when the shared version stamp changes, and only then."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.safety.lexicon_store import lexicons_for, phrase_pattern, phrases_changed
from community.safety.models import RiskPhrase
from community.safety.risk import detect_risk

pytestmark = pytest.mark.django_db


def test_a_phrase_matches_as_whole_words_with_any_spacing_and_case():
    import re

    pattern = re.compile(phrase_pattern("Rainbow  BRIDGE"))
    assert pattern.search("the rainbow   bridge")
    assert not pattern.search("rainbowbridges")


def test_phrases_apply_after_the_version_changes_and_cost_no_query_otherwise():
    before = lexicons_for("en")
    RiskPhrase.objects.create(language="en", category="self_harm", phrase="red lines")
    assert not detect_risk("drawing red lines again", "en", lexicons_for("en")).is_risk
    phrases_changed()
    after = lexicons_for("en")
    assert after is not before
    result = detect_risk("drawing red lines again", "en", after)
    assert result.categories == ["self_harm"]
    with CaptureQueriesContext(connection) as queries:
        lexicons_for("en")
    assert len(queries) == 0


def test_welsh_phrases_join_the_welsh_lexicon_and_english_still_runs():
    RiskPhrase.objects.create(
        language="cy", category="suicide", phrase="mynd at y bont"
    )
    phrases_changed()
    lexicons = lexicons_for("cy")
    assert [lex.language for lex in lexicons] == ["cy", "en"]
    assert detect_risk("dw i am fynd at y bont", "cy", lexicons).categories == []
    assert detect_risk("mynd at y bont heno", "cy", lexicons).categories == ["suicide"]
    assert detect_risk("I want to kill myself", "cy", lexicons).is_risk
