from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"

    def ready(self) -> None:
        from . import content_kinds  # noqa: F401 - registers comments
