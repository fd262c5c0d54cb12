"""Business rules for forums: starting topics and replying. Every text takes
the submission road (community.moderation.submission.submit_content): nothing
is stored when the author is asked to rewrite."""

from django.db import transaction
from django.utils.text import slugify

from community.audit import audit
from community.forums.models import Forum, Reply, Topic
from community.models import Pathway, User
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
