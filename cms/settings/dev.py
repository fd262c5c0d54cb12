"""Settings for `make run`: the embedded defaults, with a local secret key.

DEBUG stays off so the demo shows what people see (the kind "not found" page,
not Django's technical one); DJANGO_DEBUG=1 turns it on for development.
"""

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = "dev-only-not-secret-harbour"  # noqa: S105 - dev only, never deployed
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Demo conveniences: `make code` prints two-factor codes; media served by Django.
HARBOUR_DEMO = True
SERVE_MEDIA = True

# Serve static files straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
