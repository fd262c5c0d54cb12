"""Chat follows pathways and memberships, whichever road changed them (an
action, the Wagtail admin, a shell): a new pathway gets its default room; a
member who is no longer active is taken out of its rooms' open sockets at once
(chat.events.announce_revoked); a person who shows or hides that they are here
is shown or hidden in the rooms they are in at once."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from community.models import Membership, MembershipStatus, Pathway, User

from .actions import ensure_default_room
from .events import announce_revoked
from .presence import announce_rooms_of


@receiver(post_save, sender=Pathway)
def pathway_saved(sender, instance: Pathway, created, raw=False, **kwargs) -> None:
    if created and not raw:
        ensure_default_room(instance)


@receiver(post_save, sender=Membership)
def membership_saved(sender, instance: Membership, raw=False, **kwargs) -> None:
    if not raw and instance.status != MembershipStatus.ACTIVE:
        announce_revoked(instance.user_id, instance.pathway_id)


@receiver(post_delete, sender=Membership)
def membership_deleted(sender, instance: Membership, **kwargs) -> None:
    announce_revoked(instance.user_id, instance.pathway_id)


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    # Only a save that names the setting: a plain save() (a login stamp, an
    # admin edit) cannot tell what changed, and most people are in no room.
    if not raw and update_fields and "show_presence" in update_fields:
        announce_rooms_of(instance)
