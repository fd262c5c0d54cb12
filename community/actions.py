"""Business rules for pathways, memberships, invitations and join requests.

`check_*` validates and asks the access layer; `do_*` writes inside one
transaction and leaves one audit row for every staff action.
"""

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.users.models import UserProfile

from community.audit import audit
from community.inputs import with_id
from community.models import (
    STAFF_ROLES,
    Block,
    Invitation,
    JoinRequest,
    Membership,
    MembershipStatus,
    Mute,
    MuteWord,
    Pathway,
    PathwayGroup,
    Role,
    User,
    names,
    validate_display_name,
)
from community.permissions import forget_mute_words, invitable_roles
from community.safety.sanitise import sanitise

# What the safety mechanism says when it will not do what was asked.
#
# Two kinds, under one base so a view that only shows the message catches
# `SafetyError` and stays right for both:
# - `Refused`: the rules or the present state refuse the request, whatever was
#   typed (a moderator paused the author, the topic is locked, the person
#   blocked them, a limit is used up, the thing has gone).
# - `InvalidInput`: the request itself is not one we take (a choice not among
#   those shown, a blank or over-long field); asking again with other input can
#   succeed.
# `str(error)` is kind and clear, ready to show the person who asked.


class SafetyError(Exception):
    """A request the safety mechanism does not carry out; see the subclasses."""


class Refused(SafetyError):
    """The rules or the present state refuse this request."""


class InvalidInput(SafetyError):
    """The request's input is not one of those we take."""


class InvitationError(Exception):
    """An invitation code that cannot be used; `str(error)` is kind and clear."""


# Pathways -------------------------------------------------------------------


def do_create_pathway(
    *, slug: str, name: str, actor: User | None = None, **fields: Any
) -> Pathway:
    """Create a pathway and audit it, in one transaction; `actor` is the site
    administrator (None for code). Saving it makes its Wagtail side inside
    the same transaction (home.signals: landing page, privacy, permissions,
    collection, workflow), so a failure there creates nothing."""
    with transaction.atomic():
        pathway = Pathway.objects.create(slug=slug, name=name, **fields)
        audit(actor, "pathway.create", pathway=pathway, target=pathway)
    return pathway


def ensure_pathway_groups(pathway: Pathway) -> dict[str, Group]:
    """The pathway's Django group for each role, created when missing."""
    existing = {
        pg.role: pg.group
        for pg in PathwayGroup.objects.filter(pathway=pathway).select_related("group")
    }
    for role in Role:
        if role not in existing:
            group = Group.objects.create(
                name=f"{pathway.name} · {role.label} ({pathway.pk})"
            )
            PathwayGroup.objects.create(pathway=pathway, role=role, group=group)
            existing[role] = group
    return existing


def sync_membership_groups(user: User, pathway: Pathway) -> None:
    """Put `user` in exactly the group of their active role in `pathway` (or in
    none of its groups if they have no active membership there)."""
    membership = Membership.objects.filter(user=user, pathway=pathway).first()
    pathway_groups = PathwayGroup.objects.filter(pathway=pathway).select_related(
        "group"
    )
    wanted = {
        pg.group
        for pg in pathway_groups
        if membership is not None
        and membership.status == MembershipStatus.ACTIVE
        and pg.role == membership.role
    }
    user.groups.remove(*[pg.group for pg in pathway_groups if pg.group not in wanted])
    user.groups.add(*wanted)


def do_update_pathway_settings(
    actor: User, pathway: Pathway, changed: list[str]
) -> None:
    """Save settings a service lead changed; `pathway` already holds new values."""
    with transaction.atomic():
        pathway.save()
        audit(
            actor, "pathway.settings", pathway=pathway, target=pathway, fields=changed
        )


# Memberships ----------------------------------------------------------------


def do_add_membership(
    user: User,
    pathway: Pathway,
    role: str,
    *,
    status: str = MembershipStatus.ACTIVE,
    invited_by: User | None = None,
) -> Membership:
    """Add `user` to `pathway` in `role`, or change their existing membership to
    `role`/`status`. Groups follow through community.signals."""
    membership, created = Membership.objects.get_or_create(
        user=user,
        pathway=pathway,
        defaults={"role": role, "status": status, "invited_by": invited_by},
    )
    if not created and (membership.role, membership.status) != (role, status):
        membership.role = role
        membership.status = status
        membership.save(update_fields=["role", "status"])
    apply_easy_read_default(user, pathway, role)
    return membership


def apply_easy_read_default(user: User, pathway: Pathway, role: str) -> None:
    """Turn easy read on for `user`, a member or carer joining `pathway`
    whose lead made it the default, unless they have chosen for themselves
    (`do_set_easy_read`). Staff keep the standard wording: they moderate and
    answer in it. Never turns easy read off."""
    if (
        pathway.easy_read_by_default
        and role not in STAFF_ROLES
        and not user.easy_read
        and not user.easy_read_chosen
    ):
        user.easy_read = True
        user.save(update_fields=["easy_read"])


# Invitations ----------------------------------------------------------------


def check_invitation_role(membership: Membership, role: str) -> None:
    """InvitationError unless the staff member's role may invite people into
    `role` (INVITABLE_ROLES: clinicians members, carers and peers; leads any
    role). The caller holds `membership` from the access layer; nothing is
    read or locked, and nobody hears of it."""
    if role not in invitable_roles(membership):
        raise InvitationError(_("You can't invite people in that role."))


def do_create_invitations(
    membership: Membership,
    *,
    role: str,
    count: int = 1,
    days: int | None = None,
    note: str = "",
) -> list[Invitation]:
    """Create `count` single-use invitations to the staff member's pathway.

    Caller: a view that obtained `membership` from access_pathway_capability(INVITE).
    A batch (count > 1) shares one batch id so its codes can be exported together.
    """
    check_invitation_role(membership, role)
    if not 1 <= count <= 500:
        raise InvitationError(_("Create between 1 and 500 invitations at a time."))
    days = days or settings.HARBOUR_INVITATION_DAYS
    expires = timezone.now() + timedelta(days=days)
    batch = uuid.uuid4() if count > 1 else None
    with transaction.atomic():
        invitations = Invitation.objects.bulk_create(
            [
                Invitation(
                    pathway=membership.pathway,
                    role=role,
                    created_by=membership.user,
                    expires_at=expires,
                    batch=batch,
                    note=note,
                )
                for _ in range(count)
            ]
        )
        audit(
            membership.user,
            "invitation.create",
            pathway=membership.pathway,
            role=role,
            count=count,
            batch=str(batch) if batch else "",
            days=days,
        )
    return invitations


# Display names ------------------------------------------------------------------


NAME_TAKEN = gettext_lazy(
    "Someone already uses that name, or one that looks just like it. "
    "Try adding a word or a number."
)


def check_display_name(
    value: str,
    *,
    email: str = "",
    exclude_pk: int | None = None,
    may_claim_role: bool = False,
) -> str:
    """The display name `value` as it will be stored (community.models.names:
    NFKC, no invisible characters, whitespace collapsed), or ValidationError
    with a kind message: too short, contact details, part of `email`,
    letters of scripts mixed so they pass for others ("Dr Аsh" with a
    Cyrillic A), a word claiming a role unless `may_claim_role` (staff, or
    an invitation into a staff role), or the same look as another person's
    name (their skeleton; `exclude_pk` is the person renaming). Every form
    that sets a name calls this; nothing else sets one."""
    value = names.normalise(value)
    if len(value) < 3:
        raise ValidationError(_("Use at least 3 characters."), code="short")
    validate_display_name(value)
    local_part = email.split("@")[0].lower() if email else ""
    if len(local_part) >= 4 and local_part in value.lower().replace(" ", ""):
        raise ValidationError(
            _("Choose a name that isn't part of your email address."), code="email"
        )
    if names.mixes_scripts(value):
        raise ValidationError(
            _(
                "Please use letters from one alphabet: some letters in this name "
                "look like letters of another."
            ),
            code="scripts",
        )
    if not may_claim_role and names.claims_role(value):
        raise ValidationError(
            _(
                "Names can't include words like nurse, doctor, moderator, NHS or "
                "staff, so nobody is mistaken for the care team. The care team "
                "show a badge by their name instead."
            ),
            code="role",
        )
    taken = User.objects.filter(
        Q(display_name_skeleton=names.skeleton(value)[:255])
        | Q(display_name__iexact=value)
    )
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(NAME_TAKEN, code="taken")
    return value


def do_save_display_name(user: User, value: str, *, fields: Sequence[str] = ()) -> None:
    """Store `user`'s display name `value` (already checked) with `fields`.
    Two people can pass the check for look-alike names at the same moment;
    the database's unique skeleton then refuses the second: ValidationError
    "taken" for its form, never a server error."""
    user.display_name = value
    try:
        with transaction.atomic():
            user.save(update_fields=["display_name", *fields])
    except IntegrityError as error:
        raise ValidationError(NAME_TAKEN, code="taken") from error


def do_claim_display_name(
    user: User, wanted: str, *, fields: Sequence[str] = ()
) -> str:
    """At sign-up, store `wanted` as `user`'s name, or, when someone took a
    look-alike in the moment since the form was checked, the first free
    "wanted 2", "wanted 3"... The account is never lost for a name; returns
    the name stored."""
    for n in range(1, 100):
        value = wanted if n == 1 else f"{wanted} {n}"
        try:
            if n > 1:
                value = check_display_name(
                    value, exclude_pk=user.pk, may_claim_role=True
                )
            do_save_display_name(user, value, fields=fields)
            return value
        except ValidationError:
            continue
    raise ValidationError(NAME_TAKEN, code="taken")


def normalise_code(code: str) -> str:
    """Codes are read out over the phone: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


# Every code that cannot be used gets the same words, whether it never
# existed, was used, withdrawn or has expired: telling them apart would tell a
# guesser which codes are real.
UNUSABLE_CODE = gettext_lazy(
    "We couldn't use that invitation code. Check it against the message from "
    "your care team, or ask them for a new one: they can send it straight away."
)
TOO_MANY_GUESSES = gettext_lazy(
    "There have been a lot of tries from here, so we've paused checking codes "
    "for a few minutes. Please wait, then try again, or ask your care team to "
    "send the invitation link."
)
# Wrong codes one client address may try in a window before it is paused.
CODE_GUESSES_PER_ADDRESS = 10
CODE_GUESS_WINDOW_SECONDS = 10 * 60


def _guesses_key(client: str) -> str:
    return f"harbour:invitation-guesses:{client}"


def check_invitation_code(code: str, *, client: str | None = None) -> Invitation:
    """The open invitation with this code, or InvitationError with one message
    for every code that cannot be used. With `client` (the entry's client
    address), wrong codes are counted per address and, past
    CODE_GUESSES_PER_ADDRESS in the window, every code from it is refused
    for a while without being looked up."""
    if client and cache.get(_guesses_key(client), 0) >= CODE_GUESSES_PER_ADDRESS:
        raise InvitationError(str(TOO_MANY_GUESSES))
    code = normalise_code(code)
    invitation = (
        Invitation.objects.select_related("pathway").filter(code=code).first()
        if code
        else None
    )
    if invitation is None or invitation.state != "open":
        if client:
            key = _guesses_key(client)
            cache.add(key, 0, CODE_GUESS_WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, CODE_GUESS_WINDOW_SECONDS)
        raise InvitationError(str(UNUSABLE_CODE))
    return invitation


def check_age_for(pathway: Pathway, user: User) -> None:
    """InvitationError, in kind words, when `pathway` has a minimum age and
    `user` is younger or has given no date of birth. Any caller (the sign-up
    form passes an unsaved user); it reads and locks nothing, and nobody
    hears of it."""
    age = user.age_on(timezone.localdate())
    if pathway.minimum_age and (age is None or age < pathway.minimum_age):
        raise InvitationError(
            _(
                "This community is for people aged %(age)s or over. Your care team "
                "can tell you about support that is right for you."
            )
            % {"age": pathway.minimum_age}
        )


def do_redeem_invitation(user: User, code: str) -> Membership:
    """Use invitation `code` for `user`: lock it, check it is still open, mark it
    used and make (or upgrade) their membership. Raises InvitationError."""
    with transaction.atomic():
        invitation = check_invitation_code(code)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "open":  # used by someone else a moment ago
            raise InvitationError(str(UNUSABLE_CODE))
        pathway = invitation.pathway
        check_age_for(pathway, user)
        current = Membership.objects.filter(user=user, pathway=pathway).first()
        if current and current.status == MembershipStatus.SUSPENDED:
            raise InvitationError(
                _(
                    "Your membership of this community is paused. Please talk to "
                    "your care team."
                )
            )
        invitation.used_by = user
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_by", "used_at"])
        membership = do_add_membership(
            user,
            pathway,
            invitation.role,
            invited_by=invitation.created_by,
        )
        audit(
            user,
            "invitation.redeem",
            pathway=pathway,
            target=invitation,
            role=invitation.role,
        )
    return membership


def do_revoke_invitation(membership: Membership, invitation: Invitation) -> None:
    """A staff member withdraws `invitation`, so its code can no longer be
    used. The caller holds `membership` from access_pathway_capability(INVITE)
    and `invitation` from access_invitation. Stamps it and writes the audit
    row in one transaction, without locking it; nobody is notified."""
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit(
            membership.user,
            "invitation.revoke",
            pathway=membership.pathway,
            target=invitation,
        )


# Join requests --------------------------------------------------------------


def joinable_pathways() -> QuerySet[Pathway]:
    """Pathways that accept requests from people without an invitation."""
    return Pathway.objects.filter(allow_join_requests=True)


def do_request_to_join(user: User, pathway: Pathway, message: str = "") -> JoinRequest:
    """Ask to join `pathway` (which must allow requests). The membership waits
    as pending until a clinician approves."""
    if not pathway.allow_join_requests:
        raise InvitationError(_("This community joins by invitation only."))
    check_age_for(pathway, user)
    with transaction.atomic():
        if Membership.objects.filter(user=user, pathway=pathway).exists():
            raise InvitationError(_("You have already asked to join this community."))
        do_add_membership(user, pathway, Role.MEMBER, status=MembershipStatus.PENDING)
        return JoinRequest.objects.create(user=user, pathway=pathway, message=message)


def do_decide_join_request(
    membership: Membership, join_request: JoinRequest, *, approve: bool
) -> None:
    """A clinician or lead of the request's pathway approves or declines it."""
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.decision != JoinRequest.Decision.WAITING:
            return
        join_request.decision = (
            JoinRequest.Decision.APPROVED if approve else JoinRequest.Decision.DECLINED
        )
        join_request.decided_by = membership.user
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["decision", "decided_by", "decided_at"])
        pending = Membership.objects.filter(
            user=join_request.user,
            pathway=join_request.pathway,
            status=MembershipStatus.PENDING,
        ).first()
        if pending and approve:
            pending.status = MembershipStatus.ACTIVE
            pending.save(update_fields=["status"])
        elif pending:
            pending.delete()
        audit(
            membership.user,
            "join_request.approve" if approve else "join_request.decline",
            pathway=join_request.pathway,
            target=join_request,
        )


# Blocks and mutes: what a member keeps from their own view (blocks, mutes, mute
# words, how content warnings open). Nobody else is told. -----------------------


def do_block(user: User, other: User) -> None:
    """`user` blocks `other` (who is not told)."""
    if user == other:
        raise InvalidInput(_("You can't block yourself."))
    Block.objects.get_or_create(blocker=user, blocked=other)


def do_unblock(user: User, other: User) -> None:
    """`user` lifts their block of `other` (nothing when there was none).
    Only for `user`'s own blocks; `other` is not told, nothing is audited."""
    Block.objects.filter(blocker=user, blocked=other).delete()


def do_mute(user: User, other: User) -> None:
    """`user` stops seeing what `other` writes (who is not told)."""
    if user == other:
        raise InvalidInput(_("You can't mute yourself."))
    Mute.objects.get_or_create(muter=user, muted=other)


def do_unmute(user: User, other: User) -> None:
    """`user` sees what `other` writes again (nothing when not muted). Only
    for `user`'s own mutes; `other` is not told, nothing is audited."""
    Mute.objects.filter(muter=user, muted=other).delete()


MAX_MUTE_WORDS = 100


def do_add_mute_word(user: User, word: str) -> MuteWord:
    """Add a word or phrase the member would rather not see."""
    word = sanitise(word, max_length=1000).strip().lower()
    if not word:
        raise InvalidInput(_("Please type a word or phrase."))
    limit = MuteWord._meta.get_field("word").max_length
    assert limit is not None  # noqa: S101 - a CharField's
    if len(word) > limit:
        raise InvalidInput(_("Please keep it to 60 characters or fewer."))
    if user.mute_words.count() >= MAX_MUTE_WORDS:
        raise Refused(_("You have 100 muted words already; remove one first."))
    found, _created = MuteWord.objects.get_or_create(user=user, word=word)
    forget_mute_words(user)
    return found


def do_remove_mute_word(user: User, pk: object) -> None:
    """`user` removes their own mute word `pk`; another person's, a missing
    one or an odd id removes nothing. Not audited; nobody hears of it."""
    with_id(MuteWord.objects.filter(user=user), pk).delete()
    forget_mute_words(user)


def do_set_easy_read(user: User, on: bool) -> None:
    """`user` turns easy read on or off for themselves. From then on no
    pathway's default changes it (`apply_easy_read_default`). Not audited;
    nobody else is told or sees it."""
    user.easy_read = bool(on)
    user.easy_read_chosen = True
    user.save(update_fields=["easy_read", "easy_read_chosen"])


def do_set_content_warnings(user: User, choice: str) -> None:
    """Whether pages with a content warning open folded or unfolded for
    `user`. An unknown choice keeps the safe default (folded)."""
    valid = {
        value
        for value, _label in User._meta.get_field("content_warnings").choices or ()
    }
    user.content_warnings = choice if choice in valid else "collapse"
    user.save(update_fields=["content_warnings"])


def do_remember_language(user: User, language: str) -> None:
    """Keep `language` (one of the site's LANGUAGES) as the one `user` last
    used the site in, so emails and pushes sent later speak it
    (`community.queries.languages_of`). The caller writes only on a change
    (community.web.middleware.LanguageMiddleware). No audit row: a reading
    preference, not an action on anyone."""
    UserProfile.objects.update_or_create(
        user=user, defaults={"preferred_language": language}
    )
