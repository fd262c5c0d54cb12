"""Forms for reporting, moderating, the duty rota, blocks and mute words, and
risk phrases. They check shape; the wing's modules check the rules.

Also the submission gate's answer on any form of member text
(`submit_member_text`): every entry that takes member text (forums, walls,
comments, chat) shows it the same way."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.actions import SafetyError
from community.models import User
from community.moderation.models import (
    LABEL_REASONS,
    Decision,
    LabelDecision,
    LabelReason,
    ReportReason,
    SanctionKind,
)
from community.safety.models import RiskCategory
from community.web.forms import show_submission_errors


def tell_author(request, submission) -> None:
    """What the author sees at once: when risk is stated, one crisis card
    (its words and the crisis contacts, rendered by base.html); then the
    pipeline's calm notices (held for checking, ...) as ordinary messages."""
    verdict = submission.verdict
    if verdict.show_crisis_contacts:
        messages.info(request, verdict.crisis_message, extra_tags="crisis")
    for text in verdict.messages:
        messages.info(request, text)
    if not verdict.messages:
        messages.success(request, gettext("Posted."))


def submit_member_text(request, form, submit):
    """Run `submit(cleaned_data)` for a valid posted form. Returns the stored
    submission (the author has been told what happened), or None when the
    form must be shown again: invalid, refused, or asked to be rewritten,
    with the person's text kept and the reason beside the field."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        submission = submit(form.cleaned_data)
    except SafetyError as error:
        form.add_error(None, str(error))
        return None
    if submission.needs_rewrite:
        show_submission_errors(form, submission)
        return None
    tell_author(request, submission)
    return submission


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    detail = forms.CharField(
        label=_("Anything else a moderator should know"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the community's moderators see this."),
        error_messages={"max_length": _("Please keep it to 1,000 characters.")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("What should happen to the post?"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what should happen to the post.")},
    )
    edited_text = forms.CharField(
        label=_("Edited text (if you edit part of it out)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sanction = forms.ChoiceField(
        label=_("And for the author"),
        choices=[("", _("Nothing more"))] + list(SanctionKind.choices),
        required=False,
        widget=forms.RadioSelect,
    )
    mute_hours = forms.IntegerField(
        label=_("Mute for how many hours"),
        min_value=1,
        max_value=720,
        initial=24,
        required=False,
    )
    note = forms.CharField(
        label=_("Why (kept in the audit log, not shown to the member)"),
        required=False,
        max_length=500,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == Decision.EDIT_OUT
            and not data.get("edited_text", "").strip()
        ):
            self.add_error(
                "edited_text", _("Give the edited text, or choose to hide the post.")
            )
        return data


class AlertNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Add a note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you did, who you contacted."),
        error_messages={"required": _("Write the note first.")},
    )


class LabelForm(forms.Form):
    """Staff say whether what risk detection found is a real sign, and why.
    The queue's one-tap clear posts `not_a_risk` with the reason on the
    button pressed."""

    decision = forms.ChoiceField(
        label=_("Is it a sign of risk?"),
        choices=LabelDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether it is a sign of risk."),
            "invalid_choice": _("Choose whether it is a sign of risk."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=LabelReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a reason, so Harbour can learn from it."),
            "invalid_choice": _("Choose one of the reasons given."),
        },
    )

    def clean(self):
        data = super().clean()
        decision, reason = data.get("decision"), data.get("reason")
        if decision and reason and reason not in LABEL_REASONS[decision]:
            self.add_error(
                "reason",
                _("That reason doesn't fit this choice; please choose another."),
            )
        return data


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ShiftForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Who"),
        queryset=User.objects.none(),
        error_messages={"required": _("Choose who is on duty.")},
    )
    starts_at = forms.DateTimeField(
        label=_("From"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Enter when the shift starts.")},
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Enter when the shift ends.")},
    )
    position = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        max_value=9,
        initial=1,
        help_text=_("1 is alerted first; if they do not acknowledge, 2; and so on."),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
        self.fields["user"].label_from_instance = lambda u: u.display_name
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["starts_at"].initial = now
        self.fields["ends_at"].initial = now + timezone.timedelta(hours=8)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return data


class MuteWordForm(forms.Form):
    word = forms.CharField(
        label=_("A word or phrase you'd rather not see"),
        max_length=60,
        error_messages={
            "required": _("Type a word or phrase."),
            "max_length": _("Please keep it to 60 characters or fewer."),
        },
    )


class RiskPhraseForm(forms.Form):
    phrase = forms.CharField(
        label=_("Phrase"),
        max_length=120,
        help_text=_("As people write it. Spelling, spacing and capitals are folded."),
        error_messages={"required": _("Type the phrase.")},
    )
    category = forms.ChoiceField(
        label=_("It is a sign of"),
        choices=RiskCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the phrase is a sign of.")},
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[(c, n) for c, n in settings.LANGUAGES]
    )
