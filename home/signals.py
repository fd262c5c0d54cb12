"""A new pathway gets its Wagtail side; a pathway's landing page translated into
another language (by wagtail-localize) gets the pathway's privacy, permissions
and workflow. Page, document and author changes make the shared fragments
drawn from them stale (cms/fragments.py)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.documents import get_document_model_string
from wagtail.documents.models import AbstractDocument
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.fragments import bump
from community.models import Pathway, User

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


# Shared fragments (cms/fragments.py): a page body and a pathway's lists of
# pages are kept for every reader, so whatever changes what they show makes
# them stale. Rich text and cards link to other pages and documents by id and
# are drawn with their current URLs and titles, so any page or document
# change renews the whole family: publishing is rare beside reading.
@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def page_changed(sender, instance=None, **kwargs):
    bump("pages")


@receiver(post_delete)
def page_or_document_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page | AbstractDocument):
        bump("pages")


@receiver(post_save, sender=get_document_model_string())
def document_saved(sender, instance, raw=False, **kwargs):
    bump("pages")


@receiver(post_save, sender=User)
def author_renamed(sender, instance, update_fields=None, raw=False, **kwargs):
    # A pathway page lists its blogs by their authors' display names (and
    # erasure renames a person). A sign-in saves only last_login: no change.
    if update_fields is None or "display_name" in update_fields:
        bump("people")
