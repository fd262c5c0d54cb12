"""Notices to members: stored, pushed to their open pages on commit, and (by
each member's choice) emailed or sent by web push.

Every notice is Harbour's own words, never a member's text. A notice caused by
someone (`actor`) is held back from anyone who blocked or muted them, and a
notice about a pathway goes only to its active members. The same checks run
again when a notice leaves the site (an email, a digest, a push), so a block
made since the notice was stored still holds it back.

Delivery (docs/decisions/0009-notification-delivery.md, 0015):
- the bell: a `notify` event on commit (events.py, NotificationConsumer);
- email "as they happen" and web push: Delivery rows stored with the notice,
  sent by the deliveries task queue and retried (community/notifications/deliveries.py);
- email "once a day": `do_send_daily_digests`, run by `harbour_worker`.
A failed email or push never undoes the stored notice; one given up is shown
to the pathway's leads and the site administrators (`notify_delivery_failed`).
"""

import base64
import binascii
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import EmailFrequency, MembershipStatus, Pathway, Role, User
from community.models.silence import without_silencers
from community.moderation.models import RiskAlert
from community.notifications import deliveries
from community.notifications.deliveries import deliverable, push_available
from community.notifications.events import (
    broadcast_many_on_commit,
    notification_event,
    user_group,
)
from community.notifications.models import (
    Delivery,
    DeliveryChannel,
    Notification,
    PushSubscription,
)
from community.queries import language_of, languages_of

logger = logging.getLogger(__name__)

# Kinds that already send their own email whatever the member chose (risk
# alerts go to staff at once, moderation.py): never emailed a second time.
OWN_EMAIL_KINDS = frozenset({"risk_alert"})
# Kinds that stay in the site (the bell and the notifications page): a notice
# that a delivery failed must not itself need a delivery that can fail.
BELL_ONLY_KINDS = frozenset({"delivery_failed"})
# A digest lists at most this many notices; the rest are counted.
DIGEST_MAX_ITEMS = 20
# Nobody gets a second digest within this many hours (see run_daily_digest_if_due).
DIGEST_GAP_HOURS = 12
# A subscription as the browser sends it is a few hundred bytes.
MAX_SUBSCRIPTION_BYTES = 4096


def notify(
    user: User,
    pathway: Pathway | None,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
    *,
    risk_alert: RiskAlert | None = None,
) -> Notification | None:
    """Store a notification for `user` and push it to their open pages on
    commit. A notice someone caused (`actor`: a reply, a present) is stored
    only if `user` is an active member of `pathway` and has not blocked or
    muted `actor`; else None. Harbour's own notices (moderation outcomes,
    sanctions, alerts) always go. `risk_alert`: the alert this notice
    announces, so its deliveries count for the alert (moderation.py)."""
    sent = notify_many(
        [user], pathway, kind, message, url, actor, risk_alert=risk_alert
    )
    return sent[0] if sent else None


def notify_many(
    users: Iterable[User],
    pathway: Pathway | None,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
    *,
    risk_alert: RiskAlert | None = None,
) -> list[Notification]:
    """`notify` for several people at once, with the same checks, in a
    constant number of queries. The notices and their deliveries (email and
    web push, to the people who asked for them: `queue_deliveries`) commit
    together, in the caller's transaction or one of their own. For a few
    people (a mention, the staff on duty); many people (a topic's followers)
    are told off the request path (community/notifications/fanout.py)."""
    wanted = {u.pk for u in users}
    if not wanted:
        return []
    return notify_people(
        User.objects.filter(pk__in=wanted),
        pathway,
        kind,
        message,
        url,
        actor,
        risk_alert=risk_alert,
    )


def notify_people(
    people: QuerySet[User],
    pathway: Pathway | None,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
    *,
    risk_alert: RiskAlert | None = None,
) -> list[Notification]:
    """`notify_many` for the people of a queryset, narrowed inside the one
    query that loads them: active people only and, for a notice `actor`
    caused, never the actor, only active members of `pathway`, and nobody
    who blocked or muted the actor. Stores the notices in bulk, announces
    them to the bell on commit in one go and queues their deliveries; a
    constant number of queries whatever the number of people."""
    allowed = people.filter(is_active=True)
    if actor is not None:
        allowed = allowed.exclude(pk=actor.pk)
        if pathway is not None:
            allowed = allowed.filter(
                memberships__pathway=pathway,
                memberships__status=MembershipStatus.ACTIVE,
            )
        allowed = without_silencers(allowed, actor)
    with transaction.atomic():
        # The people as they are now (their choices of email and push), not
        # as the caller loaded them.
        notifications = Notification.objects.bulk_create(
            Notification(
                user=person,
                pathway=pathway,
                kind=kind,
                message=message[:300],
                url=url,
                actor=actor,
            )
            for person in allowed.order_by("pk")
        )
        broadcast_many_on_commit(
            (user_group(n.user_id), notification_event(n)) for n in notifications
        )
        queue_deliveries(notifications, risk_alert=risk_alert)
    return notifications


# Leaving the site -------------------------------------------------------------------


def queue_deliveries(
    notifications: list[Notification], *, risk_alert: RiskAlert | None = None
) -> list[Delivery]:
    """Queue, in the caller's transaction, an email of each notice to owners
    who chose "as they happen" and a push to every phone of owners who turned
    web push on (when the site has VAPID keys). Risk alerts send their own
    email (moderation.py); bell-only kinds go nowhere else. Whether each may
    still leave the site is checked again when it is sent (deliveries.py)."""
    pending = [n for n in notifications if n.kind not in BELL_ONLY_KINDS]
    if not pending:
        return []
    # Each in the language its owner last read the site in, not the
    # language of whoever caused it.
    languages = languages_of({n.user_id for n in pending})
    queued = [
        deliveries.email_delivery(
            n.user,
            *_email_words(n.user, [n], languages[n.user_id]),
            pathway=n.pathway,
            notification=n,
            risk_alert=risk_alert,
        )
        for n in pending
        if n.user.email_notifications == EmailFrequency.IMMEDIATE
        and n.kind not in OWN_EMAIL_KINDS
        and n.user.email
    ]
    pushing = {n.user_id for n in pending if n.user.web_push}
    if pushing and push_available():
        phones = defaultdict(list)
        for phone in PushSubscription.objects.filter(user_id__in=pushing):
            phones[phone.user_id].append(phone)
        queued += [
            deliveries.push_delivery(
                phone,
                push_payload(n, languages[n.user_id]),
                pathway=n.pathway,
                notification=n,
                risk_alert=risk_alert,
            )
            for n in pending
            for phone in phones[n.user_id]
        ]
    return deliveries.queue(queued)


def absolute_url(path: str) -> str:
    """A link for outside the site (email, push): site-relative paths get the
    site's address (WAGTAILADMIN_BASE_URL); anything else becomes the
    notifications page."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    if path.startswith(base + "/"):
        return path
    if not path.startswith("/") or path.startswith("//"):
        path = reverse("community:notifications")
    return base + path


# Email ----------------------------------------------------------------------------


def _email(user: User, notices: list[Notification]) -> EmailMessage:
    """One email of Harbour's words (`_email_words`) to `user`, in the
    language they last read the site in."""
    return EmailMessage(
        *_email_words(user, notices, language_of(user)), to=[user.email]
    )


def _email_words(
    user: User, notices: list[Notification], language: str
) -> tuple[str, str]:
    """The subject and body of one email of Harbour's words in `language`
    (its links to pages in that language too): each notice's message
    (written by Harbour, never copied from a member) and a link, only if
    `user` asked for details; then how to change it."""
    with translation.override(language):
        return _email_text(user, notices)


def _email_text(user: User, notices: list[Notification]) -> tuple[str, str]:
    count = len(notices)
    if count == 1:
        subject = _("A new notification on Harbour")
    else:
        subject = _("%(count)s new notifications on Harbour") % {"count": count}
    lines = [
        ngettext(
            "You have a new notification on Harbour:",
            "You have %(count)s new notifications on Harbour:",
            count,
        )
        % {"count": count},
        "",
    ]
    for notice in notices[:DIGEST_MAX_ITEMS] if user.notice_details else []:
        lines += [f"- {notice.message}", f"  {absolute_url(notice.url)}", ""]
    if count > DIGEST_MAX_ITEMS and user.notice_details:
        lines += [
            _("…and %(more)s more.") % {"more": count - DIGEST_MAX_ITEMS},
            "",
        ]
    lines += [
        _("See all your notifications: %(url)s")
        % {"url": absolute_url(reverse("community:notifications"))},
        "",
        _(
            "You get these emails because you asked for them. To change how often, "
            "or to stop them: %(url)s"
        )
        % {"url": absolute_url(reverse("community:notification_settings"))},
        "",
        _("For your privacy, Harbour's emails never include what anyone wrote."),
    ]
    return subject, "\n".join(lines)


def do_send_daily_digests(now: datetime | None = None) -> int:
    """Email each member who chose "once a day" one digest of their notices
    from the last day that are unread, not yet emailed and still deliverable
    (a block or mute made since leaves a notice out), then mark them emailed.
    Returns how many digests were sent.

    Safe to run twice, and in several workers at once: each member's notices
    are locked (locked ones skipped) and claimed by their `emailed_at` mark
    before the email goes, so no notice is emailed twice; and a member emailed
    in the last DIGEST_GAP_HOURS hours gets no second digest. A failed email
    rolls back that member's marks, so the next run tries again."""
    now = now or timezone.now()
    emailed_lately = Notification.objects.filter(
        user=OuterRef("user"),
        emailed_at__gt=now - timedelta(hours=DIGEST_GAP_HOURS),
    )
    due = (
        deliverable(
            Notification.objects.filter(
                user__email_notifications=EmailFrequency.DAILY,
                read_at=None,
                emailed_at=None,
                created_at__gt=now - timedelta(days=1),
                created_at__lte=now,
            )
        )
        .exclude(kind__in=OWN_EMAIL_KINDS)
        .exclude(Exists(emailed_lately))
        .exclude(user__email="")
    )
    people = sorted(set(due.values_list("user_id", flat=True)))
    sent = 0
    for user_id in people:
        try:
            with transaction.atomic():
                notices = list(
                    due.filter(user_id=user_id)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("user")
                    .order_by("created_at", "pk")
                )
                if not notices:
                    continue  # another worker has them
                claimed = Notification.objects.filter(
                    pk__in=[n.pk for n in notices], emailed_at=None
                ).update(emailed_at=now)
                if claimed != len(notices):
                    transaction.set_rollback(True)  # another run got there first
                    continue
                _email(notices[0].user, notices).send()
        except Exception:  # noqa: BLE001 - one member's failure must not stop the rest
            logger.exception("Could not send the daily digest to user %s", user_id)
        else:
            sent += 1
    return sent


def run_daily_digest_if_due(now: datetime | None = None) -> int | None:
    """The worker's daily step: from HARBOUR_DIGEST_HOUR (local time) on,
    send the day's digests once; None when not due.

    The record that today's run happened is a cache key per local date, added
    atomically: with Redis (production) every worker shares it and it outlives
    restarts, so one worker runs the digest once a day. Where the cache forgets
    (the in-memory default of `make run` after a restart, a flushed Redis),
    the run repeats and the `emailed_at` marks keep it harmless: a notice
    already emailed is never in a digest, and nobody emailed in the last
    DIGEST_GAP_HOURS hours gets another."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.HARBOUR_DIGEST_HOUR:
        return None
    key = f"notifications:digest:{local.date().isoformat()}"
    if not cache.add(key, now.isoformat(), timeout=2 * 24 * 60 * 60):
        return None
    try:
        return do_send_daily_digests(now)
    except Exception:
        cache.delete(key)  # let the next pass try again
        raise


# Deliveries given up ----------------------------------------------------------------


def notify_delivery_failed(delivery: Delivery) -> list[Notification]:
    """Tell, in the site only, the active service leads of the delivery's
    pathway (with a link to its moderation page, where they can try it again)
    and the site administrators (to the admin's list) that `delivery` could
    not be delivered. Names the recipient by display name and the channel;
    never an address or an error. Whoever still has such a notice unread for
    the same pathway is not told again (an outage sends one, not hundreds),
    except about a risk alert.
    Runs inside the transaction that gave the delivery up."""
    pathway = delivery.pathway
    unread = Notification.objects.filter(
        user=OuterRef("pk"), kind="delivery_failed", pathway=pathway, read_at=None
    )
    people = User.objects.filter(is_active=True)
    if delivery.risk_alert_id is None:  # an alert's failure is always told
        people = people.exclude(Exists(unread))
    leads = (
        list(
            people.filter(
                memberships__pathway=pathway,
                memberships__role=Role.LEAD,
                memberships__status=MembershipStatus.ACTIVE,
            )
        )
        if pathway is not None
        else []
    )
    admins = list(
        people.filter(is_superuser=True).exclude(pk__in=[u.pk for u in leads])
    )
    words = {
        "channel": DeliveryChannel(delivery.channel).label,
        "name": delivery.recipient_name,
    }
    if delivery.risk_alert_id is not None:
        message = (
            _("Harbour could not deliver a risk alert (%(channel)s) to %(name)s.")
            % words
        )
    else:
        message = (
            _("Harbour could not deliver a notification (%(channel)s) to %(name)s.")
            % words
        )
    sent = []
    if leads and pathway is not None:  # leads are only found in a pathway
        url = reverse("community:queue", kwargs={"slug": pathway.slug})
        sent += notify_many(
            leads, pathway, "delivery_failed", message, url + "#undelivered"
        )
    if admins:
        url = reverse("harbour_admin_deliveries")
        sent += notify_many(admins, pathway, "delivery_failed", message, url)
    return sent


# Web push ---------------------------------------------------------------------------


class PushSubscriptionError(ValueError):
    """A subscription Harbour will not store; the message says why."""


def push_payload(notice: Notification, language: str | None = None) -> str:
    """What the service worker shows: Harbour's words (in `language`, the
    owner's, when given) and where to go."""
    with translation.override(language or translation.get_language()):
        return _push_text(notice)


def _push_text(notice: Notification) -> str:
    return json.dumps(
        {
            "title": "Harbour",
            # A lock screen can be seen by others: details only if asked for.
            "body": notice.message
            if notice.user.notice_details
            else _("Something new for you on Harbour."),
            "url": absolute_url(notice.url),
            "tag": f"harbour-{notice.pk}",
        }
    )


def _key(value: object, size: int, name: str) -> str:
    """A base64url key of exactly `size` bytes, as browsers send them."""
    if not isinstance(value, str) or not value or len(value) > 200:
        raise PushSubscriptionError(_("The subscription's %s key is missing.") % name)
    value = value.rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise PushSubscriptionError(
            _("The subscription's %s key isn't valid.") % name
        ) from None
    if len(raw) != size:
        raise PushSubscriptionError(_("The subscription's %s key isn't valid.") % name)
    return value


def check_push_subscription(data: object) -> dict[str, str]:
    """A browser's `PushSubscription.toJSON()` checked: an https endpoint of a
    push service in HARBOUR_PUSH_HOSTS (the server will POST there, so no
    other address is accepted) and keys of the right size. Returns the fields
    to store; raises PushSubscriptionError."""
    if not isinstance(data, dict):
        raise PushSubscriptionError(_("Send the subscription as a JSON object."))
    endpoint, keys = data.get("endpoint"), data.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict):
        raise PushSubscriptionError(_("The subscription needs an endpoint and keys."))
    max_length = PushSubscription._meta.get_field("endpoint").max_length
    assert max_length is not None  # noqa: S101 - a URLField's
    if len(endpoint) > max_length:
        raise PushSubscriptionError(_("That endpoint is too long."))
    try:
        URLValidator(schemes=["https"])(endpoint)
        parts = urlsplit(endpoint)
        port = parts.port
    except (ValidationError, ValueError):
        raise PushSubscriptionError(
            _("Only https push endpoints are accepted.")
        ) from None
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or port not in (None, 443):
        raise PushSubscriptionError(_("Only https push endpoints are accepted."))
    if not any(
        host == h or host.endswith("." + h) for h in settings.HARBOUR_PUSH_HOSTS
    ):
        raise PushSubscriptionError(_("That isn't a push service Harbour sends to."))
    p256dh = _key(keys.get("p256dh"), 65, "p256dh")
    if base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))[0] != 4:
        raise PushSubscriptionError(_("The subscription's p256dh key isn't valid."))
    return {
        "endpoint": endpoint,
        "p256dh": p256dh,
        "auth": _key(keys.get("auth"), 16, "auth"),
    }


# Members' choices -------------------------------------------------------------------


def do_set_notification_settings(
    user: User,
    *,
    email_notifications: str | None = None,
    web_push: bool | None = None,
    notice_details: bool | None = None,
) -> None:
    """`user` chooses how notices reach them beyond the bell (which is always
    on): email as they happen, once a day or never; and whether to push to
    their phones. Turning push off forgets every phone they subscribed (push
    comes back on by subscribing a phone again). Only the member themself
    calls this, for themself."""
    fields = []
    if email_notifications is not None:
        if email_notifications not in EmailFrequency.values:
            raise ValueError(f"Unknown email frequency {email_notifications!r}")
        user.email_notifications = email_notifications
        fields.append("email_notifications")
    if notice_details is not None:
        user.notice_details = notice_details
        fields.append("notice_details")
    with transaction.atomic():
        if web_push is not None:
            if not web_push:
                PushSubscription.objects.filter(user=user).delete()
            user.web_push = web_push
            fields.append("web_push")
        if fields:
            user.save(update_fields=fields)


def do_add_push_subscription(user: User, data: object) -> PushSubscription:
    """Store the phone (browser) subscription `data` (checked by
    `check_push_subscription`, which raises PushSubscriptionError) for `user`
    and turn web push on for them. A browser has one subscription per site:
    if it was another member's (a shared phone), it is now `user`'s, so the
    phone shows only the notices of whoever turned push on last."""
    fields = check_push_subscription(data)
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=fields["endpoint"],
            defaults={"user": user, "p256dh": fields["p256dh"], "auth": fields["auth"]},
        )
        if not user.web_push:
            user.web_push = True
            user.save(update_fields=["web_push"])
    return subscription


def do_renew_push_subscription(old_endpoint: object, data: object) -> bool:
    """The browser replaced a phone's subscription (the service worker's
    `pushsubscriptionchange`): the new one (`data`, checked by
    `check_push_subscription`, which raises PushSubscriptionError) takes the
    place of the one at `old_endpoint`, for the same member. Called without a
    session (the worker may wake when nobody is signed in): knowing the old
    endpoint, a secret only the browser, the push service and Harbour hold,
    is the proof. Returns False when Harbour knows no such endpoint (the
    member turned push off, or it was never theirs to renew). No audit, no
    event, as for subscribing."""
    if not isinstance(old_endpoint, str) or not old_endpoint:
        return False
    fields = check_push_subscription(data)
    with transaction.atomic():
        old = (
            PushSubscription.objects.select_for_update()
            .filter(endpoint=old_endpoint)
            .first()
        )
        if old is None:
            return False
        PushSubscription.objects.update_or_create(
            endpoint=fields["endpoint"],
            defaults={
                "user": old.user,
                "p256dh": fields["p256dh"],
                "auth": fields["auth"],
            },
        )
        if fields["endpoint"] != old_endpoint:
            old.delete()
    return True


def do_remove_push_subscription(user: User, endpoint: object) -> bool:
    """Forget `user`'s own subscription with `endpoint` ("turn off for this
    phone"); another member's is never touched. With no phone left, web push
    turns off. Returns whether one was removed."""
    if not isinstance(endpoint, str) or not endpoint:
        return False
    with transaction.atomic():
        removed, _by_model = PushSubscription.objects.filter(
            user=user, endpoint=endpoint
        ).delete()
        if removed and not user.push_subscriptions.exists():
            user.web_push = False
            user.save(update_fields=["web_push"])
    return bool(removed)


def do_mark_notifications_read(user: User) -> None:
    """Mark all of `user`'s own unread notifications read now (their
    notifications page was opened). Only for the signed-in user themselves;
    one UPDATE, no lock, no audit, no event."""
    Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
