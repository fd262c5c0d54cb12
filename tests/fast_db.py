"""`make test-fast`'s test databases: migrated once, copied fresh each run.

Migrating a new SQLite database takes about half a minute, on every run and in
every worker. `make test-fast` keeps a migrated template (made again only when
a migration file changes) and copies it to the names pytest-django's
`--reuse-db` opens, one per xdist worker. A copy, not the last run's database:
transactional tests empty the tables, and the rows the migrations made
(locales, the root page, the national crisis contacts) would be gone.

Run as `python -m tests.fast_db PATH`, where PATH is HARBOUR_TEST_SQLITE.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4  # the Makefile's --maxprocesses


def migrations_fingerprint() -> str:
    """A hash of every migration file of the project and its installed packages'
    versions (a new Wagtail brings migrations of its own)."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    digest.update((ROOT / "requirements.lock").read_bytes())
    return digest.hexdigest()


def build(path: Path) -> None:
    """Make sure `path` and each worker's copy hold a freshly migrated database."""
    template = path.with_name(path.name + ".template")
    stamp = path.with_name(path.name + ".fingerprint")
    fingerprint = migrations_fingerprint()
    if not template.exists() or not stamp.exists() or stamp.read_text() != fingerprint:
        template.unlink(missing_ok=True)
        sys.stdout.write("test-fast: migrating a template test database\n")
        subprocess.run(  # noqa: S603 - our own manage.py, with our interpreter
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            check=True,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "cms.settings.test",
                "DATABASE_URL": f"sqlite:///{template}",
            },
        )
        stamp.write_text(fingerprint)
    for name in [path.name] + [f"{path.name}_gw{n}" for n in range(WORKERS)]:
        target = path.with_name(name)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, target)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
