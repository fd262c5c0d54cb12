"""Walk every URL pattern of the Wagtail admin as the staff of pathway B (a
clinician, a peer supporter and a service lead, each with two-factor), with
pathway A's identifiers filled in and with identifiers that do not exist.

One of every kind is planted in pathway A, each named with a marker word: a
page of each page type, an image, a document, a video, a collection, each
snippet, a workflow and a task (and a page going through them), a page
comment of each kind, a tag, an upload waiting to be finished, an editing
session and A's staff. No answer to B's staff may hold a marker (in the body
or a redirect's Location), and every URL with A's identifier must answer as
the same URL with a missing one: A's things do not exist for B's staff.

The walk runs twice: on the test settings' storage, and on S3 (moto's server),
where no signed URL of A's files (their keys) may be given to B."""

import io
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import boto3
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage
from wagtail.admin.models import EditingSession
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Comment,
    GroupApprovalTask,
    Locale,
    UploadedFile,
    WorkflowTask,
)
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import TranslationCreator

from community.models import CrisisContact, PathwayGroup, Role
from community.notifications.models import Delivery, DeliveryChannel, DeliveryState
from home.comments import do_comment
from home.models import (
    BlogIndexPage,
    BlogPage,
    HomePage,
    PathwayPage,
    PeerMedia,
    ResourcePage,
    VideoIndexPage,
    VideoPage,
)
from home.pathways import sync_pathway_structure
from tests.cms.test_urls import all_routes
from tests.factories import (
    enrol_totp,
    make_gift,
    make_member,
    make_pathway,
    make_trusted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.walk]

MISSING = "987654"
# Wagtail's own view for testing error reporting raises on purpose.
DELIBERATE_ERRORS = {"/admin/failwhale/"}
# Signing out would end the walk's session.
NOT_WALKED = {"admin/logout/"}
PARAM = re.compile(
    r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)"
)
# A word in every title of pathway A that is not itself a marker: searching for
# it would find A's things, and the search page echoes it back harmlessly.
SEARCH_WORD = "Circle"

MARKERS = {
    "pathway": "Zephyrine",
    "blog index": "Quillwort",
    "blog post": "Obsidianite",
    "video index": "Tamarillo",
    "video page": "Kumquat",
    "resource": "Rambutan",
    "image": "Jabuticaba",
    "image file": "quetzalimg",
    "document": "Persimmon",
    "document file": "loquatdoc",
    "video": "Guanabana",
    "video file": "cherimoyavid",
    "sub-collection": "Nebulosa",
    "crisis contact": "Xanthippe",
    "gift": "Marshmallow",
    "staff display name": "Yggdrasil",
    "staff real name": "Wolframite",
    "member comment": "Pomegranate",
    "review comment": "Lingonberry",
    "tag": "Sapodilla",
    "task": "Durian",
    "upload": "tamarindupload",
    "redirect": "salsifyredirect",
    "translation": "Mangosteen",
}


@dataclass
class Planted:
    ids: dict[str, str]
    bulk: dict[tuple[str, str], str]
    keys: list[str] = field(default_factory=list)


def png_bytes() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def plant_pathway_a() -> Planted:
    m = MARKERS
    pathway = make_pathway(f"{m['pathway']} {SEARCH_WORD}", slug="zephyrine")
    landing = PathwayPage.objects.get(pathway=pathway)
    lead = make_member(
        pathway,
        Role.LEAD,
        display_name=f"{m['staff display name']} Lead",
        first_name=m["staff real name"],
        last_name="Leadsworth",
        email="wolframite.lead@example.org",
    )
    enrol_totp(lead)
    member = make_trusted(pathway, display_name="Yggdrasil Member")

    def add(parent, page):
        page.owner = lead
        parent.add_child(instance=page)
        page.save_revision(user=lead).publish()
        return page

    blog_index = add(
        landing, BlogIndexPage(title=f"{m['blog index']} {SEARCH_WORD}", slug="qw")
    )
    blog = add(blog_index, BlogPage(title=f"{m['blog post']} {SEARCH_WORD}", slug="ob"))
    blog.tags.add(f"{m['tag']}")
    blog.save_revision(user=lead).publish()
    video_index = add(
        landing, VideoIndexPage(title=f"{m['video index']} {SEARCH_WORD}", slug="ta")
    )
    resource = add(
        landing, ResourcePage(title=f"{m['resource']} {SEARCH_WORD}", slug="ra")
    )

    collection = pathway.collection
    sub = collection.add_child(name=f"{m['sub-collection']} {SEARCH_WORD}")
    image = get_image_model().objects.create(
        title=f"{m['image']} {SEARCH_WORD}",
        file=ContentFile(png_bytes(), name=f"{m['image file']}.png"),
        collection=collection,
        uploaded_by_user=lead,
    )
    image.tags.add(m["tag"])
    document = get_document_model().objects.create(
        title=f"{m['document']} {SEARCH_WORD}",
        file=ContentFile(b"WEBVTT\n\n", name=f"{m['document file']}.vtt"),
        collection=sub,
        uploaded_by_user=lead,
    )
    video = PeerMedia(
        title=f"{m['video']} {SEARCH_WORD}",
        type="video",
        collection=collection,
        uploaded_by_user=lead,
        duration=1,
    )
    video.file.save(f"{m['video file']}.mp4", ContentFile(b"\0" * 64), save=False)
    video.thumbnail.save(f"{m['video file']}.png", ContentFile(png_bytes()), save=False)
    video.save()
    video.tags.add(m["tag"])
    video_page = add(
        video_index,
        VideoPage(
            title=f"{m['video page']} {SEARCH_WORD}",
            slug="ku",
            video=video,
            captions=document,
        ),
    )

    contact = CrisisContact.objects.create(
        pathway=pathway, name=f"{m['crisis contact']} line", phone="0100"
    )
    gift = make_gift(f"{m['gift']} {SEARCH_WORD}", pathways=[pathway])

    # The pathway's review workflow with a second task, and the blog post in it.
    workflow = landing.get_workflow()
    task = GroupApprovalTask.objects.create(name=f"{m['task']} {SEARCH_WORD}")
    task.groups.set([pg.group for pg in PathwayGroup.objects.filter(pathway=pathway)])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=1)
    blog.save_revision(user=lead)
    workflow_state = workflow.start(blog, lead)
    task_state = workflow_state.current_task_state
    blog.refresh_from_db()
    blog.locked, blog.locked_by, blog.locked_at = True, lead, timezone.now()
    blog.save(update_fields=["locked", "locked_by", "locked_at"])

    do_comment(member, blog, f"{m['member comment']} here")
    revision = blog.latest_revision
    Comment.objects.create(
        page=blog,
        user=lead,
        text=f"{m['review comment']} note",
        contentpath="title",
        revision_created=revision,
    )
    session = EditingSession.objects.create(
        user=lead,
        content_type=ContentType.objects.get(app_label="wagtailcore", model="page"),
        object_id=str(blog.pk),
        last_seen_at=timezone.now(),
    )
    # A Welsh translation of the blog post (wagtail-localize, as its "translate"
    # action makes one: each ancestor first), with a translated string that
    # names it.
    welsh = Locale.objects.get(language_code="cy")
    creator = TranslationCreator(lead, [welsh])
    for page in [*blog.get_ancestors().filter(depth__gt=1), blog]:
        creator.create_translations(page.specific)
    # What home.signals does once the Welsh landing page is committed.
    sync_pathway_structure(pathway)
    source = TranslationSource.objects.get_for_instance(blog)
    translation = Translation.objects.get(source=source, target_locale=welsh)
    segment = StringSegment.objects.filter(source=source).first()
    StringTranslation.objects.create(
        translation_of=segment.string,
        locale=welsh,
        context=segment.context,
        data=f"{m['translation']} {SEARCH_WORD}",
    )
    redirect = Redirect.objects.create(old_path=f"/{m['redirect']}", redirect_page=blog)
    failed = Delivery.objects.create(
        channel=DeliveryChannel.EMAIL,
        recipient=lead,
        pathway=pathway,
        subject="Harbour",
        body="Harbour",
        state=DeliveryState.FAILED,
    )
    uploads = {}
    for model in (get_image_model(), get_document_model()):
        uploads[model._meta.model_name] = UploadedFile.objects.create(
            file=SimpleUploadedFile(f"{m['upload']}.png", png_bytes()),
            for_content_type=ContentType.objects.get_for_model(model),
            uploaded_by_user=lead,
        )

    group = PathwayGroup.objects.filter(pathway=pathway).first().group
    ids = {
        "page": str(blog.pk),
        "landing": str(landing.pk),
        "revision": str(revision.pk),
        "image": str(image.pk),
        "document": str(document.pk),
        "media": str(video.pk),
        "collection": str(sub.pk),
        "group": str(group.pk),
        "user": str(lead.pk),
        "workflow": str(workflow.pk),
        "task": str(task.pk),
        "task_state": str(task_state.pk),
        "workflow_state": str(workflow_state.pk),
        "session": str(session.pk),
        "uploaded_image": str(uploads["image"].pk),
        "uploaded_document": str(uploads["document"].pk),
        "crisiscontact": str(contact.pk),
        "gift": str(gift.pk),
        "pathway": str(pathway.pk),
        "translation": str(translation.pk),
        "translation_source": str(source.pk),
        "string_segment": str(segment.pk),
        "redirect": str(redirect.pk),
        "delivery": str(failed.pk),
    }
    bulk = {
        ("wagtailcore", "page"): str(blog.pk),
        ("wagtaildocs", "document"): str(document.pk),
        ("wagtailimages", "image"): str(image.pk),
        ("community", "crisiscontact"): str(contact.pk),
        ("community", "gift"): str(gift.pk),
        ("community", "pathway"): str(pathway.pk),
    }
    keys = [
        image.file.name,
        document.file.name,
        video.file.name,
        video.thumbnail.name,
    ]
    # A page of every page type of home.models but the site's home page.
    planted_types = {
        type(page)
        for page in (landing, blog_index, blog, video_index, video_page, resource)
    }
    assert planted_types == set(page_models()) - {HomePage}
    return Planted(ids=ids, bulk=bulk, keys=keys)


def page_models():
    from wagtail.models import get_page_models

    return [model for model in get_page_models() if model._meta.app_label == "home"]


# Which kind of thing each URL parameter names.
BY_NAME = {
    "page_id": "page",
    "parent_page_id": "page",
    "page_to_move_id": "page",
    "page_pk": "page",
    "object_id": "page",
    "destination_id": "landing",
    "revision_id": "revision",
    "revision_id_a": "revision",
    "revision_id_b": "revision",
    "image_id": "image",
    "document_id": "document",
    "doc_id": "document",
    "media_id": "media",
    "collection_id": "collection",
    "task_state_id": "task_state",
    "workflow_state_id": "workflow_state",
    "task_id": "task",
    "workflow_pk": "workflow",
    "session_id": "session",
    "translation_id": "translation",
    "translation_source_id": "translation_source",
    "string_segment_id": "string_segment",
    "redirect_id": "redirect",
}
# Query-string filters Wagtail's list views and reports take, by what they
# name. Every list view gets every one: a view that ignores a filter answers
# alike for A's id and a missing one anyway.
FILTERS = {
    "collection_id": "collection",
    "collection": "collection",
    "owner": "user",
    "user": "user",
    "locked_by": "user",
    "edited_by": "user",
    "uploaded_by_user": "user",
    "parent": "landing",
    "page": "page",
    "child_of": "landing",
    "workflow": "workflow",
    "task": "task",
    "group": "group",
    "translation": "translation",
}
# Where the admin lists things (filters are walked there, by B's lead only:
# the most the admin shows anyone of B).
LISTINGS = (
    "admin/pages/",
    "admin/images/",
    "admin/documents/",
    "admin/media/",
    "admin/reports/",
    "admin/users/",
    "admin/snippets/",
    "admin/workflows/",
    "admin/api/",
    "admin/localize/",
    "admin/collections/",
    "admin/redirects/",
)
# `pk` and `uploaded_file_id` by where they stand.
BY_PREFIX = [
    ("admin/api/main/^images", "image"),
    ("admin/api/main/^documents", "document"),
    ("admin/api/main/^pages", "page"),
    ("admin/pages/", "page"),
    ("admin/collections/", "collection"),
    ("admin/groups/", "group"),
    ("admin/users/", "user"),
    ("admin/workflows/tasks/", "task"),
    ("admin/workflows/", "workflow"),
    ("admin/images/", "image"),
    ("admin/documents/", "document"),
    ("admin/snippets/community/crisiscontact/", "crisiscontact"),
    ("admin/snippets/choose/community/crisiscontact/", "crisiscontact"),
    ("admin/snippets/community/gift/", "gift"),
    ("admin/snippets/choose/community/gift/", "gift"),
    ("admin/snippets/community/pathway/", "pathway"),
    ("admin/snippets/choose/community/pathway/", "pathway"),
    ("admin/deliveries/", "delivery"),
]
FIXED = {
    "app_label": "wagtailcore",
    "model_name": "page",
    "app_name": "home",
    "content_type_app_name": "home",
    "content_type_model_name": "blogpage",
    "action_name": "approve",
    "filter_spec": "original",
    "media_type": "video",
    "mode": "",
    "uidb64": "MQ",
    "token": "x-y",
}


def kind_of(route: str, name: str) -> str | None:
    if name in BY_NAME:
        return BY_NAME[name]
    if name == "uploaded_file_id":
        return (
            "uploaded_image"
            if route.startswith("admin/images")
            else ("uploaded_document")
        )
    if name == "pk":
        for prefix, kind in BY_PREFIX:
            if route.startswith(prefix):
                return kind
    return None


def fill(route: str, ids: dict[str, str]) -> tuple[str, bool]:
    """The route with each parameter filled from `ids` (or MISSING when
    `ids` is None); whether any parameter named one of A's things."""
    named = False

    def value(match):
        nonlocal named
        name = match["name"] or match["rname"]
        kind = kind_of(route, name)
        if kind is None:
            return FIXED.get(name, "1")
        named = True
        return ids[kind] if ids else MISSING

    path = PARAM.sub(value, route)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"\.\*", "x", path)
    path = re.sub(r"[?*+]", "", path)
    return "/" + path.lstrip("/"), named


@dataclass
class Probe:
    route: str
    foreign: str  # with A's identifiers
    missing: str | None  # the same with missing ones; None: nothing of A's
    query: dict = field(default_factory=dict)
    missing_query: dict | None = None
    filtering: bool = False  # a list view with a filter naming A's thing


def probes(planted: Planted) -> list[Probe]:
    routes = sorted({r for r in all_routes() if r.startswith("admin/")})
    found = []
    for route in routes:
        if route.startswith("admin/bulk/") or route in NOT_WALKED:
            continue
        foreign, named = fill(route, planted.ids)
        if named:
            found.append(Probe(route, foreign, fill(route, None)[0]))
        else:
            found.append(Probe(route, foreign, None))
            found.append(Probe(route, foreign, None, {"q": SEARCH_WORD}))
            if route.startswith("admin/api/"):
                found.append(Probe(route, foreign, None, {"search": SEARCH_WORD}))
            if route.startswith("admin/tag-autocomplete/"):
                found.append(Probe(route, foreign, None, {"term": MARKERS["tag"][:4]}))
    # List views filtered by one of A's things (a collection, a person, a
    # page, a workflow, a locale's translation...): as a missing one, and no
    # filter drop-down or "filtered by" chip may name it.
    for route in routes:
        if not route.startswith(LISTINGS) or PARAM.search(route):
            continue
        path = fill(route, None)[0]
        for name, kind in FILTERS.items():
            found.append(
                Probe(
                    route,
                    path,
                    path,
                    {name: planted.ids[kind]},
                    {name: MISSING},
                    filtering=True,
                )
            )
    # The admin API's pages below one of A's.
    for name in ("child_of", "descendant_of"):
        path = "/admin/api/main/pages/"
        found.append(
            Probe(
                "admin/api/",
                path,
                path,
                {name: planted.ids["landing"]},
                {name: MISSING},
            )
        )
    # Bulk actions name their objects in the query string.
    for (app_label, model_name), pk in planted.bulk.items():
        for action in bulk_action_registry.get_bulk_actions_for_model(
            app_label, model_name
        ):
            path = f"/admin/bulk/{app_label}/{model_name}/{action.action_type}/"
            found.append(
                Probe(
                    "admin/bulk/",
                    path,
                    path,
                    {"id": pk, "next": "/admin/"},
                    {"id": MISSING, "next": "/admin/"},
                )
            )
    return found


def staff_of_b(pathway_b, roles=(Role.CLINICIAN, Role.PEER, Role.LEAD)):
    clients = {}
    for role in roles:
        user = make_member(pathway_b, role)
        enrol_totp(user)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[f"{role.label} of B"] = client
    return clients


def answer_text(response) -> str:
    body = b"" if response.streaming else response.content
    return body.decode(errors="replace") + " " + response.get("Location", "")


@dataclass
class Walk:
    leaks: list = field(default_factory=list)
    differ: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def _with_query(path: str, query: dict) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def walk(
    clients, planted: Planted, markers: list[str], posting=(), filtering=()
) -> Walk:
    """GET every probe as each of `clients`; also POST those naming A's
    things as the roles in `posting` (once is enough: the same guard
    answers every method); list views' filters only as those in
    `filtering`."""
    result = Walk()
    every = probes(planted)
    for who, client in clients.items():
        for probe in every:
            if probe.filtering and who not in filtering:
                continue
            query = probe.query
            missing_query = (
                probe.query if probe.missing_query is None else (probe.missing_query)
            )
            response = client.get(probe.foreign, query)
            result.counts[who] += 1
            text = answer_text(response)
            if response.status_code >= 500 and probe.foreign not in DELIBERATE_ERRORS:
                result.errors.append((who, probe.foreign, response.status_code))
            result.leaks += [
                (who, probe.foreign, query, marker)
                for marker in markers
                if marker.lower() in text.lower()
            ]
            if probe.missing is None:
                continue
            missing = client.get(probe.missing, missing_query)
            result.counts[who] += 1
            if missing.status_code != response.status_code:
                result.differ.append(
                    (who, probe.foreign, response.status_code, missing.status_code)
                )
            if who not in posting:
                continue
            # Deleting, unpublishing, moving... A's things: as missing ones.
            foreign_post = client.post(_with_query(probe.foreign, query))
            missing_post = client.post(_with_query(probe.missing, missing_query))
            result.counts[who] += 2
            text = answer_text(foreign_post)
            result.leaks += [
                (who, "POST " + probe.foreign, query, marker)
                for marker in markers
                if marker.lower() in text.lower()
            ]
            if (
                foreign_post.status_code >= 500
                and probe.foreign not in DELIBERATE_ERRORS
            ):
                result.errors.append((who, "POST " + probe.foreign, 500))
            if foreign_post.status_code != missing_post.status_code:
                result.differ.append(
                    (
                        who,
                        "POST " + probe.foreign,
                        foreign_post.status_code,
                        missing_post.status_code,
                    )
                )
        # Still signed in: the walk saw the admin as staff, not a login form.
        assert client.get("/admin/").status_code == 200, who
    return result


def report(result: Walk) -> None:
    for who, count in sorted(result.counts.items()):
        print(f"admin walk: {count} requests as {who}")  # noqa: T201
    leaks = sorted(
        {(path, str(query), marker) for _, path, query, marker in result.leaks}
    )
    for leak in leaks:
        print("leak:", *leak)  # noqa: T201
    for differ in sorted({d[1:] for d in result.differ}):
        print("differs:", *differ)  # noqa: T201
    for error in sorted({e[1:] for e in result.errors}):
        print("error:", *error)  # noqa: T201


@pytest.fixture
def planted(home):
    return plant_pathway_a()


# Every admin URL for each of B's staff: minutes on a busy two-core machine,
# where it outran the suite's 300 s.
@pytest.mark.timeout(900)
def test_admin_shows_pathway_b_staff_nothing_of_pathway_a(planted, other_pathway):
    clients = staff_of_b(other_pathway)
    result = walk(
        clients,
        planted,
        list(MARKERS.values()),
        posting=[next(iter(clients))],
        filtering=[f"{Role.LEAD.label} of B"],
    )
    report(result)
    assert result.leaks == []
    assert result.differ == []
    assert result.errors == []


@pytest.fixture
def s3(settings):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its buckets for the whole process: one of our own.
    bucket = f"harbour-walk-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - moto's fake credentials
    ).create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    yield endpoint
    server.stop()


@pytest.mark.timeout(900)
def test_on_s3_no_signed_url_of_pathway_a_reaches_pathway_b(s3, home, other_pathway):
    """The same walk with files on S3 (as the clinician only, to keep it
    short: what the admin hands out does not depend on the role), where any
    URL of A's files would be signed with their keys."""
    planted = plant_pathway_a()
    assert all(key and not key.startswith("/") for key in planted.keys)
    # A's own lead is handed signed URLs: the walk looks for the right thing.
    lead = make_member(planted_pathway(), Role.LEAD)
    enrol_totp(lead)
    own = Client()
    own.force_login(lead)
    body = own.get(f"/admin/api/main/images/{planted.ids['image']}/").content.decode()
    assert planted.keys[0] in body and "Signature=" in body
    markers = [*MARKERS.values(), *planted.keys]
    result = walk(staff_of_b(other_pathway, [Role.CLINICIAN]), planted, markers)
    report(result)
    assert result.leaks == []
    assert result.differ == []
    assert result.errors == []


def planted_pathway():
    from community.models import Pathway

    return Pathway.objects.get(slug="zephyrine")


def test_the_markers_do_show_to_pathway_a_staff(planted):
    """The walk would prove nothing if the markers never showed at all."""
    lead = make_member(planted_pathway(), Role.LEAD)
    enrol_totp(lead)
    client = Client()
    client.force_login(lead)
    seen = ""
    for url in (
        "/admin/images/",
        "/admin/documents/",
        "/admin/media/",
        f"/admin/pages/{planted.ids['page']}/edit/",
        f"/admin/pages/{planted.ids['landing']}/",
        "/admin/api/main/images/",
        "/admin/images/",
        f"/admin/localize/translate/{planted.ids['translation']}/pofile/download/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        seen += response.content.decode()
    for marker in (
        "Jabuticaba",
        "Persimmon",
        "Guanabana",
        "Obsidianite",
        "Quillwort",
        "Mangosteen",
    ):
        assert marker in seen
