"""community.moderation.signals: what happens when a delivery is given up."""

import pytest

from community.models import Role

pytestmark = pytest.mark.django_db


def test_a_delivery_given_up_is_told_and_its_alert_that_reached_nobody_escalates(
    pathway,
):
    from community.forums import actions as forums
    from community.moderation.models import RiskAlert
    from community.notifications.deliveries import delivery_failed
    from community.notifications.models import Delivery, Notification
    from tests.factories import make_forum, make_member, make_trusted, put_on_duty

    lead = make_member(pathway, Role.LEAD)
    first = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, first)
    forums.do_start_topic(
        make_trusted(pathway), make_forum(pathway), "x", "I want to kill myself"
    )
    email = Delivery.objects.get(risk_alert__isnull=False, channel="email")
    Delivery.objects.filter(pk=email.pk).update(state="failed")
    email.refresh_from_db()
    delivery_failed.send(sender=Delivery, delivery=email)
    assert Notification.objects.filter(user=lead, kind="delivery_failed").exists()
    alert = RiskAlert.objects.get()
    assert alert.to_leads and alert.level == 1  # no one else on the rota
