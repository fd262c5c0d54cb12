"""The access layer's shared part: the one road by which Harbour decides who may
see or do what in a pathway (memberships, capabilities, two-factor, what a reader
may see of any content kind, profiles, direct messages). Each wing's
`permissions.py` adds its own objects on these rules (forums: forums and topics;
social: walls, presents, bios; moderation: cases, alerts, shifts; notifications:
failed deliveries); pages, documents and video files are asked of
home/permissions.py, which rests on them too.

Every view, consumer, hook and action asks here or there. Each `access_*` returns
the object or raises `Http404`, alike for what is missing and what is forbidden, so
nothing tells a stranger that a pathway, page or invitation exists.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from community.inputs import with_id
from community.models import (
    STAFF_ROLES,
    Audience,
    Block,
    ContentStatus,
    Invitation,
    JoinRequest,
    MemberContent,
    Membership,
    MembershipStatus,
    MuteWord,
    Pathway,
    Role,
    User,
)
from community.models.silence import without_silenced

_M = TypeVar("_M", bound=Model)
_C = TypeVar("_C", bound=MemberContent)


class Capability(StrEnum):
    """What a role may do in its pathway, beyond reading and taking part."""

    INVITE = "invite"
    APPROVE_JOIN_REQUESTS = "approve_join_requests"
    EDIT_SETTINGS = "edit_settings"
    MODERATE = "moderate"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.MEMBER: frozenset(),
    Role.CARER: frozenset(),
    Role.PEER: frozenset({Capability.MODERATE}),
    Role.CLINICIAN: frozenset(
        {Capability.INVITE, Capability.APPROVE_JOIN_REQUESTS, Capability.MODERATE}
    ),
    Role.LEAD: frozenset(
        {
            Capability.INVITE,
            Capability.APPROVE_JOIN_REQUESTS,
            Capability.MODERATE,
            Capability.EDIT_SETTINGS,
        }
    ),
}

# Roles a staff member may invite people into: a clinician invites members,
# carers and peers; only a service lead invites clinicians and other leads.
INVITABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.CLINICIAN: (Role.MEMBER, Role.CARER, Role.PEER),
    Role.LEAD: (Role.MEMBER, Role.CARER, Role.PEER, Role.CLINICIAN, Role.LEAD),
}


def active_memberships(user: User) -> QuerySet[Membership]:
    """The reader's active memberships, with their pathways, by pathway name."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)
        .select_related("pathway")
        .order_by("pathway__name")
    )


def visible_pathways(user: User) -> QuerySet[Pathway]:
    """Pathways whose content the user may read: those with an active membership."""
    if not user.is_authenticated:
        return Pathway.objects.none()
    return Pathway.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.ACTIVE
    )


def membership_in(user: User, pathway: Pathway) -> Membership | None:
    """The user's active membership of `pathway`, or None."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(
            user=user, pathway=pathway, status=MembershipStatus.ACTIVE
        )
        .select_related("pathway")
        .first()
    )


def can_view_pathway(user: User, pathway: Pathway) -> bool:
    """True if the user is an active member of `pathway` in any role."""
    return membership_in(user, pathway) is not None


def access_pathway(user: User, slug: str) -> Pathway:
    """The pathway `slug` if the user is an active member of it; else Http404.

    Missing and forbidden answer alike. Pending and suspended members are not in.
    """
    return membership_by_slug(user, slug).pathway


def access_pathway_capability(
    user: User, slug: str, capability: Capability
) -> Membership:
    """The user's active membership of pathway `slug` if its role grants
    `capability`; else Http404 (a member asking for a staff page sees the same
    "not found" as a stranger)."""
    membership = membership_by_slug(user, slug)
    if capability not in ROLE_CAPABILITIES[membership.role]:
        raise Http404("No such pathway")
    return membership


def membership_by_slug(user: User, slug: str) -> Membership:
    """The user's active membership of pathway `slug`; Http404 otherwise."""
    membership = active_memberships(user).filter(pathway__slug=slug).first()
    if membership is None:
        raise Http404("No such pathway")
    return membership


def has_capability(user: User, pathway: Pathway, capability: Capability) -> bool:
    membership = membership_in(user, pathway)
    return membership is not None and capability in ROLE_CAPABILITIES[membership.role]


def capabilities_of(membership: Membership | None) -> frozenset[Capability]:
    """What `membership` (already found by the access layer, e.g. by
    `membership_in`; None for none) may do in its pathway beyond reading and
    taking part: empty for no membership and for members and carers. For
    menus and page links; every action still asks its own `access_*`."""
    if membership is None:
        return frozenset()
    return ROLE_CAPABILITIES[membership.role]


def capabilities_by_pathway(user: User) -> dict[int, frozenset[Capability]]:
    """For menus: pathway id -> what the user may do there, in one query."""
    return {m.pathway_id: ROLE_CAPABILITIES[m.role] for m in active_memberships(user)}


def invitable_roles(membership: Membership) -> tuple[str, ...]:
    """The roles this staff member may invite people into."""
    return INVITABLE_ROLES.get(membership.role, ())


def requires_two_factor(user: User) -> bool:
    """Staff (peer supporters, clinicians, leads in any pathway, and anyone who can
    reach the Wagtail admin) must use two-factor authentication."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user,
        role__in=STAFF_ROLES,
        status__in=[MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED],
    ).exists()


def has_two_factor(user: User) -> bool:
    """True if `user` has a TOTP authenticator set up."""
    from allauth.mfa.models import Authenticator

    # allauth ships no types: its queryset is Any to mypy.
    found: bool = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()
    return found


def may_use_signed_in_endpoints(user: User) -> bool:
    """Signed in and, for staff, with two-factor set up: the rule
    community.web.middleware applies to pages, for what passes no middleware or
    is not a page (the chat and notification sockets, JSON endpoints)."""
    if not user.is_authenticated:
        return False
    return not requires_two_factor(user) or has_two_factor(user)


def access_invitation(pathway: Pathway, pk: object) -> Invitation:
    """An invitation of `pathway` (already access-checked by the caller); Http404
    for one of another pathway or none."""
    invitation = with_id(Invitation.objects.filter(pathway=pathway), pk).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def access_join_request(pathway: Pathway, pk: object) -> JoinRequest:
    """A join request to `pathway` (already access-checked); Http404 otherwise."""
    join_request = with_id(JoinRequest.objects.filter(pathway=pathway), pk).first()
    if join_request is None:
        raise Http404("No such request")
    return join_request


# Member content ---------------------------------------------------------------


def visible_content(
    user: User,
    queryset: QuerySet[_M],
    pathway: Pathway | Iterable[Pathway] | QuerySet[Pathway],
) -> QuerySet[_M]:
    """Member content of one registered kind in `pathway` (one Pathway, or
    several: a list or queryset) that `user` may read, inside the query:
    published, or the reader's own while held or hidden by reports; without
    what people the reader blocked or muted wrote, and without the reader's
    mute words. The caller has already checked the pathways."""
    from community.safety.registry import kind_for_model

    kind = kind_for_model(queryset.model)
    author, body = (kind.author_field, kind.body_field) if kind else ("author", "body")
    if isinstance(pathway, Pathway):
        queryset = queryset.filter(pathway=pathway)
    else:
        queryset = queryset.filter(pathway__in=pathway)
    queryset = queryset.filter(
        Q(status=ContentStatus.PUBLISHED)
        | Q(
            **{author: user},
            status__in=[ContentStatus.HELD, ContentStatus.HIDDEN_BY_REPORTS],
        )
    )
    queryset = without_silenced(queryset, user, author)
    for word in mute_words_of(user):
        queryset = queryset.exclude(**{f"{body}__icontains": word})
    return queryset


# Where a reader's mute words are kept for the life of the User object: one
# request, one socket (a wall page asked for them four times, issue #18).
_MUTE_WORDS = "_harbour_mute_words"


def mute_words_of(user: User) -> list[str]:
    """`user`'s mute words, read once per User object; the mute word actions
    forget them (`forget_mute_words`) when they change."""
    words: list[str] | None = getattr(user, _MUTE_WORDS, None)
    if words is None:
        words = list(MuteWord.objects.filter(user=user).values_list("word", flat=True))
        setattr(user, _MUTE_WORDS, words)
    return words


def forget_mute_words(user: User) -> None:
    """Drop what `mute_words_of` kept for `user`: after a mute word changes."""
    user.__dict__.pop(_MUTE_WORDS, None)


def access_content(user: User, slug: str, model: type[_C], pk: object) -> _C:
    """A piece of member content of kind `model` in pathway `slug` that the user
    may read (to report it); else Http404. Beyond the pathway's rules
    (`visible_content`), the kind's own registered `readable` and `may_read`
    hooks decide (community.safety.registry): this layer names no wing's model."""
    from community.safety.registry import kind_for_model

    pathway = access_pathway(user, slug)
    found = visible_content(user, model._default_manager.all(), pathway)
    kind = kind_for_model(model)
    if kind is not None and kind.readable is not None:
        found = kind.readable(user, found)
    obj = with_id(found, pk).first()
    if obj is None or (
        kind is not None and kind.may_read is not None and not kind.may_read(user, obj)
    ):
        raise Http404("No such content")
    return obj


def moderated_memberships(user: User) -> QuerySet[Membership]:
    """The user's active memberships whose role may moderate."""
    moderating = [
        r for r, caps in ROLE_CAPABILITIES.items() if Capability.MODERATE in caps
    ]
    return active_memberships(user).filter(role__in=moderating)


# People -----------------------------------------------------------------------


def has_blocked(blocker: User, other: User) -> bool:
    """True if `blocker` has blocked `other`: `other` may not message, write on
    the wall of, send presents to or see the profile of `blocker`."""
    return Block.objects.filter(blocker=blocker, blocked=other).exists()


def shared_pathways(user: User, other: User) -> QuerySet[Pathway]:
    """Pathways where both are active members."""
    return (
        visible_pathways(user)
        .filter(pk__in=visible_pathways(other).values("pk"))
        .distinct()
    )


def access_profile(viewer: User, user_id: object) -> User:
    """Another person's profile if they share an active pathway with the viewer
    and have not blocked them; else Http404, so a block is not announced."""
    other: User | None = with_id(User.objects.filter(is_active=True), user_id).first()
    if other is None or not viewer.is_authenticated:
        raise Http404("No such person")
    if other != viewer and (
        not shared_pathways(viewer, other).exists() or has_blocked(other, viewer)
    ):
        raise Http404("No such person")
    return other


# Walls, presents and profile text ---------------------------------------------------


def is_under_18(user: User, pathway: Pathway) -> bool:
    """Whether Harbour treats `user` as a child in `pathway`: their date of
    birth says under 18, or it is unknown and they are not one of the
    pathway's staff (the careful answer)."""
    age = user.age_on(timezone.localdate())
    if age is not None:
        return age < 18
    return (
        not Membership.objects.active_staff()
        .filter(user=user, pathway=pathway)
        .exists()
    )


def _audience_allows(owner: User, other: User, pathway: Pathway) -> bool:
    """`owner`'s "who can message me" lets `other` in `pathway`."""
    if owner.message_audience == Audience.MEMBERS:
        return True
    if owner.message_audience == Audience.STAFF:
        return (
            Membership.objects.active_staff()
            .filter(user=other, pathway=pathway)
            .exists()
        )
    return False


def direct_refusal(user: User, other: User, pathway: Pathway) -> str | None:
    """Why `user` may not talk directly with `other` in `pathway` now, in
    words for `user`; None when they may. A direct conversation is two-way,
    so every rule holds both ways: both active members of a pathway that
    allows direct messages, neither under 18, neither has blocked the other,
    and each one's "who can message me" lets the other in. A block or a
    setting is not named (the other person's choice is theirs)."""
    if user.pk == other.pk:
        return _("You can't start a conversation with yourself.")
    if not pathway.direct_messages_allowed:
        return _(
            "Direct messages are turned off in %(pathway)s. You can talk in the "
            "community chat, or to the care team in support chat."
        ) % {"pathway": pathway.name}
    active = Membership.objects.filter(
        pathway=pathway, status=MembershipStatus.ACTIVE, user__in=[user, other]
    ).count()
    if active != 2:
        return _("%(name)s is not in %(pathway)s just now.") % {
            "name": other.display_name,
            "pathway": pathway.name,
        }
    if is_under_18(user, pathway) or is_under_18(other, pathway):
        return _(
            "To keep everyone safe, direct messages are not open to members "
            "under 18. You can talk in the community chat, or to the care team "
            "in support chat."
        )
    if user.message_audience == Audience.NOBODY:
        return _(
            "Your settings say nobody can message you. To talk with someone "
            "directly, change who can message you in your profile settings."
        )
    if (
        Block.objects.filter(
            Q(blocker=user, blocked=other) | Q(blocker=other, blocked=user)
        ).exists()
        or not _audience_allows(other, user, pathway)
        or not _audience_allows(user, other, pathway)
    ):
        return _("%(name)s isn't taking direct messages from you.") % {
            "name": other.display_name
        }
    return None
