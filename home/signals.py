"""A new pathway gets its Wagtail side; a pathway's landing page translated into
another language (by wagtail-localize) gets the pathway's privacy, permissions
and workflow."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from community.models import Pathway

from .models import PathwayPage
from .pathways import sync_pathway_structure


@receiver(post_save, sender=Pathway)
def give_a_new_pathway_its_wagtail_side(sender, instance, created, raw=False, **kw):
    # Inside the creating transaction (community.actions.do_create_pathway, the
    # admin's snippet editor): a pathway never exists without its landing page.
    if created and not raw:
        sync_pathway_structure(instance)


@receiver(post_save, sender=PathwayPage)
def protect_a_new_landing_page(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        pathway = instance.pathway
        transaction.on_commit(lambda: sync_pathway_structure(pathway))
