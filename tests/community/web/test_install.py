"""Harbour as an installed app (community/web/install.py): the manifest a
phone reads to install it, its icons, the offline page the service worker
keeps (only the reader's own pathways' crisis contacts, national ones for
everyone), and the NHS stylesheet served without a third party's font."""

import json
import re
from pathlib import Path

import pytest
import wagtailnhsukfrontend
from django.contrib.staticfiles import finders
from PIL import Image
from wagtail.models import Locale

from community.models import CrisisContact, Role
from community.web.install import SHELL, shell_urls
from tests.factories import UserFactory, enrol_totp, make_member

MANIFEST = "/manifest.webmanifest"
OFFLINE = "/offline/"


def static_file(url: str) -> Path:
    """The file a static URL names (test settings serve unhashed names)."""
    assert url.startswith("/static/"), url
    found = finders.find(url.removeprefix("/static/"))
    assert isinstance(found, str), f"{url} is not a static file"
    return Path(found)


def test_the_manifest_says_what_a_phone_needs_to_install_harbour(client, db):
    response = client.get(MANIFEST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "Harbour"
    assert manifest["start_url"] == "/"  # where a member lands after signing in
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#005eb8"  # NHS blue
    assert manifest["background_color"] == "#f0f4f5"  # NHS page grey
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        with Image.open(static_file(icon["src"])) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_manifest_is_the_same_for_everyone(client, pathway):
    """Browsers fetch it without cookies; it holds nothing of the reader."""
    anonymous = client.get(MANIFEST).content
    client.force_login(make_member(pathway))
    assert client.get(MANIFEST).content == anonymous


def test_welsh_pages_link_a_welsh_manifest_of_the_same_app(client, home):
    english = json.loads(client.get(MANIFEST).content)
    body = client.get("/cy/").content.decode()
    assert '<link rel="manifest" href="/cy/manifest.webmanifest">' in body
    welsh = json.loads(client.get("/cy/manifest.webmanifest").content)
    assert (english["lang"], welsh["lang"]) == ("en", "cy")
    assert welsh["id"] == english["id"]  # one app, whichever language installed it
    assert welsh["start_url"] == "/cy/"
    assert welsh["description"] != english["description"]  # said in Welsh
    assert welsh["icons"] == english["icons"]


def test_every_page_links_the_manifest_icons_and_the_worker_script(client, home):
    body = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)"', body)
    assert touch
    with Image.open(static_file(touch.group(1))) as image:
        assert image.size == (180, 180)
        # iOS draws no transparency: the icon is opaque, full-bleed.
        assert image.mode == "RGB"
    icon = re.search(r'<link rel="icon" href="([^"]+)" sizes="32x32"', body)
    assert icon and Image.open(static_file(icon.group(1))).size == (32, 32)
    # From a static file, as CSP allows (no inline script without the nonce).
    worker = re.search(r'<script src="([^"]+/pwa\.js)" data-worker="/sw\.js"', body)
    assert worker and static_file(worker.group(1)).exists()
    assert 'data-offline="/offline/"' in body
    assert "data-member" not in body  # signed out: the worker forgets a copy


def test_a_member_s_page_asks_the_worker_to_keep_their_offline_copy(client, pathway):
    member = make_member(pathway)
    client.force_login(member)
    body = client.get("/help/").content.decode()
    assert f'data-offline="/offline/" data-member="{member.pk}"' in body
    assert 'data-offline="/cy/offline/"' in client.get("/cy/help/").content.decode()


def test_the_shell_the_worker_keeps_exists(db):
    urls = shell_urls()
    assert len(urls) == len(SHELL)
    for url in urls:
        assert static_file(url).stat().st_size > 0


@pytest.fixture
def contacts(pathway, other_pathway):
    locale = Locale.get_default()
    CrisisContact.objects.create(
        pathway=pathway, name="Perinatal crisis line", phone="0800 111", locale=locale
    )
    CrisisContact.objects.create(
        pathway=other_pathway, name="Eating disorders night line", locale=locale
    )


def test_the_offline_page_shows_only_the_member_s_own_pathway_contacts(
    client, pathway, other_pathway, contacts
):
    client.force_login(make_member(pathway))
    response = client.get(OFFLINE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "No signal right now" in body
    assert "Perinatal crisis line" in body and 'href="tel:0800111"' in body
    assert "Eating disorders night line" not in body
    assert "Samaritans" in body and 'href="tel:999"' in body
    # Never in the browser's own cache: only the worker keeps it, and
    # forgets it at sign-out.
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_other_pathway_s_member_and_staff_see_only_theirs(
    client, pathway, other_pathway, contacts
):
    clinician = make_member(other_pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    client.force_login(clinician)
    body = client.get(OFFLINE).content.decode()
    assert "Eating disorders night line" in body
    assert "Perinatal crisis line" not in body


def test_a_member_who_left_sees_their_old_pathway_s_contacts_no_more(
    client, pathway, contacts
):
    member = make_member(pathway)
    member.memberships.update(status="left")
    client.force_login(member)
    assert "Perinatal crisis line" not in client.get(OFFLINE).content.decode()


def test_signed_out_the_offline_page_shows_national_contacts_only(
    client, pathway, contacts
):
    body = client.get(OFFLINE).content.decode()
    assert "Samaritans" in body and "Shout" in body
    assert "crisis line" not in body and "night line" not in body
    assert "Your care team" not in body


def test_the_offline_page_shows_the_safety_plan_only_when_the_member_keeps_it():
    """The place kept for the plan holds it only under `offline_plan`, which
    the view fills only when the member chose (tests/community/safetyplan)."""
    template = Path("templates/community/offline.html").read_text()
    block = re.search(r"{% block safety_plan %}(.*?){% endblock %}", template, re.S)
    assert block
    assert re.search(r"{% if offline_plan %}.*{% endif %}", block.group(1), re.S)


def test_people_who_must_do_something_first_still_reach_the_offline_page(
    client, pathway
):
    """Staff without two-factor are sent to enrol from every other page; the
    offline page, the manifest and the worker are what the phone fetches."""
    client.force_login(make_member(pathway, Role.CLINICIAN))
    assert client.get("/help/").status_code == 200
    for path in (OFFLINE, MANIFEST, "/sw.js"):
        assert client.get(path).status_code == 200, path
    client.force_login(UserFactory())
    assert client.get(OFFLINE).status_code == 200


@pytest.mark.parametrize("path", [OFFLINE, MANIFEST])
def test_writing_to_the_install_pages_is_refused_kindly(client, db, path):
    assert client.post(path).status_code == 405


def test_the_offline_page_is_in_welsh_when_asked(client, db):
    response = client.get("/cy/offline/")
    assert response.status_code == 200
    assert 'lang="cy"' in response.content.decode()


# The NHS stylesheet without a third party's font -------------------------------


def package_stylesheets() -> list[Path]:
    folder = Path(wagtailnhsukfrontend.__file__).parent / "static/wagtailnhsukfrontend"
    return sorted((folder / "css").glob("nhsuk-frontend-*.min.css"))


def test_the_font_free_stylesheet_is_the_package_s_without_its_font_faces():
    """cms/deploy/nhsuk_without_fonts.py made it; after an upgrade of
    wagtail-nhsuk-frontend, run it again."""
    (original,) = package_stylesheets()
    copy = static_file(
        "/static/harbour/" + original.name.replace(".min.css", "-nofonts.min.css")
    )
    source, ours = original.read_text(), copy.read_text()
    assert "@font-face" in source and "assets.nhs.uk" in source
    assert "@font-face" not in ours and "assets.nhs.uk" not in ours
    assert ours == re.sub(r"@font-face\{[^}]*\}", "", source)
    # The NHS's documented fallback is still named after Frutiger.
    assert "font-family:Frutiger W01,arial,sans-serif" in ours


def test_pages_use_the_font_free_stylesheet_and_allow_no_font_host(client, home):
    response = client.get("/")
    body = response.content.decode()
    assert "harbour/nhsuk-frontend-10.4.2-nofonts.min.css" in body
    assert "wagtailnhsukfrontend/css/" not in body
    policy = response["Content-Security-Policy"]
    assert "font-src 'self';" in policy + ";"
    assert "assets.nhs.uk" not in policy
