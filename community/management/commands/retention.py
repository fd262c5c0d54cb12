"""Remove what is older than its retention period (settings.
HARBOUR_RETENTION_DAYS), as the worker does daily; `--dry-run` only says,
per kind, how much would go.

python manage.py retention --dry-run
python manage.py retention
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from community.rights.retention import KINDS, apply_retention


class Command(BaseCommand):
    help = "Apply the retention periods (or, with --dry-run, report what would go)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count only; remove nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        counts = apply_retention(dry_run=dry_run)
        verb = "would go" if dry_run else "removed"
        for kind in KINDS:
            days = settings.HARBOUR_RETENTION_DAYS[kind]
            self.stdout.write(f"{kind}: {counts[kind]} {verb} (kept {days} days)")
