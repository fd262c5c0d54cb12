"""Fragments of pages that are the same for every reader, kept in the cache
(issue #18 item 2, docs/decisions/0032-shared-fragments.md).

A fragment is named in FRAGMENTS with the families of data it is drawn from.
Its key holds everything it varies on: its name, the release (the templates'
text), the current generation of each family, the active language and the
values the template passes (a page's id and live revision, a pathway's id).
A change bumps its family's generation (the receivers in home/signals.py,
community/signals.py and community/forums/signals.py): every key drawn from
that family changes at once, in every process, and the old entries expire.
Nothing is ever deleted by pattern, so Redis is never scanned.

What a fragment must never hold: anything of one reader (their name, their
counts, their blocks, mutes or mute words, their settings, a CSRF token) or
of one role. The leak tests in tests/cms/test_fragments.py and beside each
wrapped template check it."""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from functools import cache as once
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

# Each fragment's name and the families of data it is drawn from. A name not
# here is a template error, so every fragment says what invalidates it.
FRAGMENTS: dict[str, tuple[str, ...]] = {
    # The rendered StreamField of a page: its own body, the pages and
    # documents it links to.
    "page-body": ("pages",),
    # A pathway landing page's lists of its blogs, videos and resources (titles,
    # authors' display names, reading times, links).
    "pathway-pages": ("pages", "people"),
    # A pathway's crisis contacts and the national ones.
    "crisis-contacts": ("crisis",),
    # A pathway's forums: names, descriptions, links.
    "forum-list": ("forums",),
    # The header's logo and service name.
    "header-service": (),
}

# Long enough to matter, short enough that a bump missed (a change made by
# raw SQL, say) does not last the day. Generations outlive fragments.
FRAGMENT_SECONDS = 6 * 60 * 60
GENERATION_SECONDS = 7 * 24 * 60 * 60


def _generation_key(family: str) -> str:
    return f"fragment-generation:{family}"


def generations(families: Iterable[str]) -> list[str]:
    """The current generation of each family, in one cache round trip. A
    family with none (never bumped, or evicted) gets a new random one, never
    a counter from 1 again, so an entry made before an eviction can never be
    found again."""
    families = list(families)
    if not families:
        return []
    keys = [_generation_key(f) for f in families]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    for key, value in missing.items():
        # add, not set: two processes starting a family agree on the first.
        if not cache.add(key, value, GENERATION_SECONDS):
            missing[key] = cache.get(key) or value
    return [found.get(key) or missing[key] for key in keys]


def bump(*families: str) -> None:
    """Make every fragment drawn from `families` stale, now and again when
    the current transaction commits: now, so this process (and a test) sees
    the change at once; at commit, so a reader who drew the fragment from the
    old rows between the change and its commit cannot keep it."""

    def renew() -> None:
        cache.set_many(
            {_generation_key(f): uuid.uuid4().hex for f in families},
            GENERATION_SECONDS,
        )

    renew()
    transaction.on_commit(renew)


@once
def release() -> str:
    """A digest of the project's templates, so a deploy that changes a
    wrapped template never serves the old one's fragments from Redis."""
    digest = hashlib.sha256()
    for directory in cast(list, settings.TEMPLATES[0]["DIRS"]):
        for path in sorted(Path(directory).rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fragment_key(name: str, vary_on: Iterable[object]) -> str:
    """The cache key of fragment `name` for these values, in the active
    language, at the current generations of its families."""
    vary = "|".join(
        [release(), get_language() or "", *generations(FRAGMENTS[name])]
        + [str(value) for value in vary_on]
    )
    return f"fragment:{name}:{hashlib.sha256(vary.encode()).hexdigest()}"


def cached_fragment(name: str, vary_on: Iterable[object], render: Callable[[], str]):
    """The fragment's HTML from the cache, or `render()` stored for the next
    reader. The caller decides what may be shared: see the module's doc."""
    key = fragment_key(name, vary_on)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, FRAGMENT_SECONDS)
    return html
