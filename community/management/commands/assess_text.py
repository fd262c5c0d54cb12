"""Run texts through the safety pipeline and print one JSON object per text.

python manage.py assess_text "I want to kill myself"
python manage.py assess_text --pathway eating-disorders --lang en < texts.txt
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from community.models import Pathway
from community.safety.classifier import classify
from community.safety.pipeline import run_pipeline


class Command(BaseCommand):
    help = "Print categories with scores, rule-pack hits and the verdict for texts."

    def add_arguments(self, parser):
        parser.add_argument(
            "text", nargs="?", help="one text; else one per line on stdin"
        )
        parser.add_argument("--pathway", help="apply this pathway's rule packs")
        parser.add_argument(
            "--lang", default="en", help="language of the texts (en, cy)"
        )

    def handle(self, *args, text=None, pathway=None, lang="en", **options):
        found = None
        if pathway:
            found = Pathway.objects.filter(slug=pathway).first()
            if found is None:
                raise CommandError(f"No pathway with slug {pathway!r}.")
        texts = (
            [text] if text is not None else [line.rstrip("\n") for line in sys.stdin]
        )
        for item in texts:
            if not item.strip():
                continue
            # Assessed as a trusted author with a moderator on duty, so the verdict
            # reflects the text itself.
            verdict = run_pipeline(item, pathway=found, language=lang)
            self.stdout.write(
                json.dumps(
                    {
                        "text": verdict.text,
                        "categories": {
                            c: round(s, 2) for c, s in verdict.risk.scores.items()
                        },
                        "tier": str(verdict.tier),
                        "signpost": verdict.show_crisis_contacts,
                        "imminent": [
                            {"category": m.category, "kind": m.kind}
                            for m in verdict.risk.imminent
                        ],
                        "alert": verdict.risk.categories,
                        "review": verdict.risk.review,
                        "classifier": {
                            c: round(m, 3)
                            for c, m in classify(verdict.text, lang).items()
                        },
                        "rule_hits": [
                            {"pack": h.pack, "excerpt": h.excerpt, "message": h.message}
                            for h in verdict.rule_hits
                        ],
                        "verdict": str(verdict.action),
                    },
                    ensure_ascii=False,
                )
            )
