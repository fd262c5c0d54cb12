"""Template tags for Wagtail admin templates Harbour overrides: choosers'
collection drop-downs and suggested tags name nothing of another pathway."""

from django import template

from home.admin_access import collections_visible_to, tags_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_collections(context, collections):
    """`collections` without those of pathways the reader is not in."""
    if not collections:
        return collections
    shown = collections_visible_to(context["request"].user, collections)
    return shown if len(shown) > 1 else None


@register.simple_tag(takes_context=True)
def admin_tags(context, tags, kind):
    """Of the suggested `tags` for images or media (`kind`), those used on an
    item the reader may see."""
    from wagtail.images import get_image_model
    from wagtailmedia.models import get_media_model

    if not tags:
        return tags
    model = get_image_model() if kind == "image" else get_media_model()
    return tags_visible_to(context["request"].user, tags, model)
