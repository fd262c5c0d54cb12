"""Settings shared by every environment.

The real parts are chosen by environment variables, each with an embedded default
so `make run` works on a fresh machine:

- DATABASE_URL: PostgreSQL in production; default a SQLite file beside manage.py.
- REDIS_URL: channel layer and cache; default in-memory layer and local memory cache.
- AWS_STORAGE_BUCKET_NAME (+ AWS_S3_* settings): media on S3; default local media/.
  HARBOUR_MEDIA_ORIGINS (comma-separated) names where the browser fetches media
  from, for the Content-Security-Policy, if not the bucket's own S3 address.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from cms.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# The site's own address: links in emails and pushes, and (its origin) where
# forms and sockets may come from. Production requires it, and https.
WAGTAILADMIN_BASE_URL = os.environ.get(
    "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000"
).rstrip("/")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Origins that may post forms (CSRF) and open sockets: the site's, and any
# named in CSRF_TRUSTED_ORIGINS. One list for both, so they never disagree.
HARBOUR_ORIGINS = list(
    dict.fromkeys([origin_of(WAGTAILADMIN_BASE_URL), *env_list("CSRF_TRUSTED_ORIGINS")])
)
CSRF_TRUSTED_ORIGINS = HARBOUR_ORIGINS
# Sockets accept these origins exactly (cms/asgi.py). None: any origin whose
# host is in ALLOWED_HOSTS (the demo and tests, on whatever port they run).
SOCKET_ALLOWED_ORIGINS: list[str] | None = None

# How many proxies in front add their address to X-Forwarded-For: the client
# is that many entries from the right (cms.middleware.ClientAddressMiddleware).
# 0: the connecting address is the client (the demo, with no proxy).
HARBOUR_TRUSTED_PROXY_COUNT = int(os.environ.get("HARBOUR_TRUSTED_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    # Our apps first so their templates override the libraries'.
    "home",
    "community",
    "chat",
    "search",
    "daphne",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailnhsukfrontend",
    "wagtailmedia",
    "django_comments_xtd",
    "django_comments",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "storages",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
]

MIDDLEWARE = [
    # Before anything that checks the host or redirects to https: the
    # balancer probes /health/ and /ready/ by address, over plain http.
    "cms.middleware.HealthCheckMiddleware",
    "cms.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their own caching.
    "cms.middleware.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cms.middleware.RequestLogMiddleware",
    "cms.middleware.BadInputMiddleware",
    "community.web.middleware.StaffTwoFactorMiddleware",
    "community.web.middleware.StaffRefusalAuditMiddleware",
    "community.web.middleware.ConsentMiddleware",
    "community.web.middleware.FormPostedMiddleware",
    "community.web.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "community.web.context_processors.harbour",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"

# Database: DATABASE_URL or a SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's server, its sockets and the worker write at once. In WAL mode
    # readers never wait for a writer, and IMMEDIATE transactions queue for the
    # write lock (up to `timeout` seconds) instead of failing at once with
    # "database is locked", as a read that turns into a write does otherwise.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
        timeout=20,
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The statements cms.db.prepared_cursor runs are prepared on their first
    # run on each connection (decision 0039); Django's own cursor never
    # prepares, so no other query changes. Off behind PgBouncer in
    # transaction mode, which may run a statement on another connection than
    # the one it was prepared on.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if env_bool("DATABASE_PGBOUNCER", False) else 0
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def pool_connections(database: dj_database_url.DBConfig) -> None:
    """Give a PostgreSQL `database` setting production's connections: a
    bounded pool per process instead of a connection per thread.

    Under ASGI every request runs on a thread of its own, and persistent
    connections (CONN_MAX_AGE) were kept per thread: a few hundred members
    opened a few hundred connections and PostgreSQL refused the rest. Django
    returns a connection to the pool after each request and each socket frame;
    with health checks on, the pool tests one before lending it, so a restarted
    database is survived. At most DATABASE_POOL_MAX_SIZE connections per
    process (docs/deploy.md). production.py applies it; so does the chat
    benchmark's server (bench/chat_asgi.py), to measure what production runs."""
    database["CONN_MAX_AGE"] = 0
    database["CONN_HEALTH_CHECKS"] = True
    database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "10")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }


# Connections to Redis one process may open, for its channel layer and for
# its cache each. redis-py 8 caps a pool at 100: when 200 sockets closed at
# once (a process died and its members came back to this one), leaving their
# groups failed with "Too many connections".
REDIS_MAX_CONNECTIONS = int(os.environ.get("HARBOUR_REDIS_MAX_CONNECTIONS", "1000"))


def redis_channel_layer(url: str, prefix: str = "harbour") -> dict:
    """The channel layer on Redis at `url`.

    channels-redis waits for events in a blocking read of 5 s; redis-py 8
    gives up any read after 5 s by default, so every socket idle that long
    died with a TimeoutError (django/channels_redis#422). Reads get 30 s: past
    the blocking read, short enough to notice a dead connection.
    `capacity` is how many events may wait for one server process's sockets
    (channels-redis queues a process's sockets together, and holds at most
    that many for any one socket): channels-redis's default of 100 is a
    single message to a room of 100. Chat clients resync past any that drop,
    but live delivery should not depend on it. HARBOUR_CHANNEL_CAPACITY
    (default 1000) sets it. `max_connections`: see REDIS_MAX_CONNECTIONS."""
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": url,
                    "socket_timeout": 30,
                    "max_connections": REDIS_MAX_CONNECTIONS,
                }
            ],
            "prefix": prefix,
            "capacity": int(os.environ.get("HARBOUR_CHANNEL_CAPACITY", "1000")),
        },
    }


# Redis: channel layer and cache when REDIS_URL is set; in-memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
    CACHES = {
        "default": {
            # django-redis: one client kept per pool, counting up in one
            # atomic round trip (decision 0037).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "harbour",
            "OPTIONS": {
                "CONNECTION_POOL_KWARGS": {"max_connections": REDIS_MAX_CONNECTIONS}
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (django-tasks): Wagtail's own tasks run at once as before;
# deliveries (alert and notice emails, web push) go through a queue stored in
# the database, so a mail server or push service that is down only delays them
# (community/notifications/deliveries.py, docs/decisions/0014-production-stack.md). The
# `harbour_worker` command runs that queue.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# Accounts: a custom user from the first migration; allauth for sign-in and MFA.
AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    # Django's list of 20,000 passwords seen in breaches: the Pwned Passwords API
    # would need the network at sign-up, which a trust's deployment may not allow.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "community.web.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "community.web.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# A code typed on the next page, not a link: nobody has to leave the page or the
# phone's browser to finish joining.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
# Six digits: a phone shows its number pad, and nothing can be misread.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_FORMAT = {
    "numeric": True,
    "length": 6,
    "dashed": False,
}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # Login throttling: allauth counts failures per IP and per account.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_ADAPTER = "community.web.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Harbour"
MFA_TOTP_TOLERANCE = 1

# Wagtail.
WAGTAIL_SITE_NAME = "Harbour"
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES = [
    ("en", _("English")),
    ("cy", _("Welsh (Cymraeg)")),
]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Documents of these kinds only, checked by content too (home.media).
WAGTAILDOCS_EXTENSIONS = [
    "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "txt", "csv", "vtt"
]  # fmt: skip
WAGTAILDOCS_DOCUMENT_FORM_BASE = "home.forms.DocumentForm"
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILUSERS_PASSWORD_ENABLED = False
# Email and password changes go through allauth (verification, rate limits).
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Internationalisation: English first, Welsh the second site language.
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files through WhiteNoise; media on local disk unless S3 is configured.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("HARBOUR_STATIC_ROOT", BASE_DIR / "static_collected"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Member media is private: every file is served through a signed URL.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Email: printed to the console unless an SMTP host is given.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Harbour <no-reply@localhost>"
)

# Sessions and cookies. With Redis, a signed-in request reads its session from
# the cache, not the database (issue #18: sessions and auth were 8% of a page's
# CPU); each change is still written to the database too, so a Redis restart
# signs nobody out, and ending a person's sessions goes through SessionStore,
# which clears both.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def media_origins() -> list[str]:
    """Where the browser fetches media from besides this site: S3's signed
    URLs (the bucket's address at its endpoint or at AWS), or what
    HARBOUR_MEDIA_ORIGINS says."""
    if named := env_list("HARBOUR_MEDIA_ORIGINS"):
        return named
    if not AWS_STORAGE_BUCKET_NAME:
        return []
    if endpoint := os.environ.get("AWS_S3_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        return [
            f"{parts.scheme}://{parts.netloc}",
            f"{parts.scheme}://{AWS_STORAGE_BUCKET_NAME}.{parts.netloc}",
        ]
    region = os.environ.get("AWS_S3_REGION_NAME")
    hosts = [f"{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    if region:
        hosts.append(f"{AWS_STORAGE_BUCKET_NAME}.s3.{region}.amazonaws.com")
    return [f"https://{host}" for host in hosts]


MEDIA_ORIGINS = media_origins()

# Content-Security-Policy (django-csp): scripts only from this site, or inline
# with the page's nonce (base.html's two), so text that slipped past escaping
# still could not run. Style attributes are allowed (the NHS hero block and the
# bare 500 page use them); <style> elements are not. Wagtail's admin runs inline
# scripts of its own and is left out; served media has its own, stricter
# policy (home.views.serve_media).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "media-src": [SELF, *MEDIA_ORIGINS],
        "connect-src": [SELF],
        # No font from a third party: pages use NHS.UK frontend's stylesheet
        # without its @font-face rules (Arial, the NHS's fallback; decision 0028).
        "font-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Invitations expire after this many days unless the clinician chooses otherwise.
HARBOUR_INVITATION_DAYS = 14

# Authors may correct a post for this long after posting; moderators see what
# it said before.
HARBOUR_EDIT_MINUTES = 30
# Presents stay special: each member may send this many in a day.
HARBOUR_PRESENTS_PER_DAY = 5
# The helpfulness survey ("Has Harbour helped your recovery?", community/survey):
# a member is asked at most once in this many weeks (answering or "Not now").
HARBOUR_SURVEY_EVERY_WEEKS = 12
# An uploaded profile picture may be at most this big.
HARBOUR_MAX_AVATAR_KB = 2048

# Notifications beyond the bell (each member opts in). Web push needs a VAPID
# key pair (`manage.py make_vapid_keys` prints one); without both keys the site
# says phone notifications aren't available.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:no-reply@localhost")
# The only hosts Harbour posts pushes to (a subscription names its endpoint, so
# this keeps members from pointing the server at anything else).
HARBOUR_PUSH_HOSTS = env_list(
    "HARBOUR_PUSH_HOSTS",
    "fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com",
)
# Deliveries (risk-alert and notice emails, web push) are rows sent by the
# "deliveries" task queue (community/notifications/deliveries.py): a failed
# attempt is tried again after 30 s, then twice as long each time up to the
# cap; after the last attempt it is given up, shown to the pathway's leads and the site
# administrators, and an alert whose every delivery failed escalates at once.
# A risk alert gives up sooner (four attempts: about three and a half minutes).
HARBOUR_DELIVERY_MAX_ATTEMPTS = int(
    os.environ.get("HARBOUR_DELIVERY_MAX_ATTEMPTS", "8")
)
HARBOUR_DELIVERY_ALERT_MAX_ATTEMPTS = int(
    os.environ.get("HARBOUR_DELIVERY_ALERT_MAX_ATTEMPTS", "4")
)
HARBOUR_DELIVERY_BACKOFF_SECONDS = 30
HARBOUR_DELIVERY_MAX_BACKOFF_SECONDS = 30 * 60
# The daily email digest goes out from this hour, local time (harbour_worker).
HARBOUR_DIGEST_HOUR = int(os.environ.get("HARBOUR_DIGEST_HOUR", "8"))

# How many days each kind of data is kept, applied daily by the worker and by
# `manage.py retention [--dry-run]` (community/rights/retention.py). Where each
# number comes from: docs/decisions/0023-data-rights.md. A trust changes them
# here, with its Information Governance lead. Whatever a risk alert was raised
# on is the clinical record and is not removed by these.
HARBOUR_RETENTION_DAYS = {
    # The bell's notices: a year is long enough to look back on.
    "notifications": 365,
    # Chat messages (pathway rooms, support and direct conversations).
    "chat_messages": 2 * 365,
    # Posts held for a moderator that nobody approved.
    "held_posts": 90,
    # Posts hidden by a moderator or by reports (and words removed at closing).
    "removed_posts": 365,
    # A member's copy of their data, from when it is ready.
    "exports": 7,
    # Staff labels on what risk detection found (with the words assessed).
    "safety_labels": 3 * 365,
    # Audit rows: NHS Records Management Code of Practice 2021 (8 years).
    "audit": 8 * 365,
}
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# Logs: JSON lines (production) or text with time and level (the demo), with a
# request id and user id, never an email (cms/logs.py).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").upper()
LOGGING = logging_config(os.environ.get("LOG_FORMAT", "text"), LOG_LEVEL)
# /ready/ fails when no background worker has beaten its heart for this long.
HARBOUR_WORKER_STALE_SECONDS = int(os.environ.get("HARBOUR_WORKER_STALE_SECONDS", "60"))

# Peer videos: our own media model checks uploads by content and size, and
# takes a poster frame and the duration with ffmpeg when it is installed.
WAGTAILMEDIA = {
    "MEDIA_MODEL": "home.PeerMedia",
    "AUDIO_EXTENSIONS": [],
    "VIDEO_EXTENSIONS": ["mp4", "webm"],
}
HARBOUR_MAX_VIDEO_MB = int(os.environ.get("HARBOUR_MAX_VIDEO_MB", "500"))

# Comments on blogs and videos: django-comments-xtd's threading (two levels)
# and follow-up flag on our own model, which also carries the safety fields.
# Members post through our view (the pipeline runs there), never anonymously
# and with no email confirmation step.
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MODEL = "home.models.PageComment"
COMMENTS_XTD_MAX_THREAD_LEVEL = 1
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_LIST_ORDER = ("thread_id", "order")

# Consent and privacy information (#19). The current version of each document a
# member agrees to; changing a version asks every member again at their next
# visit (community.web.consent). Each version's full text is the template
# community/legal/<document>_<version>.html, kept when a newer one comes.
HARBOUR_DOCUMENTS = {
    "terms": {
        "version": "2026-12",
        "summary": (
            "Be kind, keep others' stories to yourself, don't share contact details, "
            "and use the help page or 999 in an emergency: Harbour is not a crisis "
            "service. Moderators may hold, edit or hide posts to keep people safe."
        ),
    },
    "privacy": {
        "version": "2026-12",
        "summary": (
            "We keep what you write, your choices and your memberships to run the "
            "community and keep people safe. Your care team sees what you write in "
            "your communities; what looks like risk is checked automatically and "
            "shown to the clinician on duty. You can download your data or close "
            "your account at any time."
        ),
    },
}
# The trust that runs this site, shown on the privacy page.
HARBOUR_TRUST = {
    "name": os.environ.get("HARBOUR_TRUST_NAME", "Example NHS Foundation Trust"),
    "dpo_contact": os.environ.get(
        "HARBOUR_TRUST_DPO", "dpo@example.nhs.uk, Data Protection Officer"
    ),
    "ico_registration": os.environ.get("HARBOUR_TRUST_ICO", "Z0000000"),
    "address": os.environ.get("HARBOUR_TRUST_ADDRESS", ""),
}
