"""The choices a member (or a staff member on their request) makes when an
account closes."""

from django import forms
from django.utils.translation import gettext_lazy as _

POSTS_CHOICES = [
    (
        "remove",
        _("Remove what I wrote: my posts, replies, comments and messages"),
    ),
    (
        "keep",
        _('Keep what I wrote, shown under "Former member" instead of my name'),
    ),
]


class CloseAccountForm(forms.Form):
    posts = forms.ChoiceField(
        label=_("What should happen to what you wrote?"),
        help_text=_(
            "Others may have replied to your posts. Either way, your name, "
            "email address and profile go."
        ),
        choices=POSTS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what should happen to what you wrote.")},
    )

    @property
    def remove_posts(self) -> bool:
        return self.cleaned_data["posts"] == "remove"


class StaffCloseAccountForm(CloseAccountForm):
    posts = forms.ChoiceField(
        label=_("What did the member ask for their posts?"),
        choices=POSTS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the member asked for.")},
    )
    reason = forms.CharField(
        label=_("Why are you closing this account?"),
        help_text=_(
            "For the audit: for example, the date of the member's written "
            "request and where it is filed. Don't copy what they wrote."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _(
                "Please say why: for example, the date of the member's written request."
            ),
            "max_length": _("Please keep the reason under 500 characters."),
        },
    )
