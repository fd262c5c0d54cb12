"""The comment form on blog posts and videos and `comment_on`, which the pages
run for a posted comment (the safety pipeline's requests to rewrite come back
as errors beside the field, with the text kept), and the document form
Wagtail's admin uploads with."""

from django import forms
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from community.moderation.forms import submit_member_text

from .comments import do_comment
from .media import DOCUMENT_EXTENSIONS, document_matches_extension


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


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form (WAGTAILDOCS_DOCUMENT_FORM_BASE, for single and
    multiple uploads): WAGTAILDOCS_EXTENSIONS checks the name; this checks
    that the content is what the name says (home.media)."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or not hasattr(upload, "content_type"):
            return upload  # no new file (an edit that keeps the old one)
        extension = upload.name.rsplit(".", 1)[-1] if "." in upload.name else ""
        if extension.lower() not in DOCUMENT_EXTENSIONS:
            raise forms.ValidationError(
                _("Documents can be: %(kinds)s.")
                % {"kinds": ", ".join(DOCUMENT_EXTENSIONS)}
            )
        if not document_matches_extension(upload, extension):
            raise forms.ValidationError(
                _(
                    "This file isn't what its name says (.%(ext)s). Save it again "
                    "from the program that made it, or choose another."
                )
                % {"ext": extension.lower()}
            )
        return upload


def comment_on(page, request):
    """A comment posted to `page` (already access-checked when Wagtail served
    it): a redirect to the new comment, or the bound form to show again with
    its errors and the person's text."""
    form = CommentForm(request.POST)
    submission = submit_member_text(
        request,
        form,
        lambda data: do_comment(
            request.user,
            page,
            data["comment"],
            parent_id=data["parent"],
            follow=data["follow"],
            language=get_language(),
        ),
    )
    if submission is None:
        return form
    return redirect(f"{page.url}#comment-{submission.obj.pk}")
