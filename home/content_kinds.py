"""Comments join the safety mechanism as a kind of member content."""

from django.utils.translation import gettext_lazy as _

from community.safety.registry import register

from .page_comments import PageComment


def comment_url(comment: PageComment) -> str:
    return f"{comment.content_object.url}#comment-{comment.pk}"


register(
    PageComment,
    name="comment",
    label=_("comment"),
    url=comment_url,
    text=lambda comment: comment.comment,
    author_field="user",
    body_field="comment",
)
