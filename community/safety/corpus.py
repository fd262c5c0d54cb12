"""Measure risk detection against a labelled corpus: recall and false-positive
rate per category and language. Used by the tests and bench/safety_corpus.py."""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .risk import CATEGORIES, detect_risk


@dataclass
class Figures:
    positives: int = 0
    found: int = 0
    negatives: int = 0
    false_alarms: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_alarms / self.negatives if self.negatives else 0.0


def read_corpus(path: Path) -> list[tuple[str, set[str], str]]:
    """(language, categories, text) rows of a TSV corpus; '#' lines are notes."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, labels, text = line.split("\t", 2)
        rows.append(
            (language, set() if labels == "none" else set(labels.split(",")), text)
        )
    return rows


def found_by_pipeline(text: str, language: str) -> set[str]:
    """What the safety pipeline alerts on: the lexicon's categories, and the
    classifier's (from CLASSIFIER_MIN_WORDS words up)."""
    from .classifier import classify
    from .pipeline import CLASSIFIER_MIN_WORDS

    got = set(detect_risk(text, language).categories)
    if len(text.split()) >= CLASSIFIER_MIN_WORDS:
        got |= {c for c, margin in classify(text, language).items() if margin > 0}
    return got


def measure(rows, detect=None) -> tuple[dict[tuple[str, str], Figures], list]:
    """Figures per (language, category), and the rows detection got wrong.
    `detect(text, language) -> set of categories`; default the lexicon alone."""
    figures: dict[tuple[str, str], Figures] = defaultdict(Figures)
    mistakes = []
    for language, wanted, text in rows:
        got = (
            detect(text, language)
            if detect
            else set(detect_risk(text, language).categories)
        )
        if got != wanted:
            mistakes.append((language, sorted(wanted), sorted(got), text))
        for category in CATEGORIES:
            cell = figures[(language, category)]
            if category in wanted:
                cell.positives += 1
                cell.found += category in got
            else:
                cell.negatives += 1
                cell.false_alarms += category in got
    return dict(figures), mistakes
