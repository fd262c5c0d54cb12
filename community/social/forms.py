"""Forms for walls, presents, profiles and editing. They check shape only;
the safety pipeline (through the actions) decides about the words."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from community.models import AVATARS, Audience
from community.permissions import requires_two_factor
from community.safety.pictures import PictureError, reencode_picture
from community.social.models import Gift

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BODY_ERRORS = {
    "required": _("Write your message first."),
    "max_length": _("Please keep it to %(limit_value)s characters or fewer."),
}


class PathwayChoiceMixin:
    """A `pathway` choice among the pathways shared with someone; hidden when
    there is only one."""

    if TYPE_CHECKING:  # what the form it is mixed into has
        fields: dict[str, forms.Field]

        def order_fields(self, field_order: Iterable[str] | None) -> None: ...

    def add_pathway_field(self, pathways) -> None:
        self.pathways = {str(p.pk): p for p in pathways}
        field = forms.ChoiceField(
            label=_("Which community is this in?"),
            help_text=_("Only members of that community will see it."),
            choices=[(pk, p.name) for pk, p in self.pathways.items()],
            error_messages={"invalid_choice": _("Choose one of the communities.")},
        )
        if len(self.pathways) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.pathways))
        self.fields["pathway"] = field
        self.order_fields(["pathway"])

    def chosen_pathway(self):
        return self.pathways[self.cleaned_data["pathway"]]


class WallPostForm(PathwayChoiceMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages=BODY_ERRORS,
    )

    # What the fields say when the reader chose easy read (decision 0030).
    easy_wording: dict[str, tuple["StrOrPromise", "StrOrPromise"]] = {
        "body": (_("Write something on this page"), ""),
        "pathway": (_("Which group?"), ""),
    }

    def __init__(self, data=None, *, pathways, own_wall: bool = False, **kwargs):
        super().__init__(data, **kwargs)
        self.add_pathway_field(pathways)
        if own_wall:
            self.easy_wording = {
                **self.easy_wording,
                "body": (_("Write something for your page"), ""),
                "milestone": (
                    _("This is a big step for me"),
                    _("Like “three months since I was in hospital”."),
                ),
            }
            self.fields["body"].label = _("Share something on your wall")
            self.fields["milestone"] = forms.BooleanField(
                label=_("This is a milestone"),
                help_text=_("For example “three months since my last admission”."),
                required=False,
            )


class WallReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages=BODY_ERRORS,
    )


class GiftChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Gift) -> str:
        return obj.name


class PresentForm(PathwayChoiceMixin, forms.Form):
    gift = GiftChoice(
        label=_("Choose a present"),
        queryset=Gift.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a present to send."),
            "invalid_choice": _("Choose one of the presents shown."),
        },
    )
    note = forms.CharField(
        label=_("A short note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=200,
        required=False,
        error_messages=BODY_ERRORS,
    )

    # The safety pipeline checks the note as the present's `body`.
    pipeline_fields = {"body": "note"}

    def __init__(self, data=None, *, pathways, gifts, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["gift"].queryset = gifts
        self.add_pathway_field(pathways)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=30,
        help_text=_(
            "Everyone in your communities sees this name. Don't use your real "
            "name, email or phone number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"required": _("Choose a display name.")},
    )
    pronouns = forms.CharField(
        label=_("Pronouns"),
        help_text=_("For example she/her, he/him, they/them."),
        max_length=30,
        required=False,
        error_messages=BODY_ERRORS,
    )
    avatar = forms.ChoiceField(
        label=_("Picture"),
        choices=AVATARS,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the pictures.")},
    )
    picture = forms.FileField(
        label=_("Or upload your own picture"),
        help_text=_(
            "A PNG, JPEG or WebP image. Please don't use a photo of your face "
            "if you'd rather not be recognised."
        ),
        required=False,
    )
    remove_picture = forms.BooleanField(
        label=_("Remove my uploaded picture"), required=False
    )
    bio = forms.CharField(
        label=_("About you"),
        help_text=_("A few words others in your communities will see."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
        error_messages=BODY_ERRORS,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self):
        from community.web.forms import clean_new_display_name

        return clean_new_display_name(
            self.cleaned_data["display_name"],
            email=self.user.email,
            exclude_pk=self.user.pk,
            # Staff may name their role; members may not pass for them.
            may_claim_role=requires_two_factor(self.user),
        )

    def clean_picture(self):
        upload = self.cleaned_data.get("picture")
        if not upload:
            return None
        limit = settings.HARBOUR_MAX_AVATAR_KB
        if upload.size > limit * 1024:
            raise forms.ValidationError(
                _("That picture is too big. Please choose one under %(kb)s KB.")
                % {"kb": limit}
            )
        try:
            data, kind = reencode_picture(upload)
        except PictureError as error:
            raise forms.ValidationError(str(error)) from None
        return ContentFile(data, name=f"picture.{kind.split('/')[1]}")


class PrivacyForm(forms.Form):
    wall_audience = forms.ChoiceField(
        label=_("Who can see my wall"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
    )
    wall_open = forms.BooleanField(
        label=_("Others can write on my wall"),
        help_text=_(
            "Untick to close your wall: what's there stays, nothing new is added."
        ),
        required=False,
    )
    message_audience = forms.ChoiceField(
        label=_("Who can message me"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
    )
    show_presence = forms.BooleanField(
        label=_("Show others when I'm in a chat"),
        help_text=_(
            "Untick to chat without appearing in the list of who is here. "
            "Your messages still show your name."
        ),
        required=False,
    )
    share_read_receipts = forms.BooleanField(
        label=_("Show others when I've read their messages"),
        help_text=_('Untick and no one sees "Seen" under their messages to you.'),
        required=False,
    )
