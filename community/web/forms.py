"""Forms for joining and for pathway staff. Validation that is a business rule
lives in actions; forms turn its errors into messages beside the right field."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.actions import (
    InvitationError,
    check_age_for,
    check_display_name,
    check_invitation_code,
    do_claim_display_name,
    do_redeem_invitation,
    do_request_to_join,
    joinable_pathways,
)
from community.models import STAFF_ROLES, Pathway, Role, User
from community.web.consent import do_accept_documents


class DateInputWidget(forms.MultiWidget):
    """NHS.UK date input: day, month and year boxes with the number pad on phones
    (a native date picker is hard to use for a date of birth)."""

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "pattern": "[0-9]*"}
        super().__init__(
            [
                forms.TextInput({**box, "autocomplete": "bday-day"}),
                forms.TextInput({**box, "autocomplete": "bday-month"}),
                forms.TextInput({**box, "autocomplete": "bday-year"}),
            ],
            attrs,
        )

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class DateOfBirthField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, **kwargs):
        whole = {"error_messages": {"invalid": _("Use numbers only.")}}
        super().__init__(
            fields=[
                forms.IntegerField(min_value=1, max_value=31, **whole),
                forms.IntegerField(min_value=1, max_value=12, **whole),
                forms.IntegerField(min_value=1900, max_value=2100, **whole),
            ],
            require_all_fields=False,
            error_messages={
                "required": _("Enter your date of birth."),
                "incomplete": _("Enter a day, month and year."),
            },
            **kwargs,
        )

    def compress(self, data_list):
        if not data_list:
            return None
        day, month, year = data_list
        try:
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(_("Enter a real date of birth.")) from None


def clean_new_display_name(
    value: str, *, email: str = "", exclude_pk=None, may_claim_role: bool = False
) -> str:
    """A form's display name field through the one check,
    actions.check_display_name (its ValidationError is the form's)."""
    return check_display_name(
        value, email=email, exclude_pk=exclude_pk, may_claim_role=may_claim_role
    )


class SignupDetailsForm(forms.Form):
    """Added to allauth's sign-up form: how others will see you, your date of
    birth (each community has a minimum age) and the invitation from your care
    team (or, where a community allows it, a request to join)."""

    invitation_code = forms.CharField(
        label=_("Invitation code"),
        required=False,
        max_length=32,
        help_text=_("The code from your care team, for example K7MQ2HXPRT."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    join_pathway = forms.ModelChoiceField(
        label=_("Or ask to join a community"),
        queryset=Pathway.objects.none(),
        required=False,
        empty_label=_("I have an invitation code"),
        help_text=_("A clinician will look at your request."),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=30,
        help_text=_(
            "Everyone sees this name. Don't use your real name, email or phone number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    date_of_birth = DateOfBirthField(
        label=_("Date of birth"),
        help_text=_(
            "For example, 15 3 1984. Only used to check a community is right for "
            "your age."
        ),
    )
    agree = forms.BooleanField(
        label=_(
            "I have read how Harbour keeps people safe (on the page linked above), "
            "and I agree to the terms of use and the privacy notice"
        ),
        error_messages={
            "required": _("Please confirm you have read how we keep people safe.")
        },
    )

    field_order = [
        "invitation_code",
        "join_pathway",
        "email",
        "display_name",
        "date_of_birth",
        "password1",
        "password2",
        "agree",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pathways = joinable_pathways()
        self.fields["join_pathway"].queryset = pathways
        if not pathways.exists():
            # No community takes requests: the code is the only way in.
            del self.fields["join_pathway"]
            self.fields["invitation_code"].required = True
            self.fields["invitation_code"].error_messages["required"] = _(
                "Enter the invitation code from your care team. If you don't "
                "have one, ask them: they can send it straight away."
            )
        self.invitation = None

    def clean_display_name(self):
        # Someone invited into a staff role may name their role; the badge
        # by their name says it too.
        staff_invitation = (
            self.invitation is not None and self.invitation.role in STAFF_ROLES
        )
        return clean_new_display_name(
            self.cleaned_data["display_name"],
            email=self.data.get("email", ""),
            may_claim_role=staff_invitation,
        )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born >= today or born.year < today.year - 120:
            raise forms.ValidationError(_("Enter your real date of birth."))
        return born

    def clean_invitation_code(self):
        code = self.cleaned_data["invitation_code"].strip()
        if code:
            try:
                self.invitation = check_invitation_code(code, client=_client_address())
            except InvitationError as error:
                raise forms.ValidationError(str(error)) from None
        return code

    def clean(self):
        cleaned = super().clean()
        pathway = (
            self.invitation.pathway if self.invitation else cleaned.get("join_pathway")
        )
        if not pathway and "invitation_code" not in self.errors:
            self.add_error(
                "invitation_code",
                _(
                    "Enter the invitation code from your care team. If you don't "
                    "have one, ask them: they can send it straight away."
                ),
            )
        born = cleaned.get("date_of_birth")
        if pathway and born:
            try:
                check_age_for(pathway, User(date_of_birth=born))
            except InvitationError as error:
                self.add_error("date_of_birth", str(error))
        return cleaned

    def signup(self, request, user):
        """Called by allauth once the account exists: join the community."""
        from django.contrib import messages

        wanted = self.cleaned_data["display_name"]
        user.date_of_birth = self.cleaned_data["date_of_birth"]
        given = do_claim_display_name(user, wanted, fields=["date_of_birth"])
        # The box they ticked ("agree") names the current terms and notice.
        do_accept_documents(user)
        if given != wanted:
            messages.info(
                request,
                _(
                    "Someone chose a name like %(wanted)s a moment before you, so "
                    "you are %(given)s for now. You can change it in your profile."
                )
                % {"wanted": wanted, "given": given},
            )
        try:
            if self.invitation:
                do_redeem_invitation(user, self.invitation.code)
            elif self.cleaned_data.get("join_pathway"):
                do_request_to_join(user, self.cleaned_data["join_pathway"])
        except InvitationError as error:
            # Someone used the code in the moment between checking and joining;
            # the account is kept, and the home page offers to enter a new code.
            messages.error(request, str(error))


def _client_address() -> str | None:
    """The address of the request being handled (allauth keeps it for its
    forms, which are made without one), for limiting guesses at codes."""
    from allauth.core import context

    request = context.request
    return request.META.get("REMOTE_ADDR") if request is not None else None


class InvitationCodeForm(forms.Form):
    """One invitation code; with `client` (the request's address), wrong
    guesses from that address are limited."""

    code = forms.CharField(
        label=_("Invitation code"),
        max_length=32,
        help_text=_("The code from your care team, for example K7MQ2HXPRT."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the invitation code from your care team.")
        },
    )

    def __init__(self, *args, client: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_code(self):
        try:
            self.invitation = check_invitation_code(
                self.cleaned_data["code"], client=self.client
            )
        except InvitationError as error:
            raise forms.ValidationError(str(error)) from None
        return self.invitation.code


class JoinRequestForm(forms.Form):
    pathway = forms.ModelChoiceField(
        label=_("Community"), queryset=Pathway.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label=_("Anything the care team should know"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = joinable_pathways()


class CreateInvitationsForm(forms.Form):
    role = forms.ChoiceField(label=_("They will join as"))
    count = forms.IntegerField(
        label=_("How many invitations"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_(
            "More than one makes a batch, e.g. for a waiting list, with a CSV of codes."
        ),
        error_messages={
            "min_value": _("Create at least 1 invitation."),
            "max_value": _("Create up to 500 invitations at a time."),
            "invalid": _("Enter a number, for example 1 or 20."),
        },
    )
    days = forms.IntegerField(
        label=_("Days before they expire"),
        min_value=1,
        max_value=90,
        initial=14,
        error_messages={
            "min_value": _("Invitations last at least 1 day."),
            "max_value": _("Invitations can last up to 90 days."),
            "invalid": _("Enter a number of days, for example 14."),
        },
    )
    note = forms.CharField(
        label=_("Note for the care team"),
        required=False,
        max_length=120,
        help_text=_("Never a name or NHS number: for example 'March waiting list'."),
    )

    def __init__(self, *args, roles: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)  # noqa: S101 - declared above
        role.choices = [(r, Role(r).label) for r in roles]


class PathwaySettingsForm(forms.ModelForm):
    rule_packs = forms.MultipleChoiceField(
        label=_("Rule packs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    class Meta:
        model = Pathway
        fields = [
            "name",
            "description",
            "premoderation_threshold",
            "rule_packs",
            "watched_words",
            "minimum_age",
            "direct_messages_allowed",
            "allow_join_requests",
            "support_chat_opens",
            "support_chat_closes",
            "reports_to_hide",
            "alert_acknowledge_minutes",
            "urgent_acknowledge_minutes",
            "out_of_hours_email",
            "out_of_hours_phone",
            "hold_all_when_unstaffed",
            "easy_read_by_default",
        ]
        widgets = {
            "support_chat_opens": forms.TimeInput(attrs={"type": "time"}),
            "support_chat_closes": forms.TimeInput(attrs={"type": "time"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "watched_words": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        from community.models import RulePack

        super().__init__(*args, **kwargs)
        self.fields["rule_packs"].choices = RulePack.choices


# Easy read ---------------------------------------------------------------------


class EasyReadForm(forms.Form):
    """A member turns easy read on or off (community.actions.do_set_easy_read).
    `next` brings them back to the page whose quick toggle they used."""

    easy_read = forms.ChoiceField(
        label=_("Easy read"),
        help_text=_(
            "Easy read uses bigger text and buttons, short sentences and common "
            "words, pictures beside the main buttons, and a button that reads the "
            "page out loud."
        ),
        choices=[
            ("on", _("On: easy read")),
            ("off", _("Off: the usual pages")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose on or off."),
            "invalid_choice": _("Choose on or off."),
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    # What nhs_field shows instead when easy read is on (decision 0030).
    easy_wording = {
        "easy_read": (
            _("Easy read"),
            _("Easy read has big words, pictures and short sentences."),
        ),
    }


# Forums ------------------------------------------------------------------------


class TopicForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={
            "required": _("Give your topic a title."),
            "max_length": _("Please keep the title to 120 characters or fewer."),
        },
    )
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        error_messages={
            "required": _("Write your message first."),
            "max_length": _("Please keep it to 10,000 characters or fewer."),
        },
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={
            "required": _("Write your reply first."),
            "max_length": _("Please keep it to 10,000 characters or fewer."),
        },
    )

    easy_wording = {
        "body": (_("Write your answer here"), _("Other people will read it.")),
    }


def show_submission_errors(form: forms.Form, submission) -> None:
    """Put the safety pipeline's requests to rewrite beside their fields; the
    person's text stays in the form. A form whose field has another name than
    the pipeline's says so in `pipeline_fields` (a present's `note` is checked
    as `body`); a name the form lacks goes above the form, never to a 500."""
    renamed = getattr(form, "pipeline_fields", {})
    for name, messages in submission.errors().items():
        field = renamed.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def posted(request):
    """The form data of a POST (even an empty one, so it is validated and its
    errors shown), or None for a GET."""
    return request.POST if request.method == "POST" else None
