"""Keep each person's Django groups in step with their memberships, whichever
road changed the membership (an action, the admin, a shell)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .actions import sync_membership_groups
from .models import Membership


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    sync_membership_groups(instance.user, instance.pathway)
