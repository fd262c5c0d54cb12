"""An app process freezes what its start made, so full garbage collections in
a member's request do not walk it (cms/startup.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc
import cms.asgi
from django.urls import get_resolver
loaded = "url_patterns" in get_resolver().__dict__
print(gc.get_freeze_count(), len(gc.get_objects()), loaded)
"""


def test_the_asgi_entry_freezes_the_objects_its_start_made():
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    frozen, still_collected, patterns_loaded = result.stdout.split()
    # The URL patterns were loaded before the freeze, not at a first request.
    assert patterns_loaded == "True"
    # Nearly everything alive after the start is frozen (a Django and Wagtail
    # process holds some 300,000 objects); the collector tracks only what
    # came after the freeze.
    assert int(frozen) > 100_000
    assert int(still_collected) < int(frozen) / 100
