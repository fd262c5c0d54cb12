"""The search box: a few words, and optionally one of the reader's pathways."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .queries import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
        help_text=_("A word or two: we look in pages, forum posts and wall messages."),
        error_messages={
            "required": _("Type a word or two to search for."),
            "max_length": _(
                "That is longer than we can search for. Try a few words "
                "(up to %(limit_value)d characters)."
            ),
        },
    )
    # A plain Field: whatever comes in, even a NUL, reaches clean_pathway.
    pathway = forms.Field(label=_("Where"), required=False, widget=forms.Select)

    def __init__(self, data, pathways):
        super().__init__(data)
        self.pathways = {p.slug: p for p in pathways}
        if len(pathways) > 1:
            self.fields["pathway"].widget.choices = [
                ("", _("All my communities")),
                *((p.slug, p.name) for p in pathways),
            ]
        else:
            del self.fields["pathway"]

    def clean_pathway(self):
        """One of the reader's pathways, or None for all of them: a slug that is
        not theirs is not an error, so nothing tells whether it exists."""
        return self.pathways.get(str(self.cleaned_data["pathway"] or ""))
