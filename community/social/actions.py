"""Business rules for what members do together: reactions, following topics,
editing within a window, pinning and locking, mentions, walls, presents and
profile text.

Every text takes the submission road (moderation.submission.submit_content):
nothing is stored when the author is asked to rewrite. Notices go
through community.notifications.actions, which holds them back from people who blocked
or muted the actor and keeps them inside the pathway. Callers have already
asked the access layer (community.permissions) for the objects they pass.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import InvalidInput, Refused, do_save_display_name
from community.audit import audit
from community.forums.models import Reply, Topic, TopicFollow
from community.models import (
    ContentRevision,
    ContentStatus,
    MemberContent,
    Membership,
    MembershipStatus,
    Pathway,
    User,
)
from community.moderation.submission import Submission, submit_content
from community.notifications.actions import notify, notify_many
from community.notifications.fanout import Notices, fan_out_on_commit, plan
from community.permissions import Capability, has_blocked, has_capability
from community.safety.pictures import reencode_picture
from community.safety.registry import kind_of
from community.social.models import (
    Gift,
    Present,
    ProfileText,
    Reaction,
    ReactionKind,
    WallPost,
)
from community.social.permissions import access_removable_wall_post, can_write_on_wall

IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
MENTION = re.compile(r"@([^\s@.,!?;:()\"']{2,30}(?: [^\s@.,!?;:()\"']{1,30}){0,2})")
MAX_MENTIONS = 5
PRIVACY_FIELDS = [
    "wall_audience",
    "wall_open",
    "message_audience",
    "show_presence",
    "share_read_receipts",
]


def edit_window() -> timedelta:
    return timedelta(minutes=settings.HARBOUR_EDIT_MINUTES)


# Reactions and following -----------------------------------------------------------


def do_toggle_reaction(user: User, obj: MemberContent, reaction: str) -> bool:
    """`user` adds `reaction` to `obj` (content they may see), or takes it
    back if they had given it. Returns True when added. The author hears of an
    added reaction (not of their own). Refused when the author blocked `user`."""
    if reaction not in ReactionKind.values:
        raise InvalidInput(_("Please choose one of the reactions shown."))
    if has_blocked(obj.author, user):
        raise Refused(_("You can't react to this."))
    kind = kind_of(obj)
    with transaction.atomic():
        removed, _count = Reaction.objects.filter(
            content_kind=kind.name, object_id=obj.pk, user=user, reaction=reaction
        ).delete()
        if removed:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(
                    pathway=obj.pathway,
                    content_kind=kind.name,
                    object_id=obj.pk,
                    user=user,
                    reaction=reaction,
                )
        except IntegrityError:  # a double tap: the first one counted
            return True
        notify(
            obj.author,
            obj.pathway,
            "reaction",
            _("%(name)s sent “%(reaction)s” for your %(kind)s.")
            % {
                "name": user.display_name,
                "reaction": ReactionKind(reaction).label,
                "kind": kind.label,
            },
            kind.url(obj),
            actor=user,
        )
    return True


def do_follow_topic(user: User, topic: Topic, follow: bool = True) -> None:
    """`user` follows (or stops following) `topic`: they hear of new replies."""
    if follow:
        TopicFollow.objects.get_or_create(topic=topic, user=user)
    else:
        TopicFollow.objects.filter(topic=topic, user=user).delete()


# Mentions ---------------------------------------------------------------------------


def mentioned_members(pathway: Pathway, text: str) -> list[User]:
    """Active members of `pathway` named as @Display Name in `text` (up to
    three words; at most MAX_MENTIONS people), in one query."""
    candidates = set()
    for match in MENTION.finditer(text):
        words = match.group(1).split(" ")
        for n in range(1, len(words) + 1):
            candidates.add(" ".join(words[:n]).lower())
    if not candidates:
        return []
    from django.db.models.functions import Lower

    return list(
        User.objects.annotate(name=Lower("display_name"))
        .filter(
            name__in=candidates,
            memberships__pathway=pathway,
            memberships__status=MembershipStatus.ACTIVE,
            is_active=True,
        )
        .distinct()[:MAX_MENTIONS]
    )


def _notify_mentions(obj: MemberContent, text: str, already: set[int]) -> None:
    kind = kind_of(obj)
    people = [u for u in mentioned_members(obj.pathway, text) if u.pk not in already]
    notify_many(
        people,
        obj.pathway,
        "mention",
        _("%(name)s mentioned you in a %(kind)s.")
        % {"name": obj.author.display_name, "kind": kind.label},
        kind.url(obj),
        actor=obj.author,
    )


# Forums -----------------------------------------------------------------------------


def after_topic_published(topic: Topic) -> None:
    """The author follows their topic; people they mention hear of it."""
    TopicFollow.objects.get_or_create(topic=topic, user=topic.author)
    _notify_mentions(topic, f"{topic.title}\n{topic.body}", set())


def after_reply_published(reply: Reply) -> None:
    """The topic shows new activity; the replier follows it; followers hear of
    the reply, and people mentioned hear they were (once: a follower who is
    mentioned gets one notice). The notices go off the request path, in the
    `fan_out` task (`reply_notices`): what is done here costs the same
    whatever the number of followers."""
    topic = reply.topic
    Topic.objects.filter(pk=topic.pk).update(last_activity_at=timezone.now())
    TopicFollow.objects.get_or_create(topic=topic, user=reply.author)
    fan_out_on_commit(reply)


@plan("reply")
def reply_notices(reply: Reply) -> list[Notices]:
    """Whom a published reply tells, in the `fan_out` task: the topic's
    followers, then the active members it mentions who do not follow it
    (the task leaves out the author, anyone who blocked or muted them and
    anyone outside the pathway)."""
    topic = reply.topic
    url = kind_of(reply).url(reply)
    mentioned = mentioned_members(reply.pathway, reply.body)
    return [
        Notices(
            User.objects.filter(pk__in=topic.follows.values("user")),
            "reply",
            _("%(name)s replied to a topic you follow in %(forum)s.")
            % {"name": reply.author.display_name, "forum": topic.forum.name},
            url,
        ),
        Notices(
            User.objects.filter(pk__in=[person.pk for person in mentioned]),
            "mention",
            _("%(name)s mentioned you in a %(kind)s.")
            % {"name": reply.author.display_name, "kind": kind_of(reply).label},
            url,
        ),
    ]


def check_can_reply(topic: Topic) -> None:
    """Refused when `topic` is locked. The caller found `topic` through the
    access layer (do_reply); nothing is read again or locked, and nobody
    hears of it."""
    if topic.locked:
        raise Refused(
            _(
                "This topic is locked, so it can't have new replies. "
                "You can start a new topic."
            )
        )


def do_set_topic_flags(
    moderator: User,
    topic: Topic,
    *,
    pinned: bool | None = None,
    locked: bool | None = None,
) -> None:
    """A moderator of the topic's pathway pins/unpins or locks/unlocks it.
    Audited."""
    if not has_capability(moderator, topic.pathway, Capability.MODERATE):
        raise Refused(_("Only the care team can do that."))
    changed = []
    if pinned is not None and pinned != topic.pinned:
        topic.pinned = pinned
        changed.append("pinned")
    if locked is not None and locked != topic.locked:
        topic.locked = locked
        changed.append("locked")
    if not changed:
        return
    with transaction.atomic():
        topic.save(update_fields=changed)
        for name in changed:
            state = getattr(topic, name)
            audit(
                moderator,
                f"topic.{name if state else 'un' + name}",
                pathway=topic.pathway,
                target=topic,
            )


# Editing within the window ----------------------------------------------------------


def can_edit(user: User, obj: MemberContent, now: datetime | None = None) -> bool:
    """The author may edit published content for HARBOUR_EDIT_MINUTES after
    posting. Held or hidden content waits for its moderator instead."""
    now = now or timezone.now()
    return (
        obj.author_id == user.pk
        and obj.status == ContentStatus.PUBLISHED
        and not obj.edited_by_moderator
        and now - obj.created_at <= edit_window()
    )


def do_edit(
    user: User, obj: MemberContent, fields: dict[str, str], language: str = "en"
) -> Submission:
    """The author edits `obj` (title and/or body) within the window. The new
    text goes through the pipeline as if new: a rewrite stores nothing; a hold
    or risk holds or alerts as for a new post. The text it replaces is kept as
    a ContentRevision for the pathway's moderators."""
    if not can_edit(user, obj):
        raise Refused(
            _(
                "This can no longer be edited: posts can be changed for "
                "%(minutes)s minutes after posting."
            )
            % {"minutes": settings.HARBOUR_EDIT_MINUTES}
        )

    def revise(submission: Submission) -> MemberContent:
        ContentRevision.objects.create(
            pathway=obj.pathway,
            content_kind=kind_of(obj).name,
            object_id=obj.pk,
            title=getattr(obj, "title", ""),
            body=obj.body,
        )
        for name, text in submission.clean.items():
            setattr(obj, name, text[:120] if name == "title" else text)
        # Topics, replies, wall and chat messages keep it; not every kind does.
        setattr(obj, "edited_at", timezone.now())  # noqa: B010
        return obj

    return submit_content(
        user, obj.pathway, fields, revise, language=language, announce=False
    )


def revisions_of(obj: MemberContent) -> QuerySet[ContentRevision]:
    """The earlier texts of `obj`, newest first (for moderators only: the
    caller checks)."""
    return ContentRevision.objects.filter(
        content_kind=kind_of(obj).name, object_id=obj.pk
    )


# Walls ------------------------------------------------------------------------------


def do_post_on_wall(
    user: User,
    owner: User,
    pathway: Pathway,
    body: str,
    *,
    parent: WallPost | None = None,
    milestone: bool = False,
    language: str = "en",
) -> Submission:
    """`user` writes on `owner`'s wall in `pathway` (a pathway both are in),
    or replies under `parent`. Refused when the wall is closed,
    the owner blocked `user` or keeps their wall to fewer people. A milestone
    is only for one's own wall. The owner (and the parent's author) hear of a
    published message."""
    if not can_write_on_wall(user, owner, pathway):
        raise Refused(_("You can't write on this wall."))
    if milestone and user != owner:
        raise InvalidInput(_("Milestones are shared on your own wall."))
    return submit_content(
        user,
        pathway,
        {"body": body},
        lambda submission: WallPost(
            pathway=pathway,
            author=user,
            owner=owner,
            parent=parent,
            milestone=milestone and parent is None,
            body=submission.clean["body"],
        ),
        language=language,
    )


def after_wall_post_published(post: WallPost) -> None:
    told = {post.author_id}
    url = kind_of(post).url(post)
    who = {"name": post.author.display_name}
    if post.owner_id not in told:
        notify(
            post.owner,
            post.pathway,
            "wall",
            _("%(name)s wrote on your wall.") % who,
            url,
            actor=post.author,
        )
        told.add(post.owner_id)
    parent = post.parent
    if parent is not None and parent.author_id not in told:
        notify(
            parent.author,
            post.pathway,
            "wall",
            _("%(name)s replied to your wall message.") % who,
            url,
            actor=post.author,
        )
        told.add(parent.author_id)
    _notify_mentions(post, post.body, told)


def check_remove_wall_post(user: User, pk: object) -> WallPost:
    """The wall's owner or the message's writer takes wall message `pk` off
    the wall: `access_removable_wall_post` (Http404 or Refused), then
    `do_remove_wall_post`."""
    post = access_removable_wall_post(user, pk)
    do_remove_wall_post(user, post)
    return post


def do_remove_wall_post(user: User, post: WallPost) -> None:
    """The wall's owner (or the message's author; the caller asked
    `access_removable_wall_post`) takes it off the wall. Audited. Moderators
    still see it in any case it has; nobody else does."""
    with transaction.atomic():
        WallPost.objects.filter(pk=post.pk).update(removed_by_owner_at=timezone.now())
        audit(user, "wall.removed", pathway=post.pathway, target=post)


# Presents ---------------------------------------------------------------------------


def gifts_for(pathway: Pathway) -> QuerySet[Gift]:
    """The catalogue offered in `pathway`: gifts for every pathway and its own."""
    from django.db.models import Q

    return (
        Gift.objects.filter(live=True)
        .filter(Q(pathways=None) | Q(pathways=pathway))
        .select_related("image")
        .distinct()
    )


def check_present_allowance(sender: User, now: datetime | None = None) -> None:
    """Refused once `sender` has sent HARBOUR_PRESENTS_PER_DAY presents in
    the last 24 hours."""
    now = now or timezone.now()
    sent = Present.objects.filter(
        author=sender, created_at__gte=now - timedelta(days=1)
    ).count()
    if sent >= settings.HARBOUR_PRESENTS_PER_DAY:
        raise Refused(
            _(
                "You've sent %(n)s presents today, which is the most for one "
                "day. You can send more tomorrow."
            )
            % {"n": sent}
        )


def do_send_present(
    sender: User,
    recipient: User,
    pathway: Pathway,
    gift: Gift,
    note: str = "",
    language: str = "en",
) -> Submission:
    """`sender` gives `recipient` a present in a pathway both are in, with an
    optional short note (through the pipeline). Refused (or InvalidInput) to
    oneself, when the recipient blocked the sender, when the gift is not
    offered in the pathway or the sender's daily allowance is used up. The
    recipient hears of a published present."""
    if sender == recipient:
        raise InvalidInput(_("Presents are for someone else."))
    if (
        has_blocked(recipient, sender)
        or not Membership.objects.filter(
            user=recipient, pathway=pathway, status=MembershipStatus.ACTIVE
        ).exists()
    ):
        raise Refused(_("You can't send a present to this person."))
    if not gifts_for(pathway).filter(pk=gift.pk).exists():
        raise InvalidInput(_("Please choose one of the presents shown."))
    check_present_allowance(sender)
    return submit_content(
        sender,
        pathway,
        {"body": note},
        lambda submission: Present(
            pathway=pathway,
            author=sender,
            recipient=recipient,
            gift=gift,
            body=submission.clean["body"],
        ),
        language=language,
        optional=frozenset({"body"}),
    )


def after_present_published(present: Present) -> None:
    notify(
        present.recipient,
        present.pathway,
        "present",
        _("%(name)s sent you a present: %(gift)s.")
        % {"name": present.author.display_name, "gift": present.gift.name},
        kind_of(present).url(present),
        actor=present.author,
    )


# Profiles ---------------------------------------------------------------------------


def do_set_profile(
    user: User,
    *,
    bio: str,
    pronouns: str,
    avatar: str,
    display_name: str | None = None,
    language: str = "en",
) -> Submission | None:
    """`user` sets their display name (already checked by the form: not
    taken, not an email or phone number), pronouns, picture and bio. A new
    display name is audited, so moderators can follow a person. The texts go
    through each of their pathways' pipelines (a rule pack of any pathway asks for a
    rewrite, and nothing is stored); the bio is then stored once per pathway
    so each pathway's moderators and rules apply. Returns the first
    pathway's submission (for telling the author), or None with no pathway."""
    memberships = list(
        Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)
        .select_related("pathway")
        .order_by("pk")
    )
    fields = {"bio": bio, "pronouns": pronouns}

    def save_user(first: Submission | None) -> None:
        clean = first.clean if first else fields
        user.pronouns = clean["pronouns"][:30]
        user.avatar = avatar
        changed = ["pronouns", "avatar"]
        if display_name and display_name != user.display_name:
            # Not the old name: audit rows outlive an erased account (#19).
            audit(user, "profile.renamed", target=user)
            try:
                do_save_display_name(user, display_name, fields=changed)
            except ValidationError as error:
                raise InvalidInput(error.messages[0]) from error
        else:
            user.save(update_fields=changed)

    def profile_text(submission: Submission) -> ProfileText | None:
        text = submission.clean["bio"]
        assert submission.membership is not None  # noqa: S101 - one per membership
        pathway = submission.membership.pathway
        existing = ProfileText.objects.filter(author=user, pathway=pathway).first()
        if not text:
            if existing:
                existing.delete()
            return None
        if existing and existing.body == text:
            return None
        profile_text = existing or ProfileText(author=user, pathway=pathway)
        profile_text.body = text
        profile_text.created_at = timezone.now()
        return profile_text

    return submit_content(
        user,
        memberships,
        fields,
        profile_text,
        language=language,
        optional=frozenset(fields),
        before=save_user,
    )


def do_set_privacy(
    user: User,
    *,
    wall_audience: str,
    wall_open: bool,
    message_audience: str,
    show_presence: bool,
    share_read_receipts: bool,
) -> None:
    """`user` chooses who sees their wall, whether others may write on it, who
    may message them, and whether chat shows them as here and their read
    receipts (chat hears of a change through post_save)."""
    user.wall_audience = wall_audience
    user.wall_open = wall_open
    user.message_audience = message_audience
    user.show_presence = show_presence
    user.share_read_receipts = share_read_receipts
    user.save(update_fields=PRIVACY_FIELDS)


def do_set_avatar_image(user: User, upload: File | None) -> None:
    """`user` sets their own picture (already checked by the form: a real
    PNG/JPEG/WebP under the size limit), or removes it with None. What is
    stored is the picture drawn anew (community.safety.pictures.reencode_picture):
    at most 1024 pixels a side, with no EXIF (GPS location), XMP or other metadata;
    PictureError if it cannot be."""
    if user.avatar_image:
        user.avatar_image.delete(save=False)
    if upload is None:
        user.avatar_image = ""
    else:
        data, kind = reencode_picture(upload)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        name = f"{user.pk}-{stamp}.{IMAGE_EXTENSIONS[kind]}"
        user.avatar_image.save(name, ContentFile(data), save=False)
    user.save(update_fields=["avatar_image"])
