"""Business rules for comments on blog posts and videos (django-comments-xtd
threading, the safety pipeline on every comment, follow-up notifications).

Who may comment is the access layer's answer for the page (active members of
its pathway); nothing is anonymous and there is no email confirmation step.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.utils.translation import gettext as _

from community.actions import Refused
from community.models import ContentStatus, User
from community.moderation.submission import Submission, submit_content
from community.notifications.actions import notify_many
from community.permissions import visible_content

from .page_comments import PageComment


def comments_for(user: User, page):
    """The comments on `page` that `user` may read, in thread order, with their
    authors: one query whatever their number."""
    pathway = page.pathway_for_comments
    found = PageComment.objects.filter(
        content_type=ContentType.objects.get_for_model(page.specific_class),
        object_pk=str(page.pk),
    ).select_related("user")
    return visible_content(user, found, pathway).order_by("thread_id", "order")


def do_comment(
    user: User,
    page,
    text: str,
    *,
    parent_id: int | None = None,
    follow: bool = False,
    language: str = "en",
) -> Submission:
    """`user` (an active member of the page's pathway, per the access layer)
    comments on `page`, or replies to one of its top-level comments. The text
    goes through the safety pipeline: on a rewrite nothing is stored; else the
    comment is published or held. Followers of the page and the author of the
    comment replied to hear of a published comment, unless they blocked the
    commenter. Raises Refused while the author is muted or the reply
    target is not on this page."""
    pathway = page.pathway_for_comments
    content_type = ContentType.objects.get_for_model(page.specific_class)
    parent = None
    if parent_id:
        parent = PageComment.objects.filter(
            pk=parent_id,
            content_type=content_type,
            object_pk=str(page.pk),
            status=ContentStatus.PUBLISHED,
            level=0,
        ).first()
        if parent is None:
            raise Refused(_("That comment is no longer there to reply to."))

    def build(submission: Submission) -> PageComment:
        return PageComment(
            content_type=content_type,
            object_pk=str(page.pk),
            site=Site.objects.get_current(),
            user=user,
            user_name=user.display_name,
            user_email=user.email,
            comment=submission.clean["comment"],
            parent_id=parent.pk if parent else 0,
            followup=follow,
            pathway=pathway,
        )

    def then(submission: Submission) -> None:
        comment = submission.obj
        assert isinstance(comment, PageComment)  # noqa: S101 - what build made
        if comment.status == ContentStatus.PUBLISHED:
            _tell_followers(comment, page, parent)

    return submit_content(
        user, pathway, {"comment": text}, build, language=language, then=then
    )


def _tell_followers(comment: PageComment, page, parent) -> None:
    """Follow-up notices for a new published comment: to people following the
    page's comments and to the author of the comment replied to."""
    followers = set(
        PageComment.objects.filter(
            content_type=comment.content_type,
            object_pk=comment.object_pk,
            followup=True,
            status=ContentStatus.PUBLISHED,
        ).values_list("user_id", flat=True)
    )
    if parent is not None:
        followers.add(parent.user_id)
    # notify_many leaves out the commenter and anyone who blocked or muted them.
    notify_many(
        User.objects.filter(pk__in=followers),
        comment.pathway,
        "comment",
        _("%(name)s commented on “%(title)s”.")
        % {"name": comment.user.display_name, "title": page.title},
        f"{page.url}#comment-{comment.pk}",
        actor=comment.user,
    )
