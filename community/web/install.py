"""Harbour as an installed app: the web manifest, the offline page the service
worker keeps for when there is no signal, and the shell it keeps beside it.
Why so: docs/decisions/0028-installable-app.md."""

import hashlib
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import JsonResponse
from django.shortcuts import render, resolve_url
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from community import queries
from community.safetyplan.queries import offline_plan

# The NHS palette (service-manual.nhs.uk/design-system/styles/colour).
NHS_BLUE = "#005eb8"
NHS_PAGE_BACKGROUND = "#f0f4f5"

# (static path, size, purpose); cms/deploy/make_icons.py draws them.
ICONS = [
    ("harbour/icons/icon-192.png", 192, "any"),
    ("harbour/icons/icon-512.png", 512, "any"),
    ("harbour/icons/icon-maskable-512.png", 512, "maskable"),
]
APPLE_TOUCH_ICON = ("harbour/icons/apple-touch-icon-180.png", 180)
FAVICON = ("harbour/icons/icon-32.png", 32)

# Easy read's pictures beside the main actions (static/harbour/easy-read/).
EASY_READ_PICTURES = (
    "bell",
    "chat",
    "help",
    "home",
    "new",
    "pause",
    "person",
    "send",
    "settings",
    "speaker",
    "stop",
    "talk",
    "wall",
    "write",
)

# What every page loads, kept by the service worker on install so the
# offline page is drawn as any other page is. Icons too. (NHS.UK frontend's
# script is a module the page imports; Harbour serves no fonts: see the
# decision record.)
SHELL = [
    "harbour/nhsuk-frontend-10.4.2-nofonts.min.css",
    "harbour/harbour.css",
    # The safety plan's own styles: the offline page shows the plan with them.
    "harbour/safety-plan.css",
    "wagtailnhsukfrontend/js/nhsuk-frontend-10.4.2.min.js",
    "harbour/forms.js",
    "harbour/pwa.js",
    "harbour/live.js",
    # Easy read's frame (decision 0030): the offline page of an easy-read member
    # keeps its size, pictures and "Read this to me" (the voice is the phone's).
    "harbour/easy-read.css",
    "harbour/read-aloud.js",
    *(f"harbour/easy-read/{name}.svg" for name in EASY_READ_PICTURES),
    FAVICON[0],
    APPLE_TOUCH_ICON[0],
    *(path for path, _size, _purpose in ICONS),
]


def shell_urls() -> list[str]:
    return [static(path) for path in SHELL]


def shell_version(*parts: str) -> str:
    """Names the service worker's caches: it changes when a shell file or the
    worker's own script changes, so a phone drops the old copies. A file is
    known by its size and time (a stat each, no reading)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
    for path in SHELL:
        found = finders.find(path)
        if isinstance(found, str):
            stat = os.stat(found)
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


@require_safe
def web_manifest(request):
    """The web app manifest (what a phone needs to install Harbour): the same
    for everyone, so it holds nothing of the reader; in the language of its
    address (`/cy/manifest.webmanifest` for Welsh pages), with the same `id`
    in each, so it is one app whichever language installed it. `start_url`
    is where a member lands after signing in, in that language."""
    language = get_language()
    start_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    if language != settings.LANGUAGE_CODE:  # as i18n_patterns prefixes it
        start_url = f"/{language}{start_url}"
    icons = [
        {
            "src": static(path),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for path, size, purpose in ICONS
    ]
    manifest = {
        "id": "/",
        "name": settings.WAGTAIL_SITE_NAME,
        "short_name": settings.WAGTAIL_SITE_NAME,
        "description": _("Peer support from your NHS mental health service."),
        "lang": language,
        "dir": "ltr",
        "start_url": start_url,
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": NHS_BLUE,
        "background_color": NHS_PAGE_BACKGROUND,
        "icons": icons,
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
@cache_control(no_store=True, private=True)
def offline(request):
    """What the installed app shows with no signal: the reader's pathways'
    crisis contacts (through the access layer: only pathways they belong to)
    and the national ones; national only for someone signed out. The service
    worker keeps a copy while the member is signed in, and forgets it when
    they sign out. Never stored by the browser's own cache. With the
    member's own safety plan when they chose to keep it on this phone (the
    plan page asks the worker to fetch this page again, so a change or
    turning it off reaches the copy at once)."""
    context = queries.help_contacts(request.user)
    context["offline_plan"] = offline_plan(request.user)
    return render(request, "community/offline.html", context)
