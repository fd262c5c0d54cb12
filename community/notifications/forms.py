"""The member's choice of how notices reach them beyond the bell."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import EmailFrequency


class NotificationEmailForm(forms.Form):
    email_notifications = forms.ChoiceField(
        label=_("Email me about new notifications"),
        help_text=_(
            "Emails say what kind of thing happened and link here. They never "
            "include what anyone wrote."
        ),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often to get emails.")},
    )
    notice_details = forms.BooleanField(
        label=_("Say who and which community in emails and phone notices"),
        help_text=_(
            "Left unticked, they only say that something is new, in case someone "
            "else sees your inbox or lock screen."
        ),
        required=False,
    )
