"""Access to pages, documents, images and video files: the part of the access
layer that knows Wagtail's tree and collections.

It rests on the community core's answers (`community.permissions`: who is an
active member of which pathway) and adds where a page or file sits. Each
`access_*` returns the object or raises `Http404`, alike for what is missing
and what is forbidden, so nothing tells a stranger that a page or file exists.
"""

from typing import TYPE_CHECKING

from django.db.models.fields.files import FieldFile
from django.http import Http404
from wagtail.models import Collection, Page
from wagtail.query import PageQuerySet

from community.inputs import with_id
from community.models import Pathway, User
from community.permissions import access_profile, can_view_pathway, visible_pathways

from .models import PathwayPage, pathway_of

if TYPE_CHECKING:
    from wagtailmedia.models import AbstractMedia


def pages_visible_to(
    user: User, pages: PageQuerySet, *, in_admin: bool = False
) -> PageQuerySet:
    """`pages` (a Page queryset) without those inside pathways the user is not an
    active member of. Site-wide pages stay. In the admin, site administrators
    (superusers) see every pathway; on the site, nobody reads a pathway they are
    not a member of, administrators included."""
    if in_admin and user.is_superuser:
        return pages
    foreign = PathwayPage.objects.exclude(pathway__in=visible_pathways(user))
    for path in foreign.values_list("path", flat=True):
        pages = pages.exclude(path__startswith=path)
    return pages


def access_page(user: User, page_id: object, *, in_admin: bool = False) -> Page:
    """The page `page_id` if it is site-wide or inside a pathway the user may
    read (in the admin, site administrators may read all); else Http404, alike
    for a missing page and another pathway's. Any caller may use it; it reads
    and locks nothing."""
    page = with_id(Page.objects.all(), page_id).first()
    if page is None or not can_view_page(user, page, in_admin=in_admin):
        raise Http404("No such page")
    return page


def can_view_page(user: User, page: Page, *, in_admin: bool = False) -> bool:
    """True if `page` is site-wide or inside a pathway the user may read."""
    if in_admin and user.is_superuser:
        return True
    pathway = pathway_of(page)
    return pathway is None or can_view_pathway(user, pathway)


# Documents and media --------------------------------------------------------------


def pathway_of_collection(collection: Collection | None) -> Pathway | None:
    """The pathway whose collection holds `collection` (itself or an
    ancestor), or None for site-wide collections."""
    if collection is None:
        return None
    paths = [
        collection.path[:end]
        for end in range(
            collection.steplen, len(collection.path) + 1, collection.steplen
        )
    ]
    return Pathway.objects.filter(collection__path__in=paths).first()


def can_view_collection_item(user: User, item: object) -> bool:
    """True if a document or media file is site-wide or in a pathway the
    user is an active member of (site administrators included: files follow
    the same rule as pages on the site)."""
    pathway = pathway_of_collection(getattr(item, "collection", None))
    return pathway is None or can_view_pathway(user, pathway)


def access_media(user: User, pk: object) -> "AbstractMedia":
    """A video file the user may watch (site-wide, or in a pathway they are an
    active member of); Http404 otherwise, alike for missing and forbidden."""
    from wagtailmedia.models import get_media_model

    item = with_id(get_media_model().objects.all(), pk).first()
    if item is None or not can_view_collection_item(user, item):
        raise Http404("No such file")
    return item


def access_stored_file(user: User, name: str) -> FieldFile:
    """The stored file `name` (a path under the media root) if the user may
    see what it belongs to: an image or its rendition, a document, a video
    or its poster by their collection (as `can_view_collection_item`), a
    profile picture by its owner's profile (`access_profile`); Http404 for
    anything else, alike for missing and forbidden. Only what a row of the
    database names is ever found, so no path reaches the disk unchecked."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtailmedia.models import get_media_model

    if not name or len(name) > 500:
        raise Http404("No such file")
    image_model = get_image_model()
    rendition = (
        image_model.get_rendition_model()
        .objects.filter(file=name)
        .select_related("image__collection")
        .first()
    )
    owner: object = None
    field: FieldFile | None = None
    if rendition is not None:
        owner, field = rendition.image, rendition.file
    else:
        for model, fields in (
            (image_model, ("file",)),
            (get_document_model(), ("file",)),
            (get_media_model(), ("file", "thumbnail")),
        ):
            for field_name in fields:
                found = model.objects.filter(**{field_name: name}).first()
                if found is not None:
                    owner, field = found, getattr(found, field_name)
                    break
            if owner is not None:
                break
    if owner is not None:
        if not can_view_collection_item(user, owner):
            raise Http404("No such file")
        assert field is not None  # noqa: S101 - found with its owner
        return field
    person = User.objects.filter(avatar_image=name).first()
    if person is None:
        raise Http404("No such file")
    return access_profile(user, person.pk).avatar_image
