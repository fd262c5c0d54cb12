"""The core's models: people, pathways, memberships, invitations, crisis
contacts and the audit (people.py), display names (names.py), what every kind
of member content shares (content.py), blocks and mutes (silence.py) and the
worker's heartbeat. Import them from here.

Each wing keeps its own models in its package (community/forums/models.py,
social, moderation, notifications, safety); CommunityConfig.import_models
loads them with these, under the one `community` app label, so no table or
migration changed when they moved (docs/decisions/0018-community-wings.md)."""

from .consent import Consent, Document
from .content import ContentRevision, ContentStatus, MemberContent
from .people import (
    AVATARS,
    DISPLAY_NAME_CHARS,
    EMAIL_LIKE,
    PHONE_LIKE,
    STAFF_ROLES,
    URGENT_ACKNOWLEDGE_MINUTES,
    URGENT_ROLE_ORDER,
    Audience,
    AuditEvent,
    CrisisContact,
    EmailFrequency,
    Invitation,
    JoinRequest,
    Membership,
    MembershipStatus,
    Pathway,
    PathwayGroup,
    Role,
    RulePack,
    User,
    UserManager,
    new_invitation_code,
    validate_display_name,
)
from .silence import Block, Mute, MuteWord
from .worker import WorkerHeartbeat

__all__ = [
    "AVATARS",
    "Audience",
    "AuditEvent",
    "Block",
    "Consent",
    "ContentRevision",
    "ContentStatus",
    "CrisisContact",
    "Document",
    "DISPLAY_NAME_CHARS",
    "EMAIL_LIKE",
    "EmailFrequency",
    "Invitation",
    "JoinRequest",
    "MemberContent",
    "Membership",
    "MembershipStatus",
    "Mute",
    "MuteWord",
    "PHONE_LIKE",
    "Pathway",
    "PathwayGroup",
    "Role",
    "RulePack",
    "STAFF_ROLES",
    "URGENT_ACKNOWLEDGE_MINUTES",
    "URGENT_ROLE_ORDER",
    "User",
    "UserManager",
    "WorkerHeartbeat",
    "new_invitation_code",
    "validate_display_name",
]
