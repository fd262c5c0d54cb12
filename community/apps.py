from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        """Register each wing's kinds of member content, its receivers and
        its parts of the Wagtail admin. The app's composition root: the only
        core module that names the wings."""
        from community import signals  # noqa: F401 - connects
        from community.forums import content_kinds as forum_kinds  # noqa: F401
        from community.moderation import signals as moderation_signals  # noqa: F401
        from community.moderation import wagtail_hooks as moderation_admin  # noqa: F401
        from community.notifications import wagtail_hooks as delivery_admin  # noqa: F401
        from community.social import content_kinds as social_kinds  # noqa: F401
        from community.social import wagtail_hooks as presents_admin  # noqa: F401
