"""The one road every kind of member text takes to be stored.

Forum topics and replies, comments, wall messages, present notes, profile
bios, chat messages and an author's edits all arrive here: the entry asks the
access layer and checks what is its own (a locked topic, a closed wall, a
room's rate limit), then calls `submit_content` once. The gate's pieces
(`check_can_post`, `check_texts`, `store_content`) live in `actions.py`, beside
the risk alerts and cases that `store_content` opens.
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import overload

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.actions import Refused
from community.models import (
    ContentStatus,
    MemberContent,
    Membership,
    MembershipStatus,
    Pathway,
    User,
)
from community.moderation.alerts import do_raise_alert
from community.moderation.models import CaseState, ModerationCase
from community.moderation.rota import anyone_on_duty
from community.safety.pipeline import Action, Verdict, overall, run_pipeline_on_fields
from community.safety.registry import ContentKind, Screening, kind_of
from community.safety.risk import Tier


@dataclass
class Submission:
    """The pipeline's answer for one submission, and what was stored."""

    verdicts: dict[str, Verdict]
    verdict: Verdict
    obj: MemberContent | None = None
    clean: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    membership: Membership | None = None
    screening: Screening = Screening.FULL

    @property
    def needs_rewrite(self) -> bool:
        return self.verdict.action == Action.REWRITE

    def errors(self) -> dict[str, list[str]]:
        """Field -> what to change, for showing the form again."""
        return {
            name: verdict.messages
            for name, verdict in self.verdicts.items()
            if verdict.action == Action.REWRITE
        }


def check_can_post(
    user: User, pathway: Pathway, now: datetime | None = None
) -> Membership:
    """The author's active membership of `pathway`; Refused while muted.
    (The caller has already asked the access layer.)"""
    membership = Membership.objects.select_related("pathway").get(
        user=user, pathway=pathway, status=MembershipStatus.ACTIVE
    )
    return check_not_muted(membership, now)


def check_not_muted(membership: Membership, now: datetime | None = None) -> Membership:
    """`membership` (active, found by the access layer) if its member may
    post now; Refused while a moderator has paused their posting."""
    if membership.is_muted(now):
        until = timezone.localtime(membership.muted_until)
        raise Refused(
            _(
                "A moderator has paused your posting in this community until "
                "%(time)s. You can still read, and the contacts under "
                "“Get help now” are always there."
            )
            % {"time": date_format(until, "j F, H:i")}  # month in the reader's language
        )
    return membership


def check_texts(
    membership: Membership | None,
    fields: dict[str, str],
    language: str = "en",
    optional: frozenset[str] = frozenset(),
    screening: Screening = Screening.FULL,
) -> Submission:
    """Run the safety pipeline on each field of a submission by `membership`'s
    member, with the pathway's rules, the author's trust and the rota now.
    Fields named in `optional` may be left blank: a blank one is stored empty
    and not checked; with nothing left to check, the verdict is to publish.
    With `screening` SANITISE_ONLY (a private plan; `membership` None) the
    fields are only sanitised: no pathway's rules or risk apply."""
    blank = {
        name: ""
        for name, text in fields.items()
        if name in optional and not (text or "").strip()
    }
    fields = {name: text for name, text in fields.items() if name not in blank}
    if not fields:
        return Submission(
            verdicts={},
            verdict=Verdict(text="", action=Action.PUBLISH),
            clean=blank,
            language=language,
            membership=membership,
            screening=screening,
        )
    if screening == Screening.SANITISE_ONLY:
        verdicts = run_pipeline_on_fields(
            fields, language=language, screening=screening
        )
    elif membership is None:
        raise ValueError("only a private plan is checked without a membership")
    else:
        pathway = membership.pathway
        verdicts = run_pipeline_on_fields(
            fields,
            pathway=pathway,
            language=language,
            trusted=membership.is_trusted,
            moderator_on_duty=functools.cache(lambda: anyone_on_duty(pathway)),
            hold_when_unstaffed=pathway.hold_all_when_unstaffed,
        )
    return Submission(
        verdicts=verdicts,
        verdict=overall(verdicts),
        clean={**blank, **{name: verdict.text for name, verdict in verdicts.items()}},
        language=language,
        membership=membership,
        screening=screening,
    )


def store_content(
    obj: MemberContent, submission: Submission, *, announce: bool = True
) -> MemberContent:
    """Save `obj` (its text fields already set from `submission.clean`) as the
    verdict says: published or held. Held content, and content with any sign
    of risk, opens a moderation case. By tier (`risk.Tier`): a review marks
    the case "please review" and pages no one (no alert, email, push or
    escalation); an alert raises a risk alert to the on-duty staff; an urgent
    one raises an urgent alert (everyone on duty at once; see `_route`).
    Published content runs its kind's `published` hook (the notices it sends)
    unless `announce` is False (an edit). Runs inside the caller's
    transaction. A submission only sanitised stores only a kind registered
    so (a private plan), and nothing else is ever stored unjudged."""
    verdict = submission.verdict
    if verdict.action == Action.REWRITE:
        raise ValueError("nothing is stored when the author is asked to rewrite")
    kind = kind_of(obj)
    if kind.screening != submission.screening:
        raise ValueError(
            f"a {kind.name} was checked as {submission.screening}, "
            f"but its kind is registered as {kind.screening}"
        )
    obj.status = (
        ContentStatus.HELD if verdict.action == Action.HOLD else ContentStatus.PUBLISHED
    )
    risk = verdict.risk
    tier = verdict.tier
    obj.risk_categories = risk.categories + risk.review
    obj.save()
    if obj.status == ContentStatus.HELD or tier != Tier.NONE:
        case = _open_case(obj, held=obj.status == ContentStatus.HELD)
        case.language = submission.language
        if tier == Tier.REVIEW:
            case.for_review = True
        elif tier != Tier.NONE:
            case.risk = True
        case.save(update_fields=["language", "for_review", "risk"])
        if tier in (Tier.ALERT, Tier.URGENT):
            do_raise_alert(
                case,
                risk.categories,
                urgent=tier == Tier.URGENT,
                kinds=sorted({match.kind for match in risk.imminent}),
            )
    if announce and obj.is_published and kind.published:
        kind.published(obj)
    submission.obj = obj
    return obj


def _open_case(obj: MemberContent, *, held: bool = False) -> ModerationCase:
    """The (locked) moderation case of `obj`, created or reopened."""
    content_type = ContentType.objects.get_for_model(obj)
    case, created = ModerationCase.objects.select_for_update().get_or_create(
        content_type=content_type,
        object_id=obj.pk,
        defaults={
            "pathway": obj.pathway,
            "author": obj.author,
            "held": held,
            "was_held": held,
        },
    )
    if not created and case.state == CaseState.CLOSED:
        case.state = CaseState.OPEN
        case.opened_at = timezone.now()
        case.decision = ""
        case.held = case.was_held = held
        case.save()
    return case


@overload
def submit_content(
    author: User,
    where: Pathway | Membership | None,
    fields: dict[str, str],
    build: Callable[[Submission], MemberContent | None],
    *,
    private: ContentKind | None = ...,
    language: str = ...,
    optional: frozenset[str] = ...,
    announce: bool = ...,
    before: Callable[[Submission | None], None] | None = ...,
    then: Callable[[Submission], None] | None = ...,
) -> Submission: ...


@overload
def submit_content(
    author: User,
    where: Sequence[Membership],
    fields: dict[str, str],
    build: Callable[[Submission], MemberContent | None],
    *,
    private: ContentKind | None = ...,
    language: str = ...,
    optional: frozenset[str] = ...,
    announce: bool = ...,
    before: Callable[[Submission | None], None] | None = ...,
    then: Callable[[Submission], None] | None = ...,
) -> Submission | None: ...


def submit_content(
    author: User,
    where: Pathway | Membership | Sequence[Membership] | None,
    fields: dict[str, str],
    build: Callable[[Submission], MemberContent | None],
    *,
    private: ContentKind | None = None,
    language: str = "en",
    optional: frozenset[str] = frozenset(),
    announce: bool = True,
    before: Callable[[Submission | None], None] | None = None,
    then: Callable[[Submission], None] | None = None,
) -> Submission | None:
    """`author` submits `fields` (name -> text) to be stored as member content.

    Who may call it: an action whose caller has already asked the access layer
    for everything `build` uses, and has made the checks of its own kind.

    `where` says whose rules apply. A pathway: the author's active membership
    of it is looked up and refused (`Refused`) while a moderator has paused
    their posting. A membership the caller already holds (chat's room): only
    the pause is checked. A list of memberships (a bio stored once per
    pathway): each pathway's pipeline judges the texts, and the list is taken
    as given. None, with `private`: a kind registered
    `Screening.SANITISE_ONLY` (a member's own safety plan, which names risk
    on purpose and nobody else reads but whom they share it with): its texts
    are only sanitised, never judged against a pathway's rules or for risk,
    never held, never a case or an alert, and a posting pause does not apply
    (it keeps a person from others, not from their own plan). `store_content`
    refuses any other kind from such a submission.

    The safety pipeline (`check_texts`) judges every field first; fields named
    in `optional` may be blank. When any pathway asks for a rewrite, nothing is
    stored and that submission is returned: `submission.errors()` says what to
    change. Otherwise, in one transaction: `before` (given the first
    submission, or None with no membership) writes what is not member text;
    then for each submission `build` makes the unsaved row from
    `submission.clean` and `submission.membership` (or None: nothing to store
    in that pathway), `store_content` saves it published or held, opening a
    moderation case and raising any risk alert (locking the case row), and
    `then` (given the submission, `submission.obj` stored) does what must
    happen in the same transaction, such as queuing events on commit.

    Who hears of it: with `announce`, a published row runs its kind's
    `published` hook (the notices of `community.safety.registry`); pass
    `announce=False` for an edit, or when `then` announces it itself.
    Returns the first submission (`submission.obj` is what was stored), or
    None when given an empty list of memberships.
    """
    screening = Screening.FULL
    memberships: list[Membership | None]
    if private is not None or where is None:
        if private is None or where is not None:
            raise ValueError("only a private kind is submitted without a pathway")
        if private.screening != Screening.SANITISE_ONLY:
            raise ValueError(f"{private.name} is not registered as a private plan")
        screening = private.screening
        memberships = [None]
    elif isinstance(where, Pathway):
        memberships = [check_can_post(author, where)]
    elif isinstance(where, Membership):
        memberships = [check_not_muted(where)]
    else:
        memberships = list(where)
    submissions = [
        check_texts(membership, fields, language, optional, screening)
        for membership in memberships
    ]
    for submission in submissions:
        if submission.needs_rewrite:
            return submission
    first = submissions[0] if submissions else None
    with transaction.atomic():
        if before is not None:
            before(first)
        for submission in submissions:
            obj = build(submission)
            if obj is None:
                continue
            store_content(obj, submission, announce=announce)
            if then is not None:
                then(submission)
    return first
