"""Closing an account: what happens to each kind of row that names a person.

The User row stays, anonymised and deactivated ("Former member" and a short
random tag), so what the trust must keep for clinical safety (risk alerts,
moderation cases, the audit) still points somewhere that names nobody. The
rest is erased or anonymised here, inside the caller's transaction
(`community.rights.actions.do_close_account`).

`ERASURE` is the reviewed list of every link from a row to a person and
what closing does with it; tests/community/rights/test_erasure.py walks
every model and fails on a link missing here, then proves that nothing
personal of a closed account remains, for both choices.
"""

import secrets
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils import timezone
from wagtail.search.index import Indexed, insert_or_update_object

from community.models import (
    Audience,
    Block,
    ContentRevision,
    ContentStatus,
    EmailFrequency,
    JoinRequest,
    Membership,
    MembershipStatus,
    Mute,
    MuteWord,
    User,
)
from community.moderation.models import (
    DutyShift,
    Report,
    RiskAlert,
    SafetyLabel,
)
from community.notifications.models import Delivery, Notification, PushSubscription
from community.safety.registry import ContentKind, registered_kinds
from community.social.models import Reaction

ERASED = "erased"  # the rows go
ANONYMISED = "anonymised"  # the rows stay, naming the former member
KEPT = "kept"  # the rows stay as they are: why is said beside them

ERASURE: dict[tuple[str, str], tuple[str, str]] = {
    ("account.EmailAddress", "user"): (ERASED, "email addresses"),
    ("mfa.Authenticator", "user"): (ERASED, "two-factor secrets and codes"),
    ("community.User_groups", "user"): (ERASED, "groups follow memberships"),
    ("community.User_user_permissions", "user"): (ERASED, "no more admin rights"),
    ("community.Membership", "user"): (
        ANONYMISED,
        "suspended, so the former member is in no community's lists; kept "
        "for the sanctions moderators gave",
    ),
    ("community.Membership", "invited_by"): (KEPT, "another person's membership"),
    ("community.JoinRequest", "user"): (ERASED, "the request and its message"),
    ("community.JoinRequest", "decided_by"): (KEPT, "another person's request"),
    ("community.Invitation", "used_by"): (
        ANONYMISED,
        "the care team's record that the invitation was used (the row holds "
        "no email: Harbour's invitations are codes)",
    ),
    ("community.Invitation", "created_by"): (KEPT, "the care team's record"),
    ("community.Block", "blocker"): (ERASED, "the member's own choices"),
    ("community.Block", "blocked"): (KEPT, "another person's choice"),
    ("community.Mute", "muter"): (ERASED, "the member's own choices"),
    ("community.Mute", "muted"): (KEPT, "another person's choice"),
    ("community.MuteWord", "user"): (ERASED, "the member's own words"),
    ("community.TopicFollow", "user"): (ERASED, "nothing to tell them any more"),
    ("community.Reaction", "user"): (
        ERASED,
        "with their posts; kept under the former member when they keep them",
    ),
    ("community.Notification", "user"): (ERASED, "their notices"),
    ("community.Notification", "actor"): (
        ANONYMISED,
        "other people's notices, which name the former member",
    ),
    ("community.PushSubscription", "user"): (ERASED, "their phones' endpoints"),
    ("community.Consent", "user"): (
        KEPT,
        "the trust's record of which terms were agreed, and when: no words",
    ),
    ("community.NoticeFanOut", "actor"): (
        KEPT,
        "which post's notices went out: no words, no address, only the row",
    ),
    ("community.Delivery", "recipient"): (
        ERASED,
        "except a risk alert's own (clinical record; it holds no address)",
    ),
    ("community.WallPost", "owner"): (
        ANONYMISED,
        "others' messages on the wall stay theirs, under the former member",
    ),
    ("community.Present", "recipient"): (ANONYMISED, "the sender's present"),
    ("community.Report", "reporter"): (
        ANONYMISED,
        "the moderation record keeps the report; its words go unless it "
        "belongs to a risk alert",
    ),
    ("community.ModerationCase", "author"): (
        KEPT,
        "clinical safety: the case stays, naming the former member",
    ),
    ("community.ModerationCase", "decided_by"): (KEPT, "the moderation record"),
    ("community.RiskAlert", "author"): (
        KEPT,
        "clinical safety: the alert stays, naming the former member",
    ),
    ("community.RiskAlert", "notified"): (KEPT, "the escalation record"),
    ("community.RiskAlert", "acknowledged_by"): (KEPT, "the escalation record"),
    ("community.RiskAlert", "resolved_by"): (KEPT, "the escalation record"),
    ("community.RiskAlertNote", "author"): (KEPT, "a clinical note"),
    ("community.SafetyLabel", "author"): (
        ERASED,
        "a labelled copy of the member's text (models.SafetyLabel's rule)",
    ),
    ("community.SafetyLabel", "decided_by"): (KEPT, "another member's label"),
    ("community.DutyShift", "user"): (
        ERASED,
        "shifts to come; past shifts stay as the rota's record",
    ),
    ("community.DutyShift", "created_by"): (KEPT, "the rota's record"),
    ("community.Sanction", "created_by"): (KEPT, "the moderation record"),
    ("community.RiskPhrase", "created_by"): (KEPT, "the pathway's lexicon"),
    ("community.AuditEvent", "actor"): (
        KEPT,
        "the audit, naming the former member (no member text in any row)",
    ),
    ("community.DataExport", "user"): (ERASED, "the copies and their files"),
    ("community.SurveyAnswer", "user"): (
        ANONYMISED,
        "a score and its date, kept for the pathway's figures under the former "
        "member (no words: a comment is a registered kind, erased as posts are)",
    ),
    ("community.SurveyPrompt", "user"): (ERASED, "when they were last asked"),
    ("community.SafetyPlan", "owner"): (
        ERASED,
        "their safety plan and what they chose about it (its steps, a "
        "registered kind, go with it)",
    ),
    ("community.SafetyPlan", "shared_with"): (
        ANONYMISED,
        "a plan another member shared with them stays that member's; the share ends",
    ),
    ("chat.Room", "member"): (ANONYMISED, "the conversation stays for the other"),
    ("chat.Room", "peer"): (ANONYMISED, "the conversation stays for the other"),
    ("chat.Room", "picked_up_by"): (KEPT, "the support record"),
    ("chat.ReadCursor", "user"): (ERASED, "where they had read to"),
    ("chat.Presence", "user"): (ERASED, "open sockets"),
    ("django_comments.Comment", "user"): (
        ANONYMISED,
        "comments (a registered kind): the name and email copied into them go",
    ),
    ("django_comments.CommentFlag", "user"): (ERASED, "unused flags"),
    ("wagtailusers.UserProfile", "user"): (ERASED, "admin preferences and avatar"),
    ("wagtailcore.APIToken", "user"): (ERASED, "a secret"),
    ("wagtailadmin.EditingSession", "user"): (ERASED, "an open editor"),
    ("wagtailadmin.FormState", "user"): (ERASED, "an admin form's state"),
    ("wagtailcore.PageSubscription", "user"): (ERASED, "admin notifications"),
    ("wagtailcore.UploadedFile", "uploaded_by_user"): (ERASED, "files mid-upload"),
    ("wagtailcore.Page", "owner"): (KEPT, "the trust's pages, by the former member"),
    ("wagtailcore.Page", "locked_by"): (KEPT, "an editing lock"),
    ("wagtailcore.Revision", "user"): (KEPT, "the trust's page history"),
    ("wagtailcore.PageLogEntry", "user"): (KEPT, "the trust's page history"),
    ("wagtailcore.ModelLogEntry", "user"): (KEPT, "the trust's admin history"),
    ("wagtailcore.WorkflowState", "requested_by"): (KEPT, "editorial workflow"),
    ("wagtailcore.TaskState", "finished_by"): (KEPT, "editorial workflow"),
    ("wagtailcore.Comment", "user"): (KEPT, "editors' notes on the trust's pages"),
    ("wagtailcore.Comment", "resolved_by"): (KEPT, "editorial workflow"),
    ("wagtailcore.CommentReply", "user"): (KEPT, "editors' notes"),
    ("wagtailimages.Image", "uploaded_by_user"): (KEPT, "the trust's media"),
    ("wagtaildocs.Document", "uploaded_by_user"): (KEPT, "the trust's media"),
    ("wagtailmedia.Media", "uploaded_by_user"): (KEPT, "the trust's media"),
    ("home.PeerMedia", "uploaded_by_user"): (KEPT, "the trust's media"),
    ("wagtail_localize.StringTranslation", "last_translated_by"): (
        KEPT,
        "translations of the trust's pages",
    ),
    ("wagtail_localize.SegmentOverride", "last_translated_by"): (
        KEPT,
        "translations of the trust's pages",
    ),
}

# Rows of other apps erased with the account, by label and user field.
ERASED_ELSEWHERE = (
    ("wagtailusers", "UserProfile", "user"),
    ("wagtailcore", "APIToken", "user"),
    ("wagtailadmin", "EditingSession", "user"),
    ("wagtailadmin", "FormState", "user"),
    ("wagtailcore", "PageSubscription", "user"),
    ("wagtailcore", "UploadedFile", "uploaded_by_user"),
    ("django_comments", "CommentFlag", "user"),
    ("chat", "ReadCursor", "user"),
    ("chat", "Presence", "user"),
    ("community", "SurveyPrompt", "user"),
    # The safety plan is private to its owner: every step goes, not only
    # with "remove posts" (nothing of it is a clinical record).
    ("community", "SafetyPlanStep", "author"),
    ("community", "SafetyPlan", "owner"),
)

REMOVED_TITLE = "(removed by its author)"
FORMER_MEMBER = "Former member"


def former_name() -> tuple[str, str]:
    """A display name and an address that name nobody, unique by a random tag."""
    while True:
        tag = secrets.token_hex(3)
        name = f"{FORMER_MEMBER} {tag}"
        if not User.objects.filter(display_name__iexact=name).exists():
            return name, f"former-{tag}-{secrets.token_hex(4)}@closed.invalid"


def _with_risk_alert(kind: ContentKind, rows: QuerySet) -> QuerySet:
    """Of `rows` (of `kind`), those a risk alert was raised on: the trust's
    clinical record keeps their words for its clinicians."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(kind.model)
    alerted = RiskAlert.objects.filter(
        case__content_type=content_type, case__object_id=OuterRef("pk")
    )
    return rows.filter(Exists(alerted))


def _erase_text(kind: ContentKind, rows: QuerySet, others_reply: bool) -> None:
    """Erase the words of `rows`: those others replied under keep their
    place in the thread, marked removed; the rest are hidden as well."""
    fields: dict[str, Any] = {kind.body_field: "", "original_body": ""}
    model_fields = {f.name for f in kind.model._meta.get_fields()}  # type: ignore[attr-defined]
    if "title" in model_fields:
        fields["title"] = REMOVED_TITLE
    if not others_reply:
        fields["status"] = ContentStatus.HIDDEN
        if "is_public" in model_fields:
            fields["is_public"] = False  # comments: xtd's own flag follows status
    ids = list(rows.values_list("pk", flat=True))
    rows.update(**fields)
    model: Any = kind.model
    if issubclass(model, Indexed):
        # The search index holds a copy of the words: it follows at once.
        for obj in model.objects.filter(pk__in=ids):
            insert_or_update_object(obj)


def erase_content(user: User, *, remove_posts: bool) -> dict[str, int]:
    """The member's content of every registered kind: with `remove_posts`,
    its words are erased (a post others replied under stays in its thread,
    marked removed; the rest is hidden); either way their bio goes, and
    copies of their name and address inside a row (comments) go. Words a
    risk alert was raised on stay for the pathway's clinicians only (hidden
    from members). Returns how many rows of each kind lost their words."""
    counts: dict[str, int] = {}
    for kind in registered_kinds():
        model: Any = kind.model
        rows = model.objects.filter(**{kind.author_field: user})
        model_fields = {f.name for f in model._meta.get_fields()}
        copies = {
            name: value
            for name, value in (
                ("user_email", ""),
                ("user_url", ""),
                ("ip_address", None),
            )
            if name in model_fields
        }
        if copies:
            rows.update(**copies)
        if not (remove_posts or kind.name == "bio"):
            continue
        clinical = _with_risk_alert(kind, rows)
        clinical_ids = list(clinical.values_list("pk", flat=True))
        clinical.update(status=ContentStatus.HIDDEN)
        erasing = rows.exclude(pk__in=clinical_ids)
        ids = list(erasing.values_list("pk", flat=True))
        if "replies" in {f.name for f in model._meta.related_objects}:
            # Topics and wall messages: others' replies hang under them.
            reply_link = model.replies.field
            others = reply_link.model.objects.filter(
                **{reply_link.name: OuterRef("pk")}
            ).exclude(author=user)
            replied_ids = list(
                erasing.filter(Exists(others)).values_list("pk", flat=True)
            )
            _erase_text(kind, model.objects.filter(pk__in=replied_ids), True)
            _erase_text(kind, erasing.exclude(pk__in=replied_ids), False)
        else:
            _erase_text(kind, erasing, False)
        ContentRevision.objects.filter(
            content_kind=kind.name, object_id__in=ids
        ).delete()
        counts[kind.name] = len(ids)
    return counts


def end_sessions(user: User) -> int:
    """End every session of `user`, on every device, at once. Sessions kept
    in the database (the default engine, or cached_db) are found and
    deleted; with any engine, the deactivated account and its unusable
    password (which changes the session's auth hash) make Django drop a
    session it cannot find here on its next request."""
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    ended = 0
    key = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == key:
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def erase_person(user: User, *, remove_posts: bool) -> dict[str, int]:
    """Everything closing does besides the audit, inside the caller's
    transaction; returns counts for the audit row (no member text)."""
    counts = erase_content(user, remove_posts=remove_posts)
    name, address = former_name()
    # Rows that copy the name: comments keep the display name beside the user.
    for kind in registered_kinds():
        if "user_name" in {f.name for f in kind.model._meta.get_fields()}:  # type: ignore[attr-defined]
            kind.model.objects.filter(  # type: ignore[attr-defined]
                **{kind.author_field: user}
            ).update(user_name=name)
    if remove_posts:
        Reaction.objects.filter(user=user).delete()
    for app_label, model_name, field in ERASED_ELSEWHERE:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        model._default_manager.filter(**{field: user}).delete()
    # A plan others shared with them: the share ends, the plan stays theirs.
    apps.get_model("community", "SafetyPlan").objects.filter(shared_with=user).update(
        shared_with=None, shared_in=None, shared_at=None
    )
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    PushSubscription.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    Block.objects.filter(blocker=user).delete()
    Mute.objects.filter(muter=user).delete()
    MuteWord.objects.filter(user=user).delete()
    apps.get_model("community", "TopicFollow").objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    Delivery.objects.filter(recipient=user, risk_alert=None).delete()
    SafetyLabel.objects.filter(author=user).delete()
    DutyShift.objects.filter(user=user, ends_at__gt=timezone.now()).delete()
    alerted_cases = RiskAlert.objects.values("case")
    Report.objects.filter(reporter=user).exclude(case__in=alerted_cases).update(
        detail=""
    )
    for membership in Membership.objects.filter(user=user).exclude(
        status=MembershipStatus.SUSPENDED
    ):
        membership.status = MembershipStatus.SUSPENDED
        membership.save(update_fields=["status"])  # groups follow (signals)
    user.groups.clear()
    user.user_permissions.clear()
    picture = user.avatar_image.name if user.avatar_image else ""
    _anonymise(user, name, address)
    if picture:
        user.avatar_image.storage.delete(picture)
    counts["sessions"] = end_sessions(user)
    return counts


def _anonymise(user: User, name: str, address: str) -> None:
    """The User row, kept so foreign keys point at someone who is nobody."""
    defaults: dict[str, Any] = {
        "email": address,
        "display_name": name,
        "first_name": "",
        "last_name": "",
        "date_of_birth": None,
        "pronouns": "",
        "avatar": "leaf",
        "avatar_image": "",
        "is_active": False,
        "is_staff": False,
        "is_superuser": False,
        "last_login": None,
        "wall_audience": Audience.NOBODY,
        "wall_open": False,
        "message_audience": Audience.NOBODY,
        "show_presence": False,
        "share_read_receipts": False,
        "email_notifications": EmailFrequency.OFF,
        "web_push": False,
        "notice_details": False,
        # Easy read can hint at a learning disability: nothing of it is kept.
        "easy_read": False,
        "easy_read_chosen": False,
    }
    for field, value in defaults.items():
        setattr(user, field, value)
    user.set_unusable_password()
    user.save()


def is_former_member(user: Model) -> bool:
    return (
        isinstance(user, User)
        and not user.is_active
        and user.email.endswith("@closed.invalid")
    )
