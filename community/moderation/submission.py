"""The one road every kind of member text takes to be stored.

Forum topics and replies, comments, wall messages, present notes, profile
bios, chat messages and an author's edits all arrive here: the entry asks the
access layer and checks what is its own (a locked topic, a closed wall, a
room's rate limit), then calls `submit_content` once. The gate's pieces
(`check_can_post`, `check_texts`, `store_content`) live in `actions.py`, beside
the risk alerts and cases that `store_content` opens.
"""

from collections.abc import Callable, Sequence
from typing import overload

from django.db import transaction

from community.models import MemberContent, Membership, Pathway, User

from .actions import (
    Submission,
    check_can_post,
    check_not_muted,
    check_texts,
    store_content,
)


@overload
def submit_content(
    author: User,
    where: Pathway | Membership,
    fields: dict[str, str],
    build: Callable[[Submission], MemberContent | None],
    *,
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
    language: str = ...,
    optional: frozenset[str] = ...,
    announce: bool = ...,
    before: Callable[[Submission | None], None] | None = ...,
    then: Callable[[Submission], None] | None = ...,
) -> Submission | None: ...


def submit_content(
    author: User,
    where: Pathway | Membership | Sequence[Membership],
    fields: dict[str, str],
    build: Callable[[Submission], MemberContent | None],
    *,
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
    as given.

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
    if isinstance(where, Pathway):
        memberships = [check_can_post(author, where)]
    elif isinstance(where, Membership):
        memberships = [check_not_muted(where)]
    else:
        memberships = list(where)
    submissions = [
        check_texts(membership, fields, language, optional)
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
