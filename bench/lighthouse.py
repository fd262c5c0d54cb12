"""Lighthouse accessibility and best-practices scores (issue #21 item 6) of the
member pages, through the production stack, each beside its floor of 95.

    make lighthouse-bench
    # or: make lighthouse && .venv/bin/python bench/lighthouse.py

The stack is the production-stack test's (tests/e2e/production_stack.py): a new
PostgreSQL database under cms.settings.production with the demo data, a private
Redis, moto's S3, two app processes from the Procfile and nginx with TLS in
front. Lighthouse (npm, pinned in bench/lighthouse/package.json, installed by
`make lighthouse`) drives Debian's Chromium (CHROME_PATH, default
/usr/bin/chromium) headless, signed in as the demo member
member.perinatal@example.org by a session cookie sent with every request,
and audits home (the member's own home), their pathway page, a topic and the
pathway's chat room, as a phone (Lighthouse's mobile form factor, 412 px)
unless BENCH_LIGHTHOUSE_PRESET=desktop.

Printed: a line a page with each category's score beside the floor, then the
audits that lost points (so a score under the floor says why). The JSON
reports are kept in test-artifacts/lighthouse/. Nothing here asserts: the
exit status is 0 whatever the scores, 1 only when a run could not be made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chat.live_servers import ServiceMissing, run_django  # noqa: E402
from tests.e2e.production_stack import ProductionStack  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PRESET = os.environ.get("BENCH_LIGHTHOUSE_PRESET", "mobile")
MEMBER = "member.perinatal@example.org"
CATEGORIES = ("accessibility", "best-practices")
FLOOR = 95
# The stack's certificate is self-signed for localhost; the browser is told to
# accept it as a phone would after `make serve`'s one warning.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --ignore-certificate-errors"
)

_PAGES_SCRIPT = """
import json
import django
django.setup()
from django.urls import reverse
from community.models import Pathway
from community.forums.models import Topic
from home.models import PathwayPage

pathway = Pathway.objects.get(slug="perinatal")
page = PathwayPage.objects.live().filter(pathway=pathway).first()
topic = Topic.objects.filter(pathway=pathway, status="published").order_by("pk").first()
print(json.dumps({
    "home": "/",
    "pathway": page.url,
    "topic": reverse("community:topic", args=[pathway.slug, topic.pk]),
    "chat": reverse("chat:room", args=[pathway.slug]),
}))
"""


def pages(stack: ProductionStack) -> dict[str, str]:
    """The audited pages' paths on the demo data, by name."""
    out = run_django(stack.env, ["-c", _PAGES_SCRIPT])
    return json.loads(out.strip().splitlines()[-1])


def audit(url: str, cookie: str, report: Path) -> dict:
    """One Lighthouse run of `url`; its JSON report (also written to `report`)."""
    args = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        "--quiet",
    ]
    if PRESET == "desktop":
        args.append("--preset=desktop")
    subprocess.run(  # noqa: S603 - our own pinned tool and arguments
        args,
        env={**os.environ, "CHROME_PATH": CHROME},
        check=True,
        timeout=300,
        capture_output=True,
    )
    return json.loads(report.read_text())


def lost_points(result: dict, category: str) -> list[str]:
    """The audits of `category` that scored under 1, with their titles."""
    audits = result["audits"]
    lost = []
    for ref in result["categories"][category]["auditRefs"]:
        found = audits[ref["id"]]
        if ref["weight"] and found["score"] is not None and found["score"] < 1:
            lost.append(f"{ref['id']} ({found['score']:.2f}): {found['title']}")
    return lost


def main() -> int:
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: run `make lighthouse` first.")
        return 1
    if not Path(CHROME).exists():
        print(f"No Chromium at {CHROME}: run `make browser` or set CHROME_PATH.")
        return 1
    began = time.monotonic()
    try:
        stack = ProductionStack.start()
    except ServiceMissing as missing:
        print(f"The production stack cannot start here: {missing}")
        return 1
    REPORTS.mkdir(parents=True, exist_ok=True)
    try:
        ready = time.monotonic() - began
        print(f"Production stack ready in {ready:.0f} s at {stack.url}")
        session = stack.sessions([MEMBER])[0]
        # The session cookie's name under production settings.
        name = (
            run_django(
                stack.env,
                [
                    "-c",
                    "import django; django.setup(); from django.conf import settings; "
                    "print(settings.SESSION_COOKIE_NAME)",
                ],
            )
            .strip()
            .splitlines()[-1]
        )
        cookie = f"{name}={session}"
        print(f"Lighthouse {PRESET}, signed in as {MEMBER}; floor {FLOOR} for each")
        print(f"{'page':10} " + " ".join(f"{c:>16}" for c in CATEGORIES))
        losses = {}
        for page, path in pages(stack).items():
            result = audit(stack.url + path, cookie, REPORTS / f"{page}-{PRESET}.json")
            final = result.get("finalDisplayedUrl") or result.get("finalUrl", "")
            if "/accounts/login/" in final:
                print(f"{page}: sent to the sign-in page, the session was refused")
                return 1
            scores = []
            for category in CATEGORIES:
                score = round(100 * (result["categories"][category]["score"] or 0))
                mark = "ok" if score >= FLOOR else "UNDER"
                scores.append(f"{score:>3} / {FLOOR} {mark:>5}")
                losses[(page, category)] = lost_points(result, category)
            print(f"{page:10} " + " ".join(f"{s:>16}" for s in scores))
        for (page, category), lost in losses.items():
            for line in lost:
                print(f"  {page} {category}: {line}")
        took = time.monotonic() - began
        print(f"Reports in {REPORTS.relative_to(ROOT)}; {took:.0f} s in all")
        return 0
    finally:
        stack.stop()
        shutil.rmtree(REPORTS / "tmp", ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
