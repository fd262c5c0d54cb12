"""`{% fragment "name" value ... %}…{% endfragment %}`: a block drawn once
for every reader and kept in the cache (cms/fragments.py says what it may
hold and how it is invalidated).

Like Django's `{% cache %}`, but the name must be one of cms.fragments'
FRAGMENTS, the key always holds the active language, the reader's wording
(easy read or not) and the generations of
the fragment's families, and a Wagtail preview (a draft under the live page's
id) is drawn afresh, never stored."""

from django import template
from django.utils.safestring import mark_safe

from cms.fragments import FRAGMENTS, cached_fragment

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list) -> None:
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context) -> str:
        request = context.get("request")
        if getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        # Easy read (decision 0030) picks the wording inside a fragment: two
        # variants, like the language, never one reader's own content.
        values = [bool(context.get("easy_read"))]
        values += [value.resolve(context) for value in self.vary_on]
        return mark_safe(  # noqa: S308 - the block's own rendering, escaped as it was drawn
            cached_fragment(
                self.name, values, lambda: str(self.nodelist.render(context))
            )
        )


@register.tag("fragment")
def fragment_tag(parser, token) -> FragmentNode:
    """Parse `{% fragment "name" value … %}…{% endfragment %}`; a name not in
    FRAGMENTS, or not quoted, is a TemplateSyntaxError."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes a quoted fragment name and the values it varies on"
        )
    name = bits[1][1:-1]
    if name not in FRAGMENTS:
        raise template.TemplateSyntaxError(
            f"unknown fragment {name!r}: name it in cms.fragments.FRAGMENTS"
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]]
    )
