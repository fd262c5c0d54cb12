"""A pathway's landing page translated into another language (by
wagtail-localize) gets the pathway's privacy, permissions and workflow."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import PathwayPage


@receiver(post_save, sender=PathwayPage)
def protect_a_new_landing_page(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from community.actions import sync_pathway_structure

        pathway = instance.pathway
        transaction.on_commit(lambda: sync_pathway_structure(pathway))
