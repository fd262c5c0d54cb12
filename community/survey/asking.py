"""When the survey is asked: on a pathway's pages, at most once every
`settings.HARBOUR_SURVEY_EVERY_WEEKS` weeks per person (answering or "Not now"
count as asked), never after "Don't ask me again", never within a day of a
risk alert raised on what the person wrote (every crisis card is shown with
one: see docs/decisions/0027-helpfulness-survey.md), never to staff of that
pathway, a site administrator, a member whose posting is paused, or a person
with no pathway, and not in a member's first two weeks (too soon to say).

The page frame asks `Prompt(user).due_in` only on a pathway's pages. A "not
now" answer (the common case) is remembered in the cache for up to an hour,
so most pages ask the database nothing; "due" is never remembered, so a risk
alert takes the question away at once."""

from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from community.models import STAFF_ROLES, Membership, MembershipStatus, User
from community.moderation.models import RiskAlert
from community.survey.forms import SurveyForm
from community.survey.models import SurveyAnswer, SurveyPrompt

QUIET_AFTER_RISK = timedelta(days=1)
FIRST_ASK_AFTER = timedelta(days=14)
REMEMBER_QUIET_FOR = timedelta(hours=1)


def every() -> timedelta:
    """The shortest time between two askings of one person."""
    return timedelta(weeks=settings.HARBOUR_SURVEY_EVERY_WEEKS)


def quiet_key(user_id: int) -> str:
    """The cache key under which a "not due" for person `user_id` is
    remembered (an operator, or a test of the deployed stack, may delete it
    to have the question decided again at once)."""
    return f"survey:quiet:{user_id}"


def due_pathways(user: User, now: datetime | None = None) -> frozenset[int]:
    """The ids of the pathways whose pages ask `user` the question now (at
    most three queries, none while a recent "not due" is remembered)."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return frozenset()
    now = now or timezone.now()
    key = quiet_key(user.pk)
    quiet_until = cache.get(key)
    if quiet_until is not None and quiet_until > now:
        return frozenset()
    due, next_chance = _decide(user, now)
    if not due:
        until = min(next_chance or now + REMEMBER_QUIET_FOR, now + REMEMBER_QUIET_FOR)
        cache.set(key, until, timeout=int((until - now).total_seconds()) + 1)
    return due


def _decide(user: User, now: datetime) -> tuple[frozenset[int], datetime | None]:
    """Where `user` is asked now, and, when nowhere, the earliest time that
    may change (None: not by time alone)."""
    prompt = SurveyPrompt.objects.filter(user=user).first()
    if prompt is not None and prompt.stopped_at is not None:
        return frozenset(), None
    if prompt is not None and prompt.last_asked_at is not None:
        next_ask = prompt.last_asked_at + every()
        if next_ask > now:
            return frozenset(), next_ask
    last_alert = (
        RiskAlert.objects.filter(author=user, created_at__gt=now - QUIET_AFTER_RISK)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last_alert is not None:
        return frozenset(), last_alert + QUIET_AFTER_RISK
    rows = (
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)
        .exclude(role__in=STAFF_ROLES)
        .values_list("pathway_id", "joined_at", "muted_until")
    )
    due = set()
    later = []
    for pathway_id, joined_at, muted_until in rows:
        ready_at = max(joined_at + FIRST_ASK_AFTER, muted_until or joined_at)
        if ready_at <= now:
            due.add(pathway_id)
        else:
            later.append(ready_at)
    return frozenset(due), min(later, default=None)


def answered_recently(user: User, now: datetime | None = None) -> bool:
    """True if `user` has answered within the period (anywhere)."""
    now = now or timezone.now()
    return SurveyAnswer.objects.filter(
        user=user, answered_at__gt=now - every()
    ).exists()


class Prompt:
    """What the page frame needs to ask the question: built for every page
    at no cost (community/web/context_processors.py); `due_in` is worked out
    only when a pathway's page looks at it."""

    def __init__(self, user: User | None) -> None:
        self.user = user

    @cached_property
    def due_in(self) -> frozenset[int]:
        if self.user is None:
            return frozenset()
        return due_pathways(self.user)

    @cached_property
    def form(self) -> SurveyForm:
        return SurveyForm()
