"""The moderation wing's receivers: a delivery given up
(community.notifications.deliveries.delivery_failed) is told to the pathway's
leads and the site administrators, and a risk alert whose every delivery at
its level failed escalates at once. Both run inside the transaction that gave
the delivery up."""

from django.dispatch import receiver

from community.moderation.alerts import do_escalate_undelivered_alert
from community.notifications.actions import notify_delivery_failed
from community.notifications.deliveries import delivery_failed
from community.notifications.models import Delivery


@receiver(delivery_failed, sender=Delivery)
def delivery_given_up(sender, delivery: Delivery, **kwargs) -> None:
    notify_delivery_failed(delivery)
    if delivery.risk_alert_id is not None:
        do_escalate_undelivered_alert(delivery)
