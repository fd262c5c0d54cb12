"""A second signal for risk detection: a small linear text classifier.

What it is. For each language (English and Welsh; any other language uses the
English model) and each risk category in `risk.CATEGORIES`, a linear model
over TF-IDF features of the text after `risk.normalise`: word 1-2-grams
(token pattern ``(?u)\\b\\w[\\w']*\\b``) and character 3-5-grams inside word
boundaries (scikit-learn's ``char_wb``), with sublinear term frequency
(1 + ln tf), smoothed idf, and each of the two feature blocks scaled to unit
length separately (a FeatureUnion of two TfidfVectorizers, each with its
default norm='l2'). The score is coef . x + intercept. This module reproduces
that arithmetic in pure Python (no numpy or scikit-learn at run time) from
``models/risk_classifier.json``.

How it was trained. ``bench/training/train_risk_classifier.py`` (in a separate venv
with scikit-learn) fits one-vs-rest LinearSVC (C=1, balanced class weights)
per language and category on tests/community/safety/corpus.tsv and
corpus_heldout2.tsv. The alert threshold for each (language, category) is
set from out-of-fold scores (stratified 5-fold cross-validation, 3 repeats) so
that at most 3% of negatives in cross-validation score above it. It never saw
corpus_heldout.tsv or corpus_heldout3.tsv.

Measured figures. On the independent held-out set corpus_heldout3.tsv (338
English and 120 Welsh sentences) the classifier alone had macro recall 0.48
(lexicon alone 0.33) with false-positive rate at most 0.028 per (language,
category); alerting when either the lexicon or the classifier fires raised
pooled recall from 0.38 to 0.60 (macro 0.33 -> 0.56), with false-positive rate
at most 0.038 per (language, category). Welsh figures rest on small numbers
(14-21 positives per category) and are weaker than English (cy
harm_to_others: recall 0.29 combined). This module's scores agree with
scikit-learn's to within 3e-6 on the training sentences and give the same
held-out figures. Scoring a 500-character text takes about 1 ms (half of it
in risk.normalise); the model file loads once, in about 50 ms.

How to use it. `classify` returns, per category, a margin: the score minus
the threshold, so a margin > 0 means "alert". The lexicon (`risk.detect_risk`)
stays the primary signal. The classifier is a statistical pattern-matcher
trained on 890 sentences, with no notion of negation or context
beyond neighbouring words: an alert raised by the classifier alone should be
presented to moderators as "please review", not as a finding, and `explain`
shows which features pushed the score up.
"""

import json
import math
import re
from collections import Counter
from functools import lru_cache
from operator import mul
from pathlib import Path

from .risk import CATEGORIES, normalise

MODEL_PATH = Path(__file__).parent / "models" / "risk_classifier.json"
DEFAULT_LANGUAGE = "en"
FORMAT = 1


class _LanguageModel:
    """The word and character feature tables of one language: n-gram ->
    (idf, coefficients in CATEGORIES order)."""

    def __init__(self, data: dict, analysis: dict):
        self.thresholds = tuple(data["thresholds"])
        self.intercepts = tuple(data["intercepts"])
        # [idf, coefficients...], or [idf] alone for a feature whose
        # coefficients are all zero (it still counts in the l2 norm).
        zero = (0.0,) * len(CATEGORIES)
        self.word = {g: (w[0], tuple(w[1:]) or zero) for g, w in data["word"].items()}
        self.char = {g: (w[0], tuple(w[1:]) or zero) for g, w in data["char"].items()}
        self.token = re.compile(analysis["word"]["token_pattern"])
        self.word_range = tuple(analysis["word"]["ngram_range"])
        self.char_range = tuple(analysis["char_wb"]["ngram_range"])

    def word_grams(self, doc: str) -> dict[str, int]:
        tokens = self.token.findall(doc)
        low, high = self.word_range
        counts: dict[str, int] = {}
        get = counts.get
        for n in range(low, high + 1):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i] if n == 1 else " ".join(tokens[i : i + n])
                counts[gram] = get(gram, 0) + 1
        return counts

    def char_grams(self, doc: str) -> dict[str, int]:
        # scikit-learn folds runs of whitespace and pads each word with one
        # space either side; str.split() already ignores the runs. A word is
        # cut into n-grams once however often it occurs.
        low, high = self.char_range
        counts: dict[str, int] = {}
        get = counts.get
        for word, times in Counter(doc.split()).items():
            padded = f" {word} "
            length = len(padded)
            for n in range(low, high + 1):
                if n >= length:  # a short word counts once, whole
                    counts[padded] = get(padded, 0) + times
                    break
                for i in range(length - n + 1):
                    gram = padded[i : i + n]
                    counts[gram] = get(gram, 0) + times
        return counts

    def blocks(self, text: str) -> list[tuple[bool, list, list[float], list]]:
        """Per feature block (words, then characters): whether it is the
        character block, its known n-grams, their values (sublinear tf x idf,
        l2-normalised over the block, as in training) and coefficients."""
        doc = normalise(text).lower()
        out = []
        for is_char, table, counts in (
            (False, self.word, self.word_grams(doc)),
            (True, self.char, self.char_grams(doc)),
        ):
            grams, values, coefs = [], [], []
            for gram, tf in counts.items():
                entry = table.get(gram)
                if entry is not None:
                    grams.append(gram)
                    values.append(
                        entry[0] if tf == 1 else (1.0 + math.log(tf)) * entry[0]
                    )
                    coefs.append(entry[1])
            if grams:
                scale = 1.0 / math.sqrt(sum(map(mul, values, values)))
                values = [v * scale for v in values]
                out.append((is_char, grams, values, coefs))
        return out


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> dict[str, _LanguageModel]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data["format"] != FORMAT or tuple(data["categories"]) != CATEGORIES:
        raise ValueError(f"{path}: not a format-{FORMAT} model for {CATEGORIES}")
    return {
        language: _LanguageModel(model, data["analysis"])
        for language, model in data["languages"].items()
    }


def _model(language: str, path: Path = MODEL_PATH) -> _LanguageModel:
    models = load_model(path)
    return models.get(language) or models[DEFAULT_LANGUAGE]


def classify(text: str, language: str, path: Path = MODEL_PATH) -> dict[str, float]:
    """Margin per category: decision score minus the (language, category)
    threshold. A margin > 0 means the classifier would alert."""
    model = _model(language, path)
    scores = list(model.intercepts)
    for _is_char, _grams, values, coefs in model.blocks(text):
        for k, column in enumerate(zip(*coefs, strict=True)):
            scores[k] += sum(map(mul, values, column))
    return {
        category: scores[k] - model.thresholds[k]
        for k, category in enumerate(CATEGORIES)
    }


def explain(
    text: str, language: str, category: str, n: int = 5, path: Path = MODEL_PATH
) -> list[tuple[str, float]]:
    """The n features that pushed the category's score up most, with their
    contributions, largest first. Word n-grams are shown as they are;
    character n-grams as chars '...' (spaces mark a word's edges)."""
    k = CATEGORIES.index(category)
    contributions = [
        (f"chars '{gram}'" if is_char else gram, value * weights[k])
        for is_char, grams, values, coefs in _model(language, path).blocks(text)
        for gram, value, weights in zip(grams, values, coefs, strict=True)
    ]
    contributions = [c for c in contributions if c[1] > 0]
    contributions.sort(key=lambda c: -c[1])
    return contributions[:n]


def why_flagged(text: str, categories: list[str], n: int = 5) -> dict[str, list[str]]:
    """For moderators reviewing a classifier-only alert: per category, the
    words that weighed most, from whichever language's model flagged it."""
    reasons = {}
    for category in categories:
        for language in ("en", "cy"):
            if classify(text, language).get(category, 0) > 0:
                reasons[category] = [
                    feature
                    for feature, _weight in explain(text, language, category, n)
                    if not feature.startswith("chars ")
                ] or [
                    feature for feature, _weight in explain(text, language, category, n)
                ]
                break
    return reasons
