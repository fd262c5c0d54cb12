"""Risk detection figures: recall and false-positive rate per category and
language, on the tuning corpus and on the two held-out corpora (never tuned
on). Run with --quiet to print only the figures, without the mistakes."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from community.safety.corpus import measure, read_corpus  # noqa: E402

QUIET = "--quiet" in sys.argv[1:]

for name in (
    "corpus.tsv",
    "corpus_heldout.tsv",
    "corpus_heldout2.tsv",
    "corpus_heldout3.tsv",
):
    rows = read_corpus(ROOT / "tests" / "community" / "safety" / name)
    figures, mistakes = measure(rows)
    print(f"== {name}: {len(rows)} sentences")
    print(f"{'lang':5} {'category':16} {'pos':>4} {'recall':>7} {'neg':>4} {'FPR':>6}")
    for (language, category), cell in sorted(figures.items()):
        print(
            f"{language:5} {category:16} {cell.positives:4d} {cell.recall:7.2f} "
            f"{cell.negatives:4d} {cell.false_positive_rate:6.3f}"
        )
    if QUIET:
        continue
    for language, wanted, got, text in mistakes:
        print(f"   miss/false alarm [{language}] wanted {wanted} got {got}: {text}")
