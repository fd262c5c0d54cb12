"""Risk phrases service leads add without a deploy, merged into the shipped
lexicons.

Each process keeps its merged lexicons until the shared cache's version stamp
changes (`phrases_changed`), so an edit reaches every ASGI process on its next
check, and a check costs one cache read, not a database query.
"""

import dataclasses
import re
import uuid

from django.core.cache import cache

from .risk import Lexicon, file_lexicons, normalise

VERSION_KEY = "harbour:risk-phrases:version"
PHRASE_WEIGHT = 0.8  # above the alert threshold: a lead's phrase always alerts
_merged: dict[str, tuple[str, list[Lexicon]]] = {}


def phrase_pattern(phrase: str) -> str:
    """A regex matching `phrase` as whole words on normalised text, with any
    spacing between its words."""
    words = normalise(phrase).split()
    return r"\b" + r"\s+".join(re.escape(word) for word in words) + r"\b"


def phrases_changed() -> None:
    """Tell every process to reload the phrases (call on commit of an edit)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def lexicons_for(language: str) -> list[Lexicon]:
    """The shipped lexicons for `language` with the leads' phrases added."""
    version = cache.get(VERSION_KEY) or "initial"
    cached = _merged.get(language)
    if cached and cached[0] == version:
        return cached[1]
    lexicons = [_with_phrases(lexicon) for lexicon in file_lexicons(language)]
    _merged[language] = (version, lexicons)
    return lexicons


def _with_phrases(lexicon: Lexicon) -> Lexicon:
    from community.safety.models import RiskCategory, RiskPhrase

    rows = list(
        RiskPhrase.objects.filter(language=lexicon.language).values_list(
            "category", "phrase"
        )
    )
    if not rows:
        return lexicon
    patterns = {category: list(found) for category, found in lexicon.patterns.items()}
    safe = []
    for category, phrase in rows:
        pattern = phrase_pattern(phrase)
        if category == RiskCategory.SAFE:
            safe.append(pattern)
        elif category in patterns:
            patterns[category].append((re.compile(pattern), PHRASE_WEIGHT))
    idioms = lexicon.idioms
    if safe:
        joined = "|".join(([idioms.pattern] if idioms else []) + safe)
        idioms = re.compile(joined)
    return dataclasses.replace(lexicon, patterns=patterns, idioms=idioms)
