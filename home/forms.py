"""The comment form on blog posts and videos. The safety pipeline's requests
to rewrite come back as errors beside the field, with the text kept."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write your comment first."),
            "max_length": _("Please keep it to 3,000 characters or fewer."),
        },
    )
    follow = forms.BooleanField(label=_("Tell me when someone replies"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
