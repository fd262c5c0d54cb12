"""A forum's change shows at once on its pathway's list of forums, which is
kept for every reader of the pathway (cms/fragments.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cms.fragments import bump

from .models import Forum


@receiver(post_save, sender=Forum)
@receiver(post_delete, sender=Forum)
def forum_changed(sender, instance: Forum, **kwargs) -> None:
    bump("forums")
