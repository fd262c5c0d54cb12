"""Blog posts and videos on the timelines of the social wing: a source of
entries home registers there at start-up (home.apps), so the wing needs no
page types of its own."""

from django.db.models import Q
from wagtail.models import Locale, Page

from community.models import User
from community.social.timeline import PAGE, Entry, entry_key, older_than

from .models import BlogPage, PathwayPage, VideoPage
from .permissions import pages_visible_to


def page_entries(reader: User, pathways, cursor, size: int) -> list[Entry]:
    """Blog posts and videos under the pathways' landing pages in the reader's
    language."""
    landings = list(
        PathwayPage.objects.filter(
            pathway__in=pathways, locale=Locale.get_active()
        ).select_related("pathway")
    )
    if not landings:
        return []
    under = Q()
    for landing in landings:
        under |= Q(path__startswith=landing.path, depth__gt=landing.depth)
    pages = (
        pages_visible_to(reader, Page.objects.live().type(BlogPage, VideoPage))
        .filter(under)
        .filter(older_than(cursor, PAGE, "first_published_at"))
        .order_by("-first_published_at", "-pk")
        .specific()[: size + 1]
    )
    by_path = {landing.path: landing.pathway for landing in landings}
    result = []
    for page in pages:
        pathway = next(
            (p for path, p in by_path.items() if page.path.startswith(path)), None
        )
        kind = "video" if isinstance(page, VideoPage) else "blog"
        result.append(
            Entry(
                kind,
                page.first_published_at,
                page,
                pathway,
                entry_key(page.first_published_at, PAGE, page.pk),
            )
        )
    return result
