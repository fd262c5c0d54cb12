"""Template helpers: Django form fields as NHS.UK form groups, member text as
safe HTML, the role badge by a staff member's name, the easy-read wording
of a page (`{% wording %}`, decision 0030), and the language of what the
trust wrote (`lang_if_other`)."""

import copy

from django import forms, template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

register = template.Library()


def widget_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.MultiWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


def easy_field(field):
    """`field` with the easy-read label and hint its form declares in
    `easy_wording` ({name: (label, hint)}), or `field` itself if it has none.
    A copy, so the form and its other readers keep the usual wording."""
    wording = getattr(field.form, "easy_wording", {}).get(field.name)
    if wording is None:
        return field
    easy = copy.copy(field)
    easy.label, easy.help_text = wording
    return easy


@register.inclusion_tag("includes/field.html", takes_context=True)
def nhs_field(context, field):
    """One field as an NHS form group: label, hint, error message, input;
    with the form's easy-read wording when the reader chose easy read."""
    if context.get("easy_read"):
        field = easy_field(field)
    kind = widget_kind(field)
    css = {
        "select": "nhsuk-select",
        "textarea": "nhsuk-textarea",
        "checkbox": "nhsuk-checkboxes__input",
        "checkboxes": "nhsuk-checkboxes__input",
        "radios": "nhsuk-radios__input",
        "input": "nhsuk-input",
        "hidden": "",
        "date": "",
    }[kind]
    if field.errors and kind in {"input", "select", "textarea"}:
        css += f" {css}--error"
    attrs = {"class": css}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    if kind == "date":
        return {"field": field, "kind": kind, "parts": date_parts(field)}
    if described and kind not in {"checkboxes", "radios"}:
        attrs["aria-describedby"] = " ".join(described)
    widget = (
        field.as_widget(attrs=attrs) if kind not in {"checkboxes", "radios"} else None
    )
    return {"field": field, "kind": kind, "widget": widget}


def date_parts(field):
    """(id, name, value, label, width class) for each box of an NHS date input."""
    values = field.value() or [None, None, None]
    if not isinstance(values, list | tuple):
        values = field.field.widget.decompress(values)
    labels = (_("Day"), _("Month"), _("Year"))
    widths = ("nhsuk-input--width-2", "nhsuk-input--width-2", "nhsuk-input--width-4")
    return [
        (
            f"{field.auto_id}_{i}",
            f"{field.html_name}_{i}",
            "" if values[i] is None else values[i],
            labels[i],
            widths[i],
            field.field.widget.widgets[i].attrs.get("autocomplete", ""),
        )
        for i in range(3)
    ]


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form):
    """The NHS error summary: every error, each linking to its field."""
    errors = []
    for error in form.non_field_errors():
        errors.append((None, error))
    for field in form:
        for error in field.errors:
            # A date input has no single box to label: link its first one (Day).
            errors.append((field.id_for_label or f"{field.auto_id}_0", error))
    return {"errors": errors}


@register.simple_tag
def page_translations(page):
    """[(language code, language name, url, is this page)] for the live
    translations of a Wagtail page, in the site's language order."""
    from django.conf import settings
    from wagtail.models import Page

    if page is None or not hasattr(page, "get_translations"):
        return []
    # One query: the page and its translations, with their locales.
    pages = {
        other.locale.language_code: other
        for other in Page.objects.filter(translation_key=page.translation_key)
        .filter(live=True)
        .select_related("locale")
    }
    if len(pages) < 2:
        return []
    return [
        (code, name, pages[code].url, pages[code].pk == page.pk)
        for code, name in settings.LANGUAGES
        if code in pages
    ]


@register.filter
def member_text(text: str):
    """Member-written plain text as HTML: every character escaped; blank lines
    make paragraphs, single newlines line breaks, and lines starting with
    "> " (a quote) a blockquote. The only markup comes from here."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    blocks = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = chunk.split("\n")
        quoted = [line for line in lines if line.startswith(">")]
        if quoted and len(quoted) == len(lines):
            inner = "<br>".join(escape(line[1:].lstrip()) for line in lines)
            blocks.append(
                f'<blockquote class="harbour-quote"><p>{inner}</p></blockquote>'
            )
        elif chunk.strip():
            blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308 - every part escaped above


@register.filter
def lookup(mapping, key):
    """`mapping[key]`, or None (for dicts a view built, keyed by id)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def role_badge(staff_roles, pathway_id, user_id):
    """The role of a pathway's staff member, by their name wherever it shows
    (posts, wall messages, presents, notices), drawn from their membership
    (`staff_roles`, the context processor's) and never from anything they
    wrote; members' names get nothing, so no name can pass for it. Empty
    when the person is not staff there."""
    from django.utils.html import format_html

    from ..models import Role

    try:
        role = staff_roles.get((pathway_id, user_id)) if pathway_id else None
    except AttributeError:
        return ""
    if not role:
        return ""
    return format_html(
        ' <strong class="nhsuk-tag nhsuk-tag--blue harbour-role">{}</strong>',
        Role(role).label,
    )


class WordingNode(template.Node):
    # Both wordings are children, so whatever walks a template's nodes
    # (Django's get_nodes_by_type, the Welsh check) sees both.
    child_nodelists = ("usual", "easy")

    def __init__(self, usual, easy):
        self.usual = usual
        self.easy = easy

    def render(self, context):
        chosen = self.easy if context.get("easy_read") else self.usual
        return chosen.render(context)


@register.tag
def wording(parser, token):
    """The usual words, or the easy-read words when the reader chose easy read:

        {% wording %}{% translate "Post reply" %}{% easy %}
        {% translate "Send my answer" %}{% endwording %}

    Both are ordinary translation tags, so makemessages finds both and the
    Welsh catalogue has both. The choice is the context's `easy_read` (the
    context processor's, from the reader's own setting): a cached fragment
    holding a {% wording %} block must vary on it.
    """
    usual = parser.parse(("easy",))
    parser.delete_first_token()
    easy = parser.parse(("endwording",))
    parser.delete_first_token()
    return WordingNode(usual, easy)


def content_language(obj) -> str:
    """The language `obj`'s words are written in: a Wagtail page or snippet
    with a locale (an alias, such as wagtail-localize's copy not yet
    translated, speaks its original's language); "" when unknown."""
    source = getattr(obj, "alias_of", None) or obj
    locale = getattr(source, "locale", None)
    return getattr(locale, "language_code", "") or ""


def other_language(code: str) -> str:
    """`code` when words written in that language are not in the language
    the page is shown in (so they need a `lang` of their own, WCAG 3.1.2);
    "" when they are, or when `code` is unknown (members' words)."""
    active = (translation.get_language() or "").split("-")[0]
    return code if code and code.split("-")[0] != active else ""


def marked(text, code: str):
    """`text`, escaped, in a `<span lang>` when `code` is another language
    than the page's; plain text otherwise. For page text only, never inside
    <title> or <option> (no markup there)."""
    if other := other_language(code):
        return format_html('<span lang="{}">{}</span>', other, text)
    return text


@register.filter
def site_words_marked(text):
    """Words staff write in the site's language (settings.LANGUAGE_CODE) and
    do not translate (a pathway's or forum's name, a forum's description),
    marked on a page in another language (`marked`)."""
    return marked(text, settings.LANGUAGE_CODE)


@register.filter
def name_marked(named):
    """A pathway's or forum's name, as `site_words_marked`."""
    return site_words_marked(named.name)


@register.filter
def title_marked(page):
    """A Wagtail page's title, marked with the page's own language when the
    page shown is in another (an English page listed on a /cy/ page)."""
    return marked(page.title, content_language(page))


@register.simple_tag
def lang_if_other(obj):
    """` lang="en"` (with its leading space, for inside a tag) when `obj` (a
    page, a crisis contact) is written in another language than the page is
    shown in: an English page body on a /cy/ page before it is translated,
    so screen readers speak it as English. Nothing otherwise."""
    if other := other_language(content_language(obj)):
        return format_html(' lang="{}"', other)
    return ""


@register.simple_tag(takes_context=True)
def path_in_default_language(context) -> str:
    """This page's address in the site's default language (English): the
    language switcher's `next`.

    Django's set_language translates `next` into the chosen language under
    the language of its own unprefixed URL, which is always the default one,
    so it cannot read a /cy/ path: Wagtail's catch-all took "/cy/help/" for
    a page called "cy/help". From a Welsh page "English" stayed Welsh and
    "Cymraeg" led to /cy/cy/…, a 404. Read here, while the page's own
    language is active, the path is always understood."""
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    return translate_url(here, settings.LANGUAGE_CODE)
