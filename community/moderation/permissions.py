"""The moderation wing's part of the access layer: the cases, alerts,
content and rota shifts of a moderator's own pathway, and who edits risk
phrases. Each `access_*` returns the object or raises Http404, alike for
missing and another pathway's."""

from typing import TypeVar

from django.http import Http404

from community.inputs import with_id
from community.models import MemberContent, Membership, Role, User
from community.moderation.models import DutyShift, ModerationCase, RiskAlert
from community.permissions import active_memberships

_C = TypeVar("_C", bound=MemberContent)


def access_moderated_content(membership: Membership, model: type[_C], pk: object) -> _C:
    """Any piece of content of kind `model` in the moderator's pathway,
    whatever its status (for its edit history); Http404 otherwise."""
    obj = with_id(model._default_manager.filter(pathway=membership.pathway), pk).first()
    if obj is None:
        raise Http404("No such content")
    return obj


def access_case(membership: Membership, pk: object) -> ModerationCase:
    """A moderation case of the moderator's pathway; Http404 otherwise."""
    case = (
        with_id(ModerationCase.objects.filter(pathway=membership.pathway), pk)
        .select_related("author", "content_type")
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def access_alert(membership: Membership, pk: object) -> RiskAlert:
    """A risk alert of the moderator's pathway; Http404 otherwise."""
    alert = (
        with_id(RiskAlert.objects.filter(pathway=membership.pathway), pk)
        .select_related("case", "author", "notified", "acknowledged_by")
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    return alert


def access_shift(membership: Membership, pk: object) -> DutyShift:
    """A rota shift of the lead's pathway; Http404 otherwise."""
    shift = with_id(DutyShift.objects.filter(pathway=membership.pathway), pk).first()
    if shift is None:
        raise Http404("No such shift")
    return shift


def can_manage_risk_phrases(user: User) -> bool:
    """Service leads (in any pathway) and site administrators edit risk phrases."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or active_memberships(user).filter(role=Role.LEAD).exists()
