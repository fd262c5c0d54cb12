"""Train the risk classifier (community/safety/classifier.py) and write its
model, community/safety/models/risk_classifier.json, and the agreement fixture
tests/community/safety/classifier_check.json.

scikit-learn is needed only here, not at run time. Use a separate venv:

    python3 -m venv /tmp/mlvenv
    /tmp/mlvenv/bin/pip install scikit-learn==1.9.1
    /tmp/mlvenv/bin/python bench/training/train_risk_classifier.py

What it does (the configuration chosen by the experiment): per language (en,
cy) and per category, one-vs-rest LinearSVC (C=1, balanced class weights) over
a FeatureUnion of two TfidfVectorizers on the text after risk.normalise: word
1-2-grams with token pattern (?u)\\b\\w[\\w']*\\b, and char_wb 3-5-grams, both
with sublinear tf (each block l2-normalised, the default). Trained on
corpus.tsv + corpus_heldout2.tsv; never on corpus_heldout.tsv or
corpus_heldout3.tsv. The threshold of each (language, category) comes from
out-of-fold scores of stratified 5-fold cross-validation, 3 repeats (seeds
0-2), pooled: the line sits at the highest negative score that keeps the
cross-validated false-positive rate <= 3%; a margin above it alerts.

Retraining on staff's decisions: `--extra labels.tsv` (repeatable) adds a
file in the same corpus format to the training rows, e.g. what
`python manage.py export_safety_labels --output labels.tsv` wrote from the
labels staff gave ("not a risk" is a negative, "confirmed" a positive of its
categories). The extra rows also set the thresholds; the held-out corpora are
still never used. The model records only the extra file's name. An export
holds what members wrote: run this inside the trust and delete it after.

    /tmp/mlvenv/bin/python bench/training/train_risk_classifier.py \
        --extra labels.tsv
"""

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from community.safety import classifier  # noqa: E402
from community.safety.corpus import read_corpus  # noqa: E402
from community.safety.risk import CATEGORIES, normalise  # noqa: E402

CORPORA = ("corpus.tsv", "corpus_heldout2.tsv")
CORPUS_DIR = ROOT / "tests" / "community" / "safety"
MODEL_PATH = ROOT / "community" / "safety" / "models" / "risk_classifier.json"
CHECK_PATH = CORPUS_DIR / "classifier_check.json"
LANGUAGES = ("en", "cy")
WORD_REGEX = r"(?u)\b\w[\w']*\b"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)
C = 1.0
TARGET_FPR = 0.03
FOLDS, REPEATS = 5, 3
CHECK_TEXTS_PER_LANGUAGE = 20


def features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=WORD_NGRAMS,
                    sublinear_tf=True,
                    token_pattern=WORD_REGEX,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True
                ),
            ),
        ]
    )


class LanguageModel:
    """One language: the shared features and a LinearSVC per category."""

    def fit(self, rows):
        self.features = features()
        X = self.features.fit_transform([r["norm"] for r in rows])
        self.svcs = []
        for category in CATEGORIES:
            y = np.array([category in r["labels"] for r in rows])
            svc = LinearSVC(class_weight="balanced", C=C, random_state=0)
            self.svcs.append(svc.fit(X, y))
        return self

    def scores(self, rows) -> np.ndarray:
        X = self.features.transform([r["norm"] for r in rows])
        return np.column_stack([svc.decision_function(X) for svc in self.svcs])


def fit(rows) -> dict[str, LanguageModel]:
    return {
        language: LanguageModel().fit([r for r in rows if r["lang"] == language])
        for language in LANGUAGES
    }


def score(models, rows) -> np.ndarray:
    out = np.zeros((len(rows), len(CATEGORIES)))
    for language, model in models.items():
        idx = [i for i, r in enumerate(rows) if r["lang"] == language]
        if idx:
            out[idx] = model.scores([rows[i] for i in idx])
    return out


def thresholds(rows) -> dict[str, list[float]]:
    """Per (language, category) the highest out-of-fold negative score that
    may stay below the line with cross-validated FPR <= TARGET_FPR."""
    strata = [
        r["lang"] + "|" + (r["labels"][0] if r["labels"] else "none") for r in rows
    ]
    pooled = []
    for seed in range(REPEATS):
        S = np.zeros((len(rows), len(CATEGORIES)))
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        for train, test in folds.split(rows, strata):
            models = fit([rows[i] for i in train])
            S[test] = score(models, [rows[i] for i in test])
        pooled.append(S)
    S = np.vstack(pooled)
    all_rows = rows * REPEATS
    out = {}
    for language in LANGUAGES:
        out[language] = []
        for j, category in enumerate(CATEGORIES):
            negatives = np.sort(
                [
                    S[i, j]
                    for i, r in enumerate(all_rows)
                    if r["lang"] == language and category not in r["labels"]
                ]
            )[::-1]
            allowed = int(np.floor(TARGET_FPR * len(negatives)))
            if allowed >= len(negatives):
                raise SystemExit(f"{language}/{category}: too few negatives")
            out[language].append(float(negatives[allowed]))
    return out


def six(x: float) -> float:
    """Rounded to 6 significant digits."""
    return float(f"{x:.6g}")


def export(models, lines, trained_on=CORPORA) -> dict:
    languages = {}
    for language, model in models.items():
        blocks = {}
        for name, vectorizer in model.features.transformer_list:
            coefs = np.vstack([svc.coef_.ravel() for svc in model.svcs])
            start = (
                0
                if name == "word"
                else len(model.features.transformer_list[0][1].vocabulary_)
            )
            block = {}
            for gram, index in vectorizer.vocabulary_.items():
                column = coefs[:, start + index]
                # Every known feature counts in the l2 norm, so one whose
                # coefficients are all zero is kept too, as [idf] alone.
                weights = [six(c) for c in column] if column.any() else []
                block[gram] = [six(vectorizer.idf_[index]), *weights]
            blocks[name] = dict(sorted(block.items()))
        zero = sum(1 for b in blocks.values() for w in b.values() if len(w) == 1)
        print(f"{language}: {sum(map(len, blocks.values()))} features, {zero} all-zero")
        languages[language] = {
            "thresholds": lines[language],
            "intercepts": [float(svc.intercept_[0]) for svc in model.svcs],
            "word": blocks["word"],
            "char": blocks["char"],
        }
    return {
        "format": classifier.FORMAT,
        "about": "Risk classifier; see community/safety/classifier.py and "
        "bench/training/train_risk_classifier.py.",
        "trained_on": list(trained_on),
        "sklearn_version": sklearn.__version__,
        "categories": list(CATEGORIES),
        "analysis": {
            "word": {"token_pattern": WORD_REGEX, "ngram_range": WORD_NGRAMS},
            "char_wb": {"ngram_range": CHAR_NGRAMS},
            "sublinear_tf": True,
            "norm": "l2 per block",
        },
        "languages": languages,
    }


def training_files(extra: list[str]) -> list[Path]:
    """The project corpora, then each `--extra` file (which must exist)."""
    files = [CORPUS_DIR / name for name in CORPORA]
    for name in extra:
        path = Path(name)
        if not path.is_file():
            raise SystemExit(f"--extra {name}: no such file")
        files.append(path)
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="PATH.tsv",
        help="more labelled rows in the corpus format (export_safety_labels)",
    )
    options = parser.parse_args(argv)
    files = training_files(options.extra)
    # The model names what it learnt from; of an export, only its file name.
    trained_on = [*CORPORA, *(Path(name).name for name in options.extra)]
    rows = []
    for path in files:
        name = path.name
        for language, labels, text in read_corpus(path):
            if language not in LANGUAGES:
                raise SystemExit(f"{name}: no model for language {language!r}")
            rows.append(
                {
                    "lang": language,
                    "labels": sorted(labels),
                    "text": text,
                    "norm": normalise(text),
                }
            )
    print(f"{len(rows)} training sentences; scikit-learn {sklearn.__version__}")
    lines = thresholds(rows)
    for language in LANGUAGES:
        print(
            language,
            "thresholds",
            {c: round(t, 3) for c, t in zip(CATEGORIES, lines[language], strict=True)},
        )
    models = fit(rows)
    MODEL_PATH.parent.mkdir(exist_ok=True)
    MODEL_PATH.write_text(
        json.dumps(
            export(models, lines, trained_on), ensure_ascii=False, separators=(",", ":")
        ),
        encoding="utf-8",
    )
    print(
        f"wrote {MODEL_PATH.relative_to(ROOT)}: {MODEL_PATH.stat().st_size // 1024} KB"
    )

    # sklearn's margins against the pure-Python scorer's, over all rows.
    margins = score(models, rows) - np.array([lines[r["lang"]] for r in rows])
    worst = 0.0
    for r, expected in zip(rows, margins, strict=True):
        got = classifier.classify(r["text"], r["lang"], MODEL_PATH)
        for j, category in enumerate(CATEGORIES):
            worst = max(worst, abs(got[category] - expected[j]))
    print(f"largest |pure Python - sklearn| margin over training rows: {worst:.2e}")
    if worst >= 1e-4:
        raise SystemExit("the pure-Python scorer disagrees with scikit-learn")

    pick = random.Random(0)
    check = []
    for language in LANGUAGES:
        idx = [i for i, r in enumerate(rows) if r["lang"] == language]
        for i in sorted(pick.sample(idx, CHECK_TEXTS_PER_LANGUAGE)):
            check.append(
                {
                    "language": language,
                    "text": rows[i]["text"],
                    "margins": {
                        c: float(margins[i, j]) for j, c in enumerate(CATEGORIES)
                    },
                }
            )
    CHECK_PATH.write_text(
        json.dumps(check, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {CHECK_PATH.relative_to(ROOT)}: {len(check)} texts")


if __name__ == "__main__":
    main()
