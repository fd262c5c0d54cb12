from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"

    def ready(self) -> None:
        from . import content_kinds, signals  # noqa: F401 - registers, connects
