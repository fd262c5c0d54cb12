"""Receivers that keep things in step whichever road changed them.

- Each person's Django groups follow their memberships (an action, the admin,
  a shell).
- A delivery given up (community.notifications.deliveries.delivery_failed)
  is told to the pathway's leads and the site administrators, and a risk
  alert whose every delivery at its level failed escalates at once. Both run inside the
  transaction that gave the delivery up.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from community.actions import sync_membership_groups
from community.models import Delivery, Membership
from community.moderation.actions import do_escalate_undelivered_alert
from community.notifications.actions import notify_delivery_failed
from community.notifications.deliveries import delivery_failed


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    sync_membership_groups(instance.user, instance.pathway)


@receiver(delivery_failed, sender=Delivery)
def delivery_given_up(sender, delivery: Delivery, **kwargs) -> None:
    notify_delivery_failed(delivery)
    if delivery.risk_alert_id is not None:
        do_escalate_undelivered_alert(delivery)
