"""Translating a pathway's pages with wagtail-localize (no machine translation):
a page and the ancestors it needs are set up for translation into a locale;
editors then translate strings in the admin or by PO file export and import."""

from django.db import transaction
from wagtail.models import Page
from wagtail_localize.models import Translation
from wagtail_localize.operations import TranslationCreator


def translate_page(page: Page, locale, user=None) -> Page:
    """Create (or update) the translation of `page` into `locale`, creating
    its untranslated ancestors' translations first, and publish them. Strings
    not yet translated show the source text. Returns the translated page."""
    chain = [p for p in page.get_ancestors(inclusive=True).specific() if p.depth > 1]
    translated = None
    made = []
    for item in chain:
        existing = item.get_translation_or_none(locale)
        if existing is not None and item.pk != page.pk:
            continue
        creator = TranslationCreator(user, [locale])
        creator.create_translations(item, include_related_objects=False)
        for translation in Translation.objects.filter(
            source__object_id=item.translation_key, target_locale=locale
        ):
            # A draft first, then published here and now from a fresh copy:
            # wagtail-localize publishes on commit from the instance it holds,
            # which would write back a parent's stale child count once its
            # children exist.
            translation.save_target(user=user, publish=False)
        translated = Page.objects.get(
            translation_key=item.translation_key, locale=locale
        ).specific
        translated.get_latest_revision().publish(user=user)
        translated.refresh_from_db()
        made.append(translated.pk)
    # wagtail-localize also publishes each new translation on commit, from
    # the instance it created before that page had children: its stale child
    # count would hide the children from routing. Put the counts right after.
    transaction.on_commit(lambda: _recount_children(made))
    return translated


def _recount_children(page_ids: list[int]) -> None:
    for node in Page.objects.filter(pk__in=page_ids):
        count = Page.objects.filter(
            path__startswith=node.path, depth=node.depth + 1
        ).count()
        Page.objects.filter(pk=node.pk).update(numchild=count)
