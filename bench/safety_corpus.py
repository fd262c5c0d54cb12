"""Risk detection figures: recall and false-positive rate per category and
language, for the lexicon alone and for the pipeline (lexicon or classifier),
on the tuning corpora and the held-out ones. corpus_heldout3 was written by
someone who never saw the lexicons and is the honest measure; corpus_heldout2
has since been tuned on, and four lines of corpus_heldout were seen. Run with
--quiet to print only the figures, without the mistakes."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from community.safety.corpus import (  # noqa: E402
    found_by_pipeline,
    measure,
    read_corpus,
)

QUIET = "--quiet" in sys.argv[1:]

for name in (
    "corpus.tsv",
    "corpus_heldout.tsv",
    "corpus_heldout2.tsv",
    "corpus_heldout3.tsv",
):
    rows = read_corpus(ROOT / "tests" / "community" / "safety" / name)
    figures, _ = measure(rows)
    both, mistakes = measure(rows, found_by_pipeline)
    print(f"== {name}: {len(rows)} sentences (lexicon | lexicon or classifier)")
    print(
        f"{'lang':5} {'category':16} {'pos':>4} {'recall':>7} {'FPR':>6} | "
        f"{'recall':>7} {'FPR':>6} {'neg':>5}"
    )
    for (language, category), cell in sorted(figures.items()):
        other = both[(language, category)]
        print(
            f"{language:5} {category:16} {cell.positives:4d} {cell.recall:7.2f} "
            f"{cell.false_positive_rate:6.3f} | {other.recall:7.2f} "
            f"{other.false_positive_rate:6.3f} {cell.negatives:5d}"
        )
    if QUIET:
        continue
    for language, wanted, got, text in mistakes:
        print(f"   miss/false alarm [{language}] wanted {wanted} got {got}: {text}")
