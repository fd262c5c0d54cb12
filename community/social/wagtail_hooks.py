"""The presents catalogue in the Wagtail admin."""

from django import forms
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from community.social.models import Gift


class GiftViewSet(SnippetViewSet):
    """The presents catalogue: editors add, retire and order presents, and
    choose which pathways offer each."""

    model = Gift
    icon = "pick"
    menu_label = "Presents"
    list_display = ["name", "icon", "live", "position"]
    panels = [
        FieldPanel("name"),
        FieldPanel("icon"),
        FieldPanel("image"),
        FieldPanel("pathways", widget=forms.CheckboxSelectMultiple),
        FieldPanel("live"),
        FieldPanel("position"),
    ]


register_snippet(GiftViewSet)
