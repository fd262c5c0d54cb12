"""community.notifications.permissions: failed deliveries are seen and sent again
only by their pathway's leads and site administrators."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from community.models import Role
from community.notifications.permissions import access_failed_delivery
from tests.factories import (
    UserFactory,
    make_failed_delivery,
    make_member,
)

pytestmark = pytest.mark.django_db


def test_failed_deliveries_are_seen_by_their_pathways_leads_and_site_admins(
    pathway, other_pathway
):
    from community.notifications.models import DeliveryState
    from community.notifications.permissions import (
        can_review_all_deliveries,
        failed_deliveries_for,
    )

    mine = make_failed_delivery(pathway)
    theirs = make_failed_delivery(other_pathway)
    sent = make_failed_delivery(pathway, state=DeliveryState.SENT)
    lead = make_member(pathway, Role.LEAD)
    admin = UserFactory(is_superuser=True, is_staff=True)
    # Allow: a lead sees their pathway's; an admin sees every pathway's.
    assert list(failed_deliveries_for(lead, pathway)) == [mine]
    assert access_failed_delivery(lead, mine.pk, pathway=pathway) == mine
    assert set(failed_deliveries_for(admin)) == {mine, theirs}
    assert access_failed_delivery(admin, theirs.pk) == theirs
    assert can_review_all_deliveries(admin) and not can_review_all_deliveries(lead)
    # Deny, alike with not found: another pathway's lead, other staff, members,
    # strangers, a lead asking outside a pathway, a delivery that did not fail.
    other_lead = make_member(other_pathway, Role.LEAD)
    clinician = make_member(pathway, Role.CLINICIAN)
    for user, pk, where in [
        (other_lead, mine.pk, pathway),
        (other_lead, mine.pk, other_pathway),
        (clinician, mine.pk, pathway),
        (make_member(pathway), mine.pk, pathway),
        (AnonymousUser(), mine.pk, pathway),
        (lead, mine.pk, None),
        (lead, sent.pk, pathway),
        (lead, 999999, pathway),
        (admin, "x", None),
    ]:
        with pytest.raises(Http404):
            access_failed_delivery(user, pk, pathway=where)
    assert not failed_deliveries_for(other_lead, pathway).exists()
    assert not failed_deliveries_for(clinician, pathway).exists()
