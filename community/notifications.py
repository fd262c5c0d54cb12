"""Notices to members: stored, pushed to their open pages on commit, and (by
each member's choice) emailed or sent by web push.

Every notice is Harbour's own words, never a member's text. A notice caused by
someone (`actor`) is held back from anyone who blocked or muted them, and a
notice about a pathway goes only to its active members.
"""

from collections.abc import Iterable

from .events import broadcast_on_commit, notification_event, user_group
from .models import Block, MembershipStatus, Mute, Notification, Pathway, User


def notify(
    user: User,
    pathway: Pathway | None,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
) -> Notification | None:
    """Store a notification for `user` and push it to their open pages on
    commit. A notice someone caused (`actor`: a reply, a present) is stored
    only if `user` is an active member of `pathway` and has not blocked or
    muted `actor`; else None. Harbour's own notices (moderation outcomes,
    sanctions, alerts) always go."""
    sent = notify_many([user], pathway, kind, message, url, actor)
    return sent[0] if sent else None


def notify_many(
    users: Iterable[User],
    pathway: Pathway | None,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """`notify` for several people at once, with the same checks, in a
    constant number of queries."""
    wanted = {u.pk: u for u in users if actor is None or u.pk != actor.pk}
    if not wanted:
        return []
    allowed = User.objects.filter(pk__in=wanted, is_active=True)
    if actor is not None:
        if pathway is not None:
            allowed = allowed.filter(
                memberships__pathway=pathway,
                memberships__status=MembershipStatus.ACTIVE,
            )
        allowed = allowed.exclude(
            pk__in=Block.objects.filter(blocked=actor).values("blocker")
        ).exclude(pk__in=Mute.objects.filter(muted=actor).values("muter"))
    notifications = Notification.objects.bulk_create(
        Notification(
            user=wanted[pk],
            pathway=pathway,
            kind=kind,
            message=message[:300],
            url=url,
            actor=actor,
        )
        for pk in allowed.values_list("pk", flat=True)
    )
    for notification in notifications:
        broadcast_on_commit(
            user_group(notification.user_id), notification_event(notification)
        )
    return notifications
