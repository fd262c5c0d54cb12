"""Step 3b of the safety pipeline: plans, means, times and acts in progress.

A statement of risk is an alert; one that also says how, when, or that it is
happening now ("took 30 paracetamol an hour ago", "I'm on the bridge now") is
urgent (`risk.Tier`). This detector finds those statements, per language, from
data in lexicons/imminence/<lang>.json; English always runs too (people mix
languages). Each entry names its category and kind (plan, means, time, act).

It is measured against tests/community/safety/imminent.tsv and everyday.tsv
(tuning) and their held-out parts (bench/safety_corpus.py).
"""

import json
import re
from functools import lru_cache
from pathlib import Path

from .risk import CATEGORIES, ImminentMatch, normalise

LEXICON_DIR = Path(__file__).parent / "lexicons" / "imminence"
KINDS = ("plan", "means", "time", "act")
VOCAB_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _expand(pattern: str, vocab: dict[str, str]) -> str:
    for _ in range(5):
        expanded = VOCAB_REF.sub(lambda m: "(?:" + vocab[m.group(1)] + ")", pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError(f"vocab nested too deeply: {pattern[:80]}")


@lru_cache(maxsize=8)
def load_patterns(language: str) -> tuple[tuple[re.Pattern, str, str], ...]:
    """(pattern, category, kind) for `language`; none for a language with no file."""
    path = LEXICON_DIR / f"{language}.json"
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    vocab = data.get("vocab", {})
    entries = []
    for entry in data["patterns"]:
        if entry["category"] not in CATEGORIES or entry["kind"] not in KINDS:
            raise ValueError(f"{path.name}: bad category or kind in {entry}")
        try:
            pattern = re.compile(_expand(entry["pattern"], vocab))
        except (re.error, KeyError) as error:
            bad = entry["pattern"][:60]
            raise ValueError(f"{path.name}: bad pattern {bad!r}") from error
        entries.append((pattern, entry["category"], entry["kind"]))
    return tuple(entries)


def detect_imminence(text: str, language: str = "en") -> list[ImminentMatch]:
    """The plans, means, times and acts in progress stated in `text`, at most
    one per (category, kind)."""
    normal = normalise(text)
    languages = [language] if language == "en" else [language, "en"]
    found: dict[tuple[str, str], ImminentMatch] = {}
    for lang in languages:
        for pattern, category, kind in load_patterns(lang):
            if (category, kind) in found:
                continue
            match = pattern.search(normal)
            if match:
                found[(category, kind)] = ImminentMatch(
                    category, kind, match.group(0).strip()
                )
    return list(found.values())
