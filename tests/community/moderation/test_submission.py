"""The submission road: one call pauses, judges, builds and stores member text
for every kind of content."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community import actions
from community.actions import Refused, SafetyError
from community.forums.models import Topic
from community.models import ContentStatus, Membership, Role
from community.moderation.submission import submit_content
from tests.factories import make_forum, make_trusted

pytestmark = pytest.mark.django_db


def topic_in(forum, author):
    def build(submission):
        return Topic(
            forum=forum,
            pathway=forum.pathway,
            author=author,
            title=submission.clean["title"],
            body=submission.clean["body"],
        )

    return build


def test_a_pathway_stores_the_built_row_and_runs_then_in_the_transaction(pathway):
    forum, author = make_forum(pathway), make_trusted(pathway)
    seen = []
    submission = submit_content(
        author,
        pathway,
        {"title": "Hi", "body": "A <b>good</b> day"},
        topic_in(forum, author),
        then=lambda s: seen.append(s.obj.pk),
    )
    assert submission.obj.status == ContentStatus.PUBLISHED
    assert submission.obj.body == "A good day"
    assert submission.membership.user == author
    assert seen == [submission.obj.pk]


def test_a_paused_author_is_refused_and_nothing_is_built(pathway):
    forum, author = make_forum(pathway), make_trusted(pathway)
    Membership.objects.filter(user=author).update(
        muted_until=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(Refused):
        submit_content(
            author, pathway, {"title": "Hi", "body": "Hello"}, topic_in(forum, author)
        )
    assert not Topic.objects.exists()
    assert issubclass(Refused, SafetyError)


def test_a_rewrite_in_any_pathway_builds_nothing_anywhere(pathway, other_pathway):
    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    author = make_trusted(pathway)
    actions.do_add_membership(author, other_pathway, Role.MEMBER)
    memberships = Membership.objects.filter(user=author).select_related("pathway")
    before = []
    submission = submit_content(
        author,
        list(memberships.order_by("pk")),
        {"body": "I was 7 stone"},
        lambda s: pytest.fail("nothing is built on a rewrite"),
        before=before.append,
    )
    assert submission.needs_rewrite and before == []


def test_no_membership_still_runs_before_and_returns_none(pathway):
    author = make_trusted(pathway)
    before = []
    assert submit_content(author, [], {"body": "x"}, None, before=before.append) is None
    assert before == [None]


def test_the_pause_notice_names_the_month_in_the_readers_language(pathway):
    from datetime import datetime

    from django.utils import translation

    from community.moderation.submission import check_not_muted

    author = make_trusted(pathway)
    membership = Membership.objects.get(user=author, pathway=pathway)
    membership.muted_until = timezone.make_aware(datetime(2099, 12, 3, 14, 30))
    with translation.override("cy"), pytest.raises(Refused, match="3 Rhagfyr, 14:30"):
        check_not_muted(membership)
    with translation.override("en"), pytest.raises(Refused, match="3 December, 14:30"):
        check_not_muted(membership)
