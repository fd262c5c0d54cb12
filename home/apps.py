from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"

    def ready(self) -> None:
        from community.social.timeline import register_source

        from . import content_kinds, signals, timeline  # noqa: F401 - registers, connects

        register_source(timeline.page_entries)
