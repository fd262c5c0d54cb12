"""The notifications wing's part of the access layer: which failed
deliveries a person may see and send again (site administrators all, a
service lead their pathway's, anyone else none)."""

from django.db.models import QuerySet
from django.http import Http404

from community.inputs import with_id
from community.models import Pathway, Role, User
from community.notifications.models import Delivery, DeliveryState
from community.permissions import membership_in


def failed_deliveries_for(
    user: User, pathway: Pathway | None = None
) -> QuerySet[Delivery]:
    """Deliveries given up (community/notifications/deliveries.py), as `user`
    may see them,
    newest first, with their recipients: a site administrator sees every one
    (or `pathway`'s); an active service lead of `pathway` sees that pathway's;
    anyone else, none. What leads see names the recipient by display name and
    shows no address."""
    failed = (
        Delivery.objects.filter(state=DeliveryState.FAILED)
        .select_related("recipient", "pathway")
        .order_by("-created_at", "-pk")
    )
    if not user.is_authenticated or not user.is_active:
        return Delivery.objects.none()
    if user.is_superuser:
        return failed if pathway is None else failed.filter(pathway=pathway)
    if pathway is None:
        return Delivery.objects.none()
    membership = membership_in(user, pathway)
    if membership is None or membership.role != Role.LEAD:
        return Delivery.objects.none()
    return failed.filter(pathway=pathway)


def can_review_all_deliveries(user: User) -> bool:
    """Only site administrators see every pathway's failed deliveries (the
    Wagtail admin's list); leads see their own pathway's on its queue page."""
    return user.is_authenticated and user.is_active and user.is_superuser


def access_failed_delivery(
    user: User, pk: object, pathway: Pathway | None = None
) -> Delivery:
    """A delivery given up that `user` may see and try again (see
    `failed_deliveries_for`; within `pathway` when given); Http404 otherwise,
    alike for one that is missing, another pathway's, or not failed."""
    found = with_id(failed_deliveries_for(user, pathway), pk).first()
    if found is None:
        raise Http404("No such delivery")
    return found
