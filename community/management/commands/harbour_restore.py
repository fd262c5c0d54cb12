"""Restore a backup from `harbour_backup` into a new, empty database
(docs/backup.md):

    HARBOUR_RESTORE_DATABASE_URL=postgres://harbour:…@db.internal/harbour_restored \\
        python manage.py harbour_restore /backups/harbour.dump --create

The target's URL comes from HARBOUR_RESTORE_DATABASE_URL or --database-url;
the variable keeps a password out of the machine's process list. It refuses a
database that holds anything, so it can never overwrite the one in use. Point
DATABASE_URL at the restored database to run the site on it.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.backups import BackupError, restore

URL_VARIABLE = "HARBOUR_RESTORE_DATABASE_URL"


class Command(BaseCommand):
    help = (
        "Restore a harbour_backup file into a new, empty PostgreSQL database "
        "named by --database-url."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a file harbour_backup wrote")
        parser.add_argument(
            "--database-url",
            default=os.environ.get(URL_VARIABLE, ""),
            help="postgres://user:password@host:port/name of the NEW database "
            f"(default: ${URL_VARIABLE})",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="create the database first if it does not exist",
        )

    def handle(self, *args, path: Path, database_url: str, create: bool, **options):
        if not database_url:
            raise CommandError(
                f"Name the new database: set {URL_VARIABLE} or pass --database-url."
            )
        try:
            restored = restore(path, database_url, create=create)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {path} into {restored.database}: {restored.relations} "
            f"tables, views and sequences; last migration {restored.last_migration}."
        )
        self.stdout.write(
            "Next: run `manage.py migrate` with DATABASE_URL set to it (nothing "
            "to do if the release is the one that made the backup), then start "
            "the site on it."
        )
