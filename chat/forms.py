import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_BODY


class MessageForm(forms.Form):
    """A chat message sent by a plain form post (no JavaScript, or no
    socket). `client_id` is made when the page is drawn, so posting the
    same form twice stores the message once."""

    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        max_length=MAX_BODY,
        error_messages={
            "required": _("Write your message first."),
            "max_length": _(
                "Please keep a message to %(limit_value)s characters or fewer."
            ),
        },
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    # What the field says when the reader chose easy read (decision 0030).
    easy_wording = {"body": (_("Write here"), "")}


class EditMessageForm(forms.Form):
    """A correction of one's own chat message (the page without JavaScript)."""

    body = MessageForm.base_fields["body"]
