from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.errors import server_error
from community.notifications import views as notification_views
from community.web import install
from community.web import views as community_views
from home import views as home_views
from home.admin_access import guard_admin_urls

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # Before Wagtail's admin: its page chooser would browse any pathway's pages.
    path(
        "admin/choose-page/<int:parent_page_id>/",
        home_views.choose_page_child,
        name="wagtailadmin_choose_page_child",
    ),
    # Another pathway's things are "not found" to pathway staff in the admin.
    path("admin/", include(guard_admin_urls(wagtailadmin_urls))),
    path("documents/", include(wagtaildocs_urls)),
    # At the root, in no language: a service worker only serves pages under it.
    path("sw.js", notification_views.service_worker, name="service_worker"),
    path("files/videos/<int:pk>/", home_views.serve_media, name="serve_media"),
    # Local media only through the access check, in every setting (DEBUG
    # included): a file's URL is no key to it (S3 gives signed URLs instead).
    path(
        settings.MEDIA_URL.lstrip("/") + "<path:name>",
        home_views.serve_stored_file,
        name="serve_stored_file",
    ),
    path(
        "files/videos/<int:pk>/poster/",
        home_views.serve_media,
        {"part": "poster"},
        name="serve_media_poster",
    ),
]

urlpatterns += i18n_patterns(
    path("help/", community_views.help_now, name="help"),
    # The app's manifest in each language, found by the browser without a
    # session: /manifest.webmanifest, /cy/manifest.webmanifest.
    path("manifest.webmanifest", install.web_manifest, name="web_manifest"),
    # Words for scripts (gettext() in the browser), from locale/*/djangojs.po:
    # a script file of 'self', so the strict CSP holds (docs/welsh.md).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["community"]),
        name="javascript-catalog",
    ),
    # What the installed app shows with no signal (kept by /sw.js).
    path("offline/", install.offline, name="offline"),
    path("safety/", community_views.safety, name="safety"),
    # Ours first: sign-up fills in the invitation code from the link.
    path(
        "accounts/signup/", community_views.SignupView.as_view(), name="account_signup"
    ),
    path("accounts/", include("allauth.urls")),
    path("search/", include("search.urls")),
    path("", include("chat.urls")),
    path("", include("community.web.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

# A page that fails says so kindly, with the crisis numbers; an overloaded
# database pool is a 503 with Retry-After, not a 500 (cms/errors.py).
handler500 = server_error
