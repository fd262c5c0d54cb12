"""Write the labels staff gave risk detection (community.models.SafetyLabel)
as a TSV corpus, for the trust to retrain the detector on here:

python manage.py export_safety_labels --output labels.tsv
python manage.py export_safety_labels --pathway perinatal > perinatal.tsv

One line per label in the format of tests/community/safety/corpus.tsv:
`language<TAB>categories (comma separated) or none<TAB>text`. "Not a risk"
is `none`; "confirmed" is the categories risk detection gave (a confirmed
label with none is left out and counted: it says nothing to learn). Tabs and
line breaks in the text become spaces. It writes to a file or standard output
and sends nothing anywhere. The file holds what members wrote: keep it inside
the trust, under the same retention rules, and delete it after training
(`bench/training/train_risk_classifier.py --extra labels.tsv`).
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from community.models import Pathway
from community.moderation.models import LabelDecision, SafetyLabel

SPACES = re.compile(r"\s+")


def corpus_line(label: SafetyLabel) -> str | None:
    """The label as one corpus line, or None when it teaches nothing."""
    if label.decision == LabelDecision.NOT_A_RISK:
        categories = "none"
    elif label.categories:
        categories = ",".join(sorted(label.categories))
    else:
        return None
    text = SPACES.sub(" ", label.text).strip()
    if not text:
        return None
    return f"{label.language}\t{categories}\t{text}"


class Command(BaseCommand):
    help = "Write staff's safety labels as a TSV corpus (lang, categories, text)."

    def add_arguments(self, parser):
        parser.add_argument("--pathway", help="only this pathway's labels (slug)")
        parser.add_argument(
            "--output", help="write to this file (readable by its owner only)"
        )

    def handle(self, *args, pathway=None, output=None, **options):
        labels = SafetyLabel.objects.order_by("decided_at", "pk")
        if pathway:
            found = Pathway.objects.filter(slug=pathway).first()
            if found is None:
                raise CommandError(f"No pathway with slug {pathway!r}.")
            labels = labels.filter(pathway=found)
        lines, skipped = [], 0
        for label in labels.iterator():
            line = corpus_line(label)
            if line is None:
                skipped += 1
            else:
                lines.append(line)
        header = (
            "# Harbour safety labels: language, categories (comma separated, or "
            "none), text.\n"
            f"# Exported {timezone.now():%Y-%m-%d %H:%M} UTC; {len(lines)} labels. "
            "Members' words: keep inside the trust.\n"
        )
        body = header + "".join(line + "\n" for line in lines)
        if output:
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(body)
        else:
            self.stdout.write(body, ending="")
        message = f"{len(lines)} labels written"
        if skipped:
            message += f"; {skipped} confirmed without categories left out"
        self.stderr.write(message)  # beside the TSV, never inside it
