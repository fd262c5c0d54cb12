"""Receivers that keep the core in step whichever road changed it: each
person's Django groups follow their memberships (an action, the admin, a
shell)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from community.actions import sync_membership_groups
from community.models import Membership


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    sync_membership_groups(instance.user, instance.pathway)
