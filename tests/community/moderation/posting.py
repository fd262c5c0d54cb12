"""What the moderation wing's tests post: a topic through the forums' road,
one stored as the pipeline would with a given risk, and a moderator."""

from community.forums import actions as forums
from community.forums.models import Topic
from community.models import Role
from community.moderation.submission import Submission, store_content
from tests.factories import (
    make_forum,
    make_member,
    make_trusted,
    membership,
)


def post(pathway, text="An ordinary day", author=None, title="Hello"):
    author = author or make_trusted(pathway)
    forum = pathway.forums.first() or make_forum(pathway)
    return forums.do_start_topic(author, forum, title, text).obj


def moderator_of(pathway, role=Role.CLINICIAN):
    return membership(make_member(pathway, role), pathway)


def stored(
    pathway,
    text="Some words of mine",
    *,
    review=(),
    categories=(),
    imminent=(),
    held=False,
    author=None,
    language="en",
):
    """A topic stored as the pipeline would with this risk, whatever the
    detector says of `text` today: these tests are about what follows a tier."""
    from django.db import transaction

    from community.safety.pipeline import Action, Verdict
    from community.safety.risk import ImminentMatch, RiskResult

    author = author or make_trusted(pathway)
    forum = pathway.forums.first() or make_forum(pathway)
    found = {category for category, _kind in imminent} | set(categories)
    risk = RiskResult(
        scores=dict.fromkeys(found, 1.0),
        review=list(review),
        imminent=[ImminentMatch(c, kind, "x") for c, kind in imminent],
    )
    held = held or bool(imminent)
    verdict = Verdict(
        text=text, action=Action.HOLD if held else Action.PUBLISH, risk=risk
    )
    submission = Submission(
        verdicts={"body": verdict},
        verdict=verdict,
        clean={"title": "Hi", "body": text},
        language=language,
    )
    with transaction.atomic():
        topic = Topic(
            forum=forum, pathway=pathway, author=author, title="Hi", body=text
        )
        return store_content(topic, submission)
