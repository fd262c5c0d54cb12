"""Settings for the test suite: the embedded defaults unless DATABASE_URL/REDIS_URL
point at real services (as `.ci/run` does)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-harbour"  # noqa: S105 - tests only
ALLOWED_HOSTS = ["*"]
# Fast hashing keeps the suite quick; production uses Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.InMemoryStorage",
}
WAGTAILADMIN_BASE_URL = "http://testserver"

# Serve static files straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
