"""What a member's copy of their data holds, and the zip it comes in.

`collect(user)` gathers every section (a list of plain rows per section);
`build_zip(user)` writes them as `data.json` for machines and `index.html`
for people (escaped by the template engine, no scripts, a policy that lets
nothing run), with their own uploaded picture beside them.

`COVERAGE` is the reviewed list of every link from a row to a person
(model label, field): exported in a named section, or deliberately left out
with the reason. tests/community/rights/test_exports.py walks every model
and every registered content kind and fails on one missing here, so a new
kind of personal data cannot slip past the export unnoticed.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import (
    Block,
    Consent,
    ContentRevision,
    Invitation,
    JoinRequest,
    Membership,
    Mute,
    MuteWord,
    User,
)
from community.moderation.models import DutyShift, Report, Sanction
from community.notifications.models import Notification, PushSubscription
from community.queries import language_of
from community.safety.registry import ContentKind, registered_kinds
from community.safetyplan.models import SafetyPlan
from community.safetyplan.queries import steps_of
from community.social.models import Present, Reaction
from community.survey.models import SurveyAnswer, SurveyPrompt

EXPORTED = "exported"

# Every foreign key to the user model, by (model label, field): the section it
# is exported in, or (LEFT_OUT, why). Registered content kinds are exported
# through the registry (section "content"), whatever their author field.
LEFT_OUT = "left out"
COVERAGE: dict[tuple[str, str], tuple[str, str]] = {
    # The person and their sign-in.
    ("account.EmailAddress", "user"): (EXPORTED, "email_addresses"),
    ("mfa.Authenticator", "user"): (EXPORTED, "two_factor"),
    ("community.Membership", "user"): (EXPORTED, "memberships"),
    ("community.Membership", "invited_by"): (
        LEFT_OUT,
        "who a staff member let in is the other person's membership",
    ),
    ("community.JoinRequest", "user"): (EXPORTED, "join_requests"),
    ("community.JoinRequest", "decided_by"): (
        LEFT_OUT,
        "a staff member's decision on another person's request",
    ),
    ("community.Invitation", "used_by"): (EXPORTED, "invitations"),
    ("community.Invitation", "created_by"): (
        LEFT_OUT,
        "a staff member's invitations name other people (codes, the care "
        "team's note); their own audit rows record the work",
    ),
    ("community.User_groups", "user"): (
        LEFT_OUT,
        "Django groups follow memberships, which are exported",
    ),
    ("community.User_user_permissions", "user"): (
        LEFT_OUT,
        "admin permissions: the site's configuration, not the person's data",
    ),
    # Their own choices.
    ("community.Block", "blocker"): (EXPORTED, "blocks"),
    ("community.Block", "blocked"): (
        LEFT_OUT,
        "who blocked the member is the other person's private choice",
    ),
    ("community.Mute", "muter"): (EXPORTED, "mutes"),
    ("community.Mute", "muted"): (
        LEFT_OUT,
        "who muted the member is the other person's private choice",
    ),
    ("community.MuteWord", "user"): (EXPORTED, "mute_words"),
    ("community.TopicFollow", "user"): (EXPORTED, "follows"),
    ("community.Reaction", "user"): (EXPORTED, "reactions"),
    ("community.Notification", "user"): (EXPORTED, "notifications"),
    ("community.Notification", "actor"): (
        LEFT_OUT,
        "notices the member caused are other people's notices",
    ),
    ("community.PushSubscription", "user"): (EXPORTED, "phones"),
    ("community.Consent", "user"): (EXPORTED, "consents"),
    ("community.NoticeFanOut", "actor"): (
        LEFT_OUT,
        "Harbour's record that a post's notices went out; the post is exported",
    ),
    ("community.Delivery", "recipient"): (
        LEFT_OUT,
        "Harbour's own emails and pushes of notices, which are exported",
    ),
    # Content, beside the registered kinds.
    ("community.WallPost", "owner"): (EXPORTED, "content"),
    ("community.Present", "recipient"): (EXPORTED, "presents_received"),
    ("community.Report", "reporter"): (EXPORTED, "reports_made"),
    ("community.ModerationCase", "author"): (
        LEFT_OUT,
        "staff's moderation record about the member's posts: the trust answers "
        "a subject access request for it (docs/decisions/0023-data-rights.md)",
    ),
    ("community.RiskAlert", "author"): (
        LEFT_OUT,
        "clinical record kept by the trust; released through a subject access "
        "request after a clinician's review (serious harm test)",
    ),
    ("community.SafetyLabel", "author"): (
        LEFT_OUT,
        "staff's label on text the member wrote, which is exported itself",
    ),
    # Staff work: exported where it is the person's own schedule, left out
    # where it is a record about other people.
    ("community.DutyShift", "user"): (EXPORTED, "duty_shifts"),
    ("community.DutyShift", "created_by"): (LEFT_OUT, "another person's shift"),
    ("community.ModerationCase", "decided_by"): (
        LEFT_OUT,
        "a decision about another member's post",
    ),
    ("community.RiskAlert", "notified"): (LEFT_OUT, "another member's alert"),
    ("community.RiskAlert", "acknowledged_by"): (LEFT_OUT, "another member's alert"),
    ("community.RiskAlert", "resolved_by"): (LEFT_OUT, "another member's alert"),
    ("community.RiskAlertNote", "author"): (
        LEFT_OUT,
        "a clinical note about another member",
    ),
    ("community.SafetyLabel", "decided_by"): (LEFT_OUT, "another member's text"),
    ("community.Sanction", "created_by"): (LEFT_OUT, "a sanction on another member"),
    ("community.RiskPhrase", "created_by"): (
        LEFT_OUT,
        "the pathway's risk lexicon, not personal data",
    ),
    ("community.AuditEvent", "actor"): (EXPORTED, "audit"),
    # Chat: messages are a registered kind; rooms and places in them here.
    ("chat.Room", "member"): (EXPORTED, "chat_rooms"),
    ("chat.Room", "peer"): (EXPORTED, "chat_rooms"),
    ("chat.Room", "picked_up_by"): (
        LEFT_OUT,
        "a staff member picking up another member's support conversation",
    ),
    ("chat.ReadCursor", "user"): (
        LEFT_OUT,
        "how far they have read: a pointer with no content of its own",
    ),
    ("chat.Presence", "user"): (
        LEFT_OUT,
        "an open socket right now, gone within a minute",
    ),
    # The content library: comments are a registered kind (home.PageComment).
    ("django_comments.Comment", "user"): (EXPORTED, "content"),
    ("django_comments.CommentFlag", "user"): (
        LEFT_OUT,
        "not used: reports go through Harbour's own reports (exported)",
    ),
    # The Wagtail admin: staff's editorial work belongs to the trust's
    # publications; the pages themselves are public to their pathway.
    ("wagtailusers.UserProfile", "user"): (
        LEFT_OUT,
        "admin interface preferences (language, theme)",
    ),
    ("wagtailcore.Page", "owner"): (LEFT_OUT, "the trust's published pages"),
    ("wagtailcore.Page", "locked_by"): (LEFT_OUT, "an editing lock"),
    ("wagtailcore.Revision", "user"): (LEFT_OUT, "the trust's page history"),
    ("wagtailcore.PageLogEntry", "user"): (LEFT_OUT, "the trust's page history"),
    ("wagtailcore.ModelLogEntry", "user"): (LEFT_OUT, "the trust's admin history"),
    ("wagtailcore.WorkflowState", "requested_by"): (LEFT_OUT, "editorial workflow"),
    ("wagtailcore.TaskState", "finished_by"): (LEFT_OUT, "editorial workflow"),
    ("wagtailcore.Comment", "user"): (LEFT_OUT, "editors' notes on draft pages"),
    ("wagtailcore.Comment", "resolved_by"): (LEFT_OUT, "editorial workflow"),
    ("wagtailcore.CommentReply", "user"): (LEFT_OUT, "editors' notes"),
    ("wagtailcore.PageSubscription", "user"): (LEFT_OUT, "admin notifications"),
    ("wagtailcore.UploadedFile", "uploaded_by_user"): (LEFT_OUT, "a file mid-upload"),
    ("wagtailcore.APIToken", "user"): (LEFT_OUT, "a secret, never exported"),
    ("wagtailadmin.EditingSession", "user"): (LEFT_OUT, "an open admin editor"),
    ("wagtailadmin.FormState", "user"): (LEFT_OUT, "an admin form's state"),
    ("wagtailimages.Image", "uploaded_by_user"): (LEFT_OUT, "the trust's media"),
    ("wagtaildocs.Document", "uploaded_by_user"): (LEFT_OUT, "the trust's media"),
    ("wagtailmedia.Media", "uploaded_by_user"): (LEFT_OUT, "the trust's media"),
    ("home.PeerMedia", "uploaded_by_user"): (LEFT_OUT, "the trust's media"),
    ("wagtail_localize.StringTranslation", "last_translated_by"): (
        LEFT_OUT,
        "translations of the trust's pages",
    ),
    ("wagtail_localize.SegmentOverride", "last_translated_by"): (
        LEFT_OUT,
        "translations of the trust's pages",
    ),
    # The helpfulness survey: answers (a comment is a registered kind).
    ("community.SurveyAnswer", "user"): (EXPORTED, "survey_answers"),
    ("community.SurveyPrompt", "user"): (EXPORTED, "survey_asked"),
    # The safety plan: its steps are a registered kind (in "content" too).
    ("community.SafetyPlan", "owner"): (EXPORTED, "safety_plan"),
    ("community.SafetyPlan", "shared_with"): (
        LEFT_OUT,
        "a plan another member shared with this clinician is that member's",
    ),
    ("community.AuthorLatest", "author"): (
        LEFT_OUT,
        "Harbour's note of when the member last wrote in a pathway, worked "
        "out from the posts, which are exported",
    ),
    ("community.AuthorDay", "author"): (
        LEFT_OUT,
        "Harbour's count of the member's posts a day for the pathway's "
        "figures, worked out from the posts, which are exported",
    ),
    # This wing's own rows: the export is the copy itself.
    ("community.DataExport", "user"): (LEFT_OUT, "the copies themselves"),
}

# Not yet in Harbour: the place they go when they come (section -> note).
NOT_YET: dict[str, str] = {}


def _value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Model, fields: Iterable[str], **extra: object) -> dict[str, object]:
    row = {name: _value(getattr(obj, name)) for name in fields}
    row.update({key: _value(value) for key, value in extra.items()})
    return row


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _content(user: User) -> list[dict[str, object]]:
    """Everything the member wrote, of every registered kind, with earlier
    texts of what they edited."""
    rows: list[dict[str, object]] = []
    for kind in registered_kinds():
        objects = kind.model.objects.filter(**{kind.author_field: user}).order_by(  # type: ignore[attr-defined]
            "pk"
        )
        ids = [obj.pk for obj in objects]
        earlier: dict[int, list[str]] = {}
        for revision in ContentRevision.objects.filter(
            content_kind=kind.name, object_id__in=ids
        ).order_by("replaced_at"):
            earlier.setdefault(revision.object_id, []).append(revision.body)
        for obj in objects:
            rows.append(_content_row(kind, obj, earlier.get(obj.pk, [])))
    return rows


def _content_row(kind: ContentKind, obj: Any, earlier: list[str]) -> dict[str, object]:
    row: dict[str, object] = {
        "kind": kind.name,
        "kind_label": str(kind.label),
        "id": obj.pk,
        # A private plan belongs to no pathway.
        "community": str(obj.pathway) if obj.pathway is not None else "",
        "written_at": _value(obj.created_at),
        "status": obj.status,
    }
    if hasattr(obj, "title"):
        row["title"] = obj.title
    row["text"] = getattr(obj, kind.body_field)
    if earlier:
        row["earlier_texts"] = earlier
    if isinstance(obj, Present):
        row["to"] = _name(obj.recipient)
        row["present"] = obj.gift.name
    owner = getattr(obj, "owner", None)
    if isinstance(owner, User):
        row["on_the_wall_of"] = _name(owner)
    room = getattr(obj, "room", None)
    if room is not None:
        row["chat"] = room.name
    return row


def _safety_plan(user: User) -> dict[str, object]:
    """The member's safety plan: each step's words, in order, and what they
    chose (kept offline; the clinician it is shared with, by display name)."""
    plan = SafetyPlan.objects.filter(owner=user).select_related("shared_with").first()
    return {
        "steps": [
            {"step": str(item.label), "entries": item.entries}
            for item in steps_of(user)
            if item.entries
        ],
        "kept_on_phone": bool(plan and plan.keep_offline),
        "shared_with": _name(plan.shared_with) if plan else "",
        "shared_at": _value(plan.shared_at) if plan else None,
    }


def collect(user: User) -> dict[str, Any]:
    """Every section of `user`'s copy of their data, as plain JSON values."""
    topic_follow = apps.get_model("community", "TopicFollow")
    room_model = apps.get_model("chat", "Room")
    memberships = Membership.objects.filter(user=user).select_related("pathway")
    wall_kind = next((k for k in registered_kinds() if k.name == "wall"), None)
    data: dict[str, Any] = {
        "about": {
            "made_at": _value(timezone.now()),
            "what": _("Your data on Harbour, as the site held it when this was made."),
        },
        "profile": _row(
            user,
            (
                "email",
                "display_name",
                "pronouns",
                "date_of_birth",
                "avatar",
                "date_joined",
                "last_login",
            ),
            own_picture=user.avatar_image.name if user.avatar_image else "",
        ),
        "settings": _row(
            user,
            (
                "content_warnings",
                "wall_audience",
                "wall_open",
                "message_audience",
                "show_presence",
                "share_read_receipts",
                "email_notifications",
                "web_push",
                "notice_details",
                "easy_read",
                "easy_read_chosen",
            ),
        ),
        "email_addresses": [
            _row(address, ("email", "verified", "primary"))
            for address in EmailAddress.objects.filter(user=user)
        ],
        "two_factor": [
            _row(method, ("type", "created_at", "last_used_at"))
            for method in Authenticator.objects.filter(user=user)
        ],
        "memberships": [
            _row(
                m,
                ("role", "status", "joined_at", "approved_posts", "muted_until"),
                community=m.pathway.name,
                sanctions=[
                    _row(s, ("kind", "until", "created_at"))
                    for s in Sanction.objects.filter(membership=m)
                ],
            )
            for m in memberships
        ],
        "join_requests": [
            _row(r, ("message", "created_at", "decision"), community=str(r.pathway))
            for r in JoinRequest.objects.filter(user=user).select_related("pathway")
        ],
        "invitations": [
            _row(i, ("role", "used_at"), community=str(i.pathway))
            for i in Invitation.objects.filter(used_by=user).select_related("pathway")
        ],
        "consents": [
            _row(c, ("document", "version", "accepted_at"))
            for c in Consent.objects.filter(user=user)
        ],
        "content": _content(user),
        "wall_messages_to_you": [],
        "presents_received": [
            _row(
                p,
                ("created_at",),
                present=p.gift.name,
                note=p.body,
                **{"from": _name(p.author)},
            )
            for p in Present.objects.filter(recipient=user, status="published")
            .select_related("gift", "author")
            .order_by("pk")
        ],
        "reactions": [
            _row(r, ("content_kind", "object_id", "reaction", "created_at"))
            for r in Reaction.objects.filter(user=user).order_by("pk")
        ],
        "follows": [
            _row(f, ("created_at",), topic=f.topic.title)
            for f in topic_follow.objects.filter(user=user).select_related("topic")
        ],
        "reports_made": [
            _row(
                r,
                ("reason", "detail", "created_at", "outcome"),
                about=r.case.content_type.model,
            )
            for r in Report.objects.filter(reporter=user).select_related(
                "case__content_type"
            )
        ],
        "blocks": [
            _row(b, ("created_at",), person=_name(b.blocked))
            for b in Block.objects.filter(blocker=user).select_related("blocked")
        ],
        "mutes": [
            _row(m, ("created_at",), person=_name(m.muted))
            for m in Mute.objects.filter(muter=user).select_related("muted")
        ],
        "mute_words": [w.word for w in MuteWord.objects.filter(user=user)],
        "notifications": [
            _row(n, ("kind", "message", "url", "created_at", "read_at"))
            for n in Notification.objects.filter(user=user).order_by("pk")
        ],
        "phones": [
            _row(p, ("endpoint", "created_at"))
            for p in PushSubscription.objects.filter(user=user)
        ],
        "chat_rooms": [
            _row(r, ("kind", "name", "created_at", "closed_at"))
            for r in room_model.objects.filter(Q(member=user) | Q(peer=user))
        ],
        "duty_shifts": [
            _row(s, ("starts_at", "ends_at", "position"), community=str(s.pathway))
            for s in DutyShift.objects.filter(user=user).select_related("pathway")
        ],
        "survey_answers": [
            _row(
                a,
                ("score", "answered_at"),
                answer=a.get_score_display(),
                community=str(a.pathway),
            )
            for a in SurveyAnswer.objects.filter(user=user)
            .select_related("pathway")
            .order_by("answered_at")
        ],
        "survey_asked": [
            _row(p, ("last_asked_at", "stopped_at"))
            for p in SurveyPrompt.objects.filter(user=user)
        ],
        "safety_plan": _safety_plan(user),
        "audit": [
            _row(a, ("action", "target_type", "created_at"))
            for a in apps.get_model("community", "AuditEvent")
            .objects.filter(actor=user)
            .order_by("created_at")
        ],
    }
    if wall_kind is not None:
        # What others wrote on the member's own wall (published only: what
        # moderators held was never theirs to read).
        data["wall_messages_to_you"] = [
            _row(
                post,
                ("created_at",),
                text=post.body,
                **{"from": _name(post.author)},
            )
            for post in wall_kind.model.objects.filter(  # type: ignore[attr-defined]
                owner=user, status="published", removed_by_owner_at=None
            )
            .exclude(author=user)
            .select_related("author")
            .order_by("pk")
        ]
    data.update({key: {"note": note, "items": []} for key, note in NOT_YET.items()})
    return data


SECTION_TITLES = {
    "profile": gettext_lazy("Your profile"),
    "settings": gettext_lazy("Your settings and privacy choices"),
    "email_addresses": gettext_lazy("Your email addresses"),
    "two_factor": gettext_lazy("Two-factor sign-in"),
    "memberships": gettext_lazy("Your communities and roles"),
    "join_requests": gettext_lazy("Requests to join"),
    "invitations": gettext_lazy("Invitations you used"),
    "content": gettext_lazy("Everything you wrote"),
    "wall_messages_to_you": gettext_lazy("Messages others left on your wall"),
    "presents_received": gettext_lazy("Presents you received"),
    "reactions": gettext_lazy("Your reactions"),
    "follows": gettext_lazy("Topics you follow"),
    "reports_made": gettext_lazy("Reports you made"),
    "blocks": gettext_lazy("People you blocked"),
    "mutes": gettext_lazy("People you muted"),
    "mute_words": gettext_lazy("Your muted words"),
    "notifications": gettext_lazy("Your notifications"),
    "phones": gettext_lazy("Phones that get notifications"),
    "chat_rooms": gettext_lazy("Your support and direct conversations"),
    "duty_shifts": gettext_lazy("Your duty shifts"),
    "audit": gettext_lazy("Staff actions you took"),
    "consents": gettext_lazy("Consents"),
    "survey_answers": gettext_lazy(
        "Your answers to “Has Harbour helped your recovery?”"
    ),
    "survey_asked": gettext_lazy("When we last asked you that"),
    "safety_plan": gettext_lazy("Your safety plan"),
}


def _node(value: object) -> dict[str, object]:
    """`value` as a tree the page's template walks (no logic in it)."""
    if isinstance(value, dict):
        if set(value) == {"note", "items"} and not value["items"]:
            return {"type": "text", "text": value["note"]}
        return {
            "type": "map",
            "pairs": [
                (str(key).replace("_", " ").capitalize(), _node(item))
                for key, item in value.items()
            ],
        }
    if isinstance(value, list | tuple):
        return {"type": "list", "items": [_node(item) for item in value]}
    return {"type": "text", "text": "—" if value is None or value == "" else value}


def render_html(data: dict[str, Any]) -> str:
    """The readable page: every value escaped by the template engine."""
    sections = [
        {"key": key, "title": SECTION_TITLES.get(key, key), "node": _node(value)}
        for key, value in data.items()
        if key != "about"
    ]
    return render_to_string(
        "rights/export.html", {"about": data["about"], "sections": sections}
    )


def build_zip(user: User) -> bytes:
    """The zip a member downloads: data.json, index.html and their own
    uploaded picture, if they have one."""
    # In the language the member last read the site in: the page's words
    # and section titles (data.json's keys stay as they are, for programs).
    with translation.override(language_of(user)):
        data = collect(user)
        page = render_html(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str)
        )
        archive.writestr("index.html", page)
        if user.avatar_image:
            try:
                with user.avatar_image.open("rb") as picture:
                    extension = (user.avatar_image.name or "").rpartition(".")[2][:5]
                    archive.writestr(f"picture.{extension}", picture.read())
            except OSError:
                pass  # the row names a file storage no longer has
    return buffer.getvalue()
