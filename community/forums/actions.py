"""Business rules for forums: starting topics and replying. Every text takes
the submission road (community.moderation.submission.submit_content): nothing
is stored when the author is asked to rewrite."""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.text import slugify

from community.audit import audit
from community.forums.models import Forum, Reply, Topic
from community.models import STAFF_ROLES, ContentStatus, Membership, Pathway, User
from community.moderation.submission import Submission, submit_content
from community.social.actions import check_can_reply


def do_start_topic(
    user: User, forum: Forum, title: str, body: str, language: str = "en"
) -> Submission:
    """`user` (an active member of the forum's pathway, per the access layer)
    starts a topic. Returns the submission: on a rewrite nothing is stored and
    `submission.errors()` says what to change; else `submission.obj` is the
    topic, published or held. Raises Refused while the author is muted."""
    return submit_content(
        user,
        forum.pathway,
        {"title": title, "body": body},
        lambda submission: Topic(
            forum=forum,
            pathway=forum.pathway,
            author=user,
            title=submission.clean["title"][:120],
            body=submission.clean["body"],
        ),
        language=language,
    )


def do_reply(user: User, topic: Topic, body: str, language: str = "en") -> Submission:
    """`user` replies to `topic` (which they may see). As do_start_topic; a
    locked topic refuses (Refused). Followers of the topic hear of a
    published reply, and people mentioned in it."""
    check_can_reply(topic)
    return submit_content(
        user,
        topic.pathway,
        {"body": body},
        lambda submission: Reply(
            topic=topic,
            pathway=topic.pathway,
            author=user,
            body=submission.clean["body"],
        ),
        language=language,
    )


def do_create_forum(
    actor: User | None, pathway: Pathway, name: str, description: str = ""
) -> Forum:
    """A service lead (or the demo loader) adds a forum to a pathway."""
    base = slugify(name)[:50] or "forum"
    slug, n = base, 1
    while Forum.objects.filter(pathway=pathway, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        forum = Forum.objects.create(
            pathway=pathway,
            slug=slug,
            name=name,
            description=description,
            position=Forum.objects.filter(pathway=pathway).count(),
        )
        audit(actor, "forum.created", pathway=pathway, target=forum)
    return forum


def refresh_first_replies(topics: QuerySet[Topic]) -> int:
    """Set each of `topics`' first-reply times from its replies, in one
    UPDATE. The rule: the first reply is the earliest *published* reply
    written by someone other than the topic's author, in the topic's
    pathway, at the time it was written. A held reply counts once a
    moderator approves it (still at the time it was written); a reply
    hidden by reports, by a moderator or by erasure, or deleted, stops
    counting and the next one takes its place. `first_staff_reply_at` is
    by someone who holds a care-team role in the pathway now (any
    status), `first_member_reply_at` by anyone else. Returns the number of
    topics updated. Idempotent: the same replies give the same times."""
    visible = (
        Reply.objects.filter(
            topic=OuterRef("pk"),
            pathway=OuterRef("pathway"),
            status=ContentStatus.PUBLISHED,
        )
        .exclude(author=OuterRef("author"))
        .order_by("created_at")
    )
    staff = Membership.objects.filter(
        user=OuterRef("author"), pathway=OuterRef("pathway"), role__in=STAFF_ROLES
    )
    return topics.order_by().update(
        first_member_reply_at=Subquery(
            visible.filter(~Exists(staff)).values("created_at")[:1]
        ),
        first_staff_reply_at=Subquery(
            visible.filter(Exists(staff)).values("created_at")[:1]
        ),
    )
