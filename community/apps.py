from importlib import import_module

from django.apps import AppConfig

# The wings that keep models of their own, in the order their models refer to
# each other (forums before social, whose reactions and walls sit beside
# topics; moderation before notifications, whose deliveries count for alerts).
WINGS_WITH_MODELS = (
    "safety",
    "forums",
    "social",
    "moderation",
    "notifications",
    "rights",
    "survey",
    "safetyplan",
    "insights",
)


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def import_models(self) -> None:
        """The core's models (community.models), then each wing's: all under
        the one `community` label, so their tables and migrations are the
        app's as before they moved (docs/decisions/0018-community-wings.md)."""
        super().import_models()
        for wing in WINGS_WITH_MODELS:
            import_module(f"{self.name}.{wing}.models")

    def ready(self) -> None:
        """Register each wing's kinds of member content, its receivers and
        its parts of the Wagtail admin. The app's composition root: the only
        core module that names the wings."""
        from community import signals  # noqa: F401 - connects
        from community.forums import content_kinds as forum_kinds  # noqa: F401
        from community.forums import signals as forum_signals  # noqa: F401
        from community.insights import upkeep as insights_upkeep
        from community.moderation import signals as moderation_signals  # noqa: F401
        from community.moderation import wagtail_hooks as moderation_admin  # noqa: F401
        from community.notifications import wagtail_hooks as delivery_admin  # noqa: F401
        from community.social import content_kinds as social_kinds  # noqa: F401
        from community.social import wagtail_hooks as presents_admin  # noqa: F401
        from community.web import language  # noqa: F401 - connects

        insights_upkeep.connect()
