"""The safety plan's forms: one step's words, the clinician to share with,
and keeping it offline. They check shape; the actions check the rules and
the submission road sanitises the words."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from community.models import Membership
from community.safetyplan.models import STEP_MAX_LENGTH


class StepForm(forms.Form):
    """One step, as one box with one thing a line: on a phone, typing lines
    in one box is easier than adding rows one by one, and it works without
    scripts."""

    body = forms.CharField(
        required=False,
        max_length=STEP_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
        help_text=_(
            "Write one thing on each line. A few words are enough, and you "
            "can change it whenever you like. Leave it empty to take the step "
            "off your plan."
        ),
        error_messages={"max_length": _("Please keep each step to 3,000 characters.")},
    )

    def __init__(self, *args, label: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class ClinicianChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.display_name} ({obj.pathway.name})"


class ShareForm(forms.Form):
    """Which one clinician reads the plan (chosen from those the access
    layer offers)."""

    clinician = ClinicianChoice(
        queryset=Membership.objects.none(),
        label=_("Clinician"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the clinician you would like to share it with."),
            "invalid_choice": _(
                "Choose one of the clinicians listed. If yours is not there, "
                "ask them about it next time you speak."
            ),
        },
    )

    def __init__(self, *args, choices: QuerySet[Membership], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinician"]
        assert isinstance(field, ClinicianChoice)  # noqa: S101 - declared above
        field.queryset = choices
