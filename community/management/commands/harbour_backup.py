"""Back up the PostgreSQL database to one file (docs/backup.md):

    python manage.py harbour_backup /backups/harbour-$(date +%Y%m%dT%H%M).dump

The file is pg_dump's custom format, readable by its owner only, and is
restored with `manage.py harbour_restore` into a new database. It holds
everything members wrote, the alerts, the audit log and the delivery queue;
media files and the secrets (SECRET_KEY, VAPID keys) are backed up apart.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from cms.backups import BackupError, dump


class Command(BaseCommand):
    help = (
        "Write a pg_dump custom-format backup of the configured PostgreSQL "
        "database to PATH."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the file to write")
        parser.add_argument(
            "--overwrite", action="store_true", help="replace PATH if it exists"
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="which DATABASES entry (default: %(default)s)",
        )

    def handle(self, *args, path: Path, overwrite: bool, database: str, **options):
        settings_dict = connections[database].settings_dict
        try:
            size = dump(settings_dict, path, overwrite=overwrite)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {settings_dict['NAME']} to {path} ({size:,} bytes)."
        )
