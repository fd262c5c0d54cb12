"""Making a pathway's Wagtail side: its landing page under the site's home
page, the view restriction that keeps the landing page's subtree private to
the pathway's groups, each role's page permissions, the pathway's collection
for its files and its review workflow.

home.signals runs `sync_pathway_structure` when a pathway is created (inside
the creating transaction); the Wagtail admin's pathway editor runs it again
after each edit (home.wagtail_hooks). The Django group per role is the
community core's (`community.actions.ensure_pathway_groups`).
"""

from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    PageViewRestriction,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from community.actions import ensure_pathway_groups
from community.models import Pathway, Role

from .models import HomePage, PathwayPage

# Wagtail page permissions each role holds on its pathway's subtree.
ROLE_PAGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.MEMBER: (),
    Role.CARER: (),
    Role.PEER: ("add_page", "change_page"),
    Role.CLINICIAN: ("add_page", "change_page", "publish_page", "lock_page"),
    Role.LEAD: (
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ),
}
ADMIN_ROLES = (Role.PEER, Role.CLINICIAN, Role.LEAD)


def sync_pathway_structure(pathway: Pathway) -> None:
    """Make sure `pathway` has a group per role, a landing page under the site's
    home page, and on it and each of its translations a view restriction to its
    groups (so the whole subtree is private to the pathway), each role's page
    permissions and the pathway's review workflow; and a collection for its
    files. Idempotent."""
    groups = ensure_pathway_groups(pathway)
    landing = PathwayPage.objects.filter(pathway=pathway).order_by("pk").first()
    if landing is None:
        home = HomePage.objects.order_by("pk").first()
        if home is None:
            raise RuntimeError("The site needs a home page before pathways.")
        landing = PathwayPage(
            title=pathway.name,
            slug=pathway.slug,
            pathway=pathway,
            introduction=pathway.description,
        )
        home.add_child(instance=landing)
        landing.save_revision().publish()

    ensure_pathway_collection(pathway, groups)
    # Every language's landing page (translations live in their own tree)
    # gets the same privacy, permissions and workflow.
    for page in PathwayPage.objects.filter(pathway=pathway):
        _protect_landing(page, groups)
        ensure_pathway_workflow(pathway, page, groups)


def _protect_landing(landing, groups: dict[str, Group]) -> None:
    """A view restriction to the pathway's groups on `landing` (its whole
    subtree is private) and each role's page permissions there."""
    restriction, _created = PageViewRestriction.objects.get_or_create(
        page=landing, defaults={"restriction_type": PageViewRestriction.GROUPS}
    )
    restriction.restriction_type = PageViewRestriction.GROUPS
    restriction.save()
    restriction.groups.set(groups.values())

    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for role, group in groups.items():
        wanted = set(ROLE_PAGE_PERMISSIONS[role])
        perms = Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=wanted
        )
        GroupPagePermission.objects.filter(group=group, page=landing).exclude(
            permission__in=perms
        ).delete()
        for perm in perms:
            GroupPagePermission.objects.get_or_create(
                group=group, page=landing, permission=perm
            )
        if role in ADMIN_ROLES:
            group.permissions.add(admin_access)
        else:
            group.permissions.remove(admin_access)


# Documents and media of a pathway live in its own collection; its staff may
# add, change and choose them there. Serving them asks the access layer.
COLLECTION_PERMISSIONS = {
    "wagtaildocs": ("add_document", "change_document", "choose_document"),
    "wagtailimages": ("add_image", "change_image", "choose_image"),
    # wagtailmedia checks permissions on its own Media model, whichever
    # media model is in use (ours is home.PeerMedia).
    "wagtailmedia": ("add_media", "change_media"),
}


def ensure_pathway_collection(pathway: Pathway, groups: dict[str, Group]):
    """The pathway's collection under the root collection, with its staff's
    permissions on it. Idempotent."""
    if pathway.collection_id is None:
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        pathway.collection = root.add_child(name=f"{pathway.name} ({pathway.pk})")
        pathway.save(update_fields=["collection"])
    perms = Permission.objects.filter(
        content_type__app_label__in=COLLECTION_PERMISSIONS,
        codename__in=[c for codes in COLLECTION_PERMISSIONS.values() for c in codes],
    )
    for role in ADMIN_ROLES:
        for perm in perms:
            GroupCollectionPermission.objects.get_or_create(
                group=groups[role], collection=pathway.collection, permission=perm
            )
    return pathway.collection


def ensure_pathway_workflow(pathway: Pathway, landing, groups: dict[str, Group]):
    """The pathway's editorial workflow on its landing page's subtree: a peer
    submits, a clinician (or lead) of this pathway approves or asks for
    changes. Idempotent."""
    name = f"Review: {pathway.name} ({pathway.pk})"
    workflow, _created = Workflow.objects.get_or_create(name=name)
    task, _created = GroupApprovalTask.objects.get_or_create(
        name=f"Clinician review: {pathway.name} ({pathway.pk})"
    )
    task.groups.set([groups[Role.CLINICIAN], groups[Role.LEAD]])
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    WorkflowPage.objects.update_or_create(page=landing, defaults={"workflow": workflow})
    return workflow
