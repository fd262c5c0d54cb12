"""Step 3b of the safety pipeline: plans, means, times and acts in progress.

A statement of risk is an alert; one that also says how, when, or that it is
happening now ("took 30 paracetamol an hour ago", "I'm on the bridge now") is
urgent (`risk.Tier`). This detector finds those statements, per language, from
data in lexicons/imminence/<lang>.json; English always runs too (people mix
languages). Each entry names its category and kind (plan, means, time, act).

An entry is a regular expression over `risk.normalise` output (with times
such as "3am" split from their digits first, so leetspeak decoding leaves them
alone), written as a family with the file's `vocab` ({name}). It may also have:

- "with": a second expression (or a list of them, each needed) that must
  match, not negated, somewhere in the same post ("I'm going to kill myself"
  with "tonight" or "pills are ready").
  A stated intent alone is an alert for the lexicon; with a time, a means or
  a plan it is urgent.
- "unless": an expression that, found in the match's sentence, undoes it
  ("as prescribed", "like always" beside "took my tablets").

Urgent holds a post from peers and pages everyone on duty, so precision
matters as much as recall: a match is dropped when its clause is negated
("I'm not going to take them"), when it is looked back on ("last year I took
an overdose") unless the sentence speaks of now, and where the file's idioms
blank it out ("teething is killing us").

It is measured against tests/community/safety/imminent.tsv and everyday.tsv
(tuning) and their held-out parts (bench/safety_corpus.py).
"""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .risk import (
    CATEGORIES,
    ImminentMatch,
    Lexicon,
    _looking_back,
    _negated,
    _variants,
    expand_vocab,
    normalise,
)

LEXICON_DIR = Path(__file__).parent / "lexicons" / "imminence"
KINDS = ("plan", "means", "time", "act")
# "3am", "10pm", "20mins" are times, not leetspeak ("eam", "iopm"): split the
# digits from their unit before normalising.
NUMBER_UNIT = re.compile(
    r"\b(\d+)(am|pm|mins?|minutes?|hrs?|hours?|mg|ml|x)\b", re.IGNORECASE
)
SENTENCE = re.compile(r"[^.!?\n]*")


@dataclass(frozen=True)
class Entry:
    pattern: re.Pattern
    category: str
    kind: str
    with_: tuple[re.Pattern, ...] = ()
    unless: re.Pattern | None = None


@dataclass(frozen=True)
class Patterns:
    entries: tuple[Entry, ...]
    # Negation, looking back and idioms, as risk.Lexicon holds them.
    context: Lexicon


def _compile(pattern: str | None, vocab: dict[str, str], source: str):
    if not pattern:
        return None
    try:
        return re.compile(expand_vocab(pattern, vocab))
    except (re.error, KeyError) as error:
        raise ValueError(f"{source}: bad pattern {pattern[:60]!r}: {error}") from error


def _compile_all(patterns: str | list[str] | None, vocab, source: str):
    if isinstance(patterns, str):
        patterns = [patterns]
    return tuple(_compile(pattern, vocab, source) for pattern in patterns or [])


@lru_cache(maxsize=8)
def load_patterns(language: str) -> Patterns:
    """The entries and context cues for `language`; none for a language with
    no file."""
    path = LEXICON_DIR / f"{language}.json"
    if not path.exists():
        return Patterns((), Lexicon(language, {}, (), (), None))
    data = json.loads(path.read_text(encoding="utf-8"))
    vocab = data.get("vocab", {})
    entries = []
    for entry in data["patterns"]:
        if entry["category"] not in CATEGORIES or entry["kind"] not in KINDS:
            raise ValueError(f"{path.name}: bad category or kind in {entry}")
        entries.append(
            Entry(
                _compile(entry["pattern"], vocab, path.name),
                entry["category"],
                entry["kind"],
                _compile_all(entry.get("with"), vocab, path.name),
                _compile(entry.get("unless"), vocab, path.name),
            )
        )
    idioms = [expand_vocab(idiom, vocab) for idiom in data.get("idioms") or []]
    context = Lexicon(
        language=data["language"],
        patterns={},
        negations=tuple(sorted(data.get("negations", []), key=len, reverse=True)),
        contrast=tuple(data.get("contrast", [])),
        idioms=re.compile(r"\b(?:" + "|".join(idioms) + r")\b") if idioms else None,
        past=_compile(data.get("past"), vocab, path.name),
        recovery=_compile(data.get("recovery"), vocab, path.name),
        current=_compile(data.get("current"), vocab, path.name),
    )
    return Patterns(tuple(entries), context)


def _start(match: re.Match) -> int:
    if "core" in match.re.groupindex and match.start("core") >= 0:
        return match.start("core")
    return match.start()


def _stands(context: Lexicon, text: str, match: re.Match) -> bool:
    """True unless the match is negated or looked back on."""
    start = _start(match)
    return not (_negated(context, text, start) or _looking_back(context, text, start))


def _sentence(text: str, match: re.Match) -> str:
    begin = max(text.rfind(stop, 0, match.start()) for stop in ".!?\n") + 1
    sentence = SENTENCE.match(text, match.end())
    assert sentence is not None  # noqa: S101 - SENTENCE matches "" too
    end = sentence.end()
    return text[begin:end]


def _first(entry: Entry, context: Lexicon, text: str) -> re.Match | None:
    for match in entry.pattern.finditer(text):
        if not _stands(context, text, match):
            continue
        if entry.unless is not None and entry.unless.search(_sentence(text, match)):
            continue
        if not all(
            any(_stands(context, text, cue) for cue in needed.finditer(text))
            for needed in entry.with_
        ):
            continue
        return match
    return None


def detect_imminence(text: str, language: str = "en") -> list[ImminentMatch]:
    """The plans, means, times and acts in progress stated in `text`, at most
    one per (category, kind)."""
    normal = normalise(NUMBER_UNIT.sub(r"\1 \2", text))
    languages = [language] if language == "en" else [language, "en"]
    found: dict[tuple[str, str], ImminentMatch] = {}
    for lang in languages:
        patterns = load_patterns(lang)
        context = patterns.context
        for variant in _variants(normal):
            searchable = (
                context.idioms.sub(lambda m: " " * len(m.group(0)), variant)
                if context.idioms
                else variant
            )
            for entry in patterns.entries:
                if (entry.category, entry.kind) in found:
                    continue
                match = _first(entry, context, searchable)
                if match:
                    found[(entry.category, entry.kind)] = ImminentMatch(
                        entry.category, entry.kind, match.group(0).strip()
                    )
    return list(found.values())
