"""The survey's form: a five-point answer and an optional comment. It checks
shape; the actions check the rules and the safety pipeline the words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.survey.models import QUESTION, Agreement

COMMENT_MAX = 2000


class SurveyForm(forms.Form):
    # The pipeline judges the comment as `body`, as every kind of member text.
    pipeline_fields = {"body": "comment"}

    score = forms.TypedChoiceField(
        label=QUESTION,
        choices=Agreement.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose the answer closest to how you feel, or press “Not now”."
            ),
            "invalid_choice": _("Choose one of the five answers."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to add"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Other members never see it. Like everything written here, it is "
            "checked for signs that you might need help."
        ),
        error_messages={"max_length": _("Please keep it to 2,000 characters.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        # Ids of their own: the question sits at the foot of pages with forms.
        kwargs.setdefault("auto_id", "survey-%s")
        super().__init__(*args, **kwargs)
